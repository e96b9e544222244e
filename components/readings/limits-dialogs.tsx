'use client';

import { SlidersHorizontal } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { DialogForm } from '@/components/ui/form-dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { useDialogForm } from '@/components/ui/use-dialog-form';
import { INTERVAL_BOUNDS } from '@/lib/readings/limits-bounds';
import type { DeviceLimitsField, GroupLimitsField } from '@/lib/readings/limits-schema';
import { updateDeviceLimitsAction, updateGroupLimitsAction } from './actions';

const num = (v: number | null) => (v === null ? '' : String(v));

/** ADMIN: a device's own limits (empty = the group's default) and its expected reporting interval. */
export function DeviceLimitsDialog(props: {
  deviceId: string;
  deviceName: string;
  minTemperature: number | null;
  maxTemperature: number | null;
  reportIntervalSec: number;
  groupLimits: { min: number | null; max: number | null } | null;
  compact?: boolean;
}) {
  const form = useDialogForm<DeviceLimitsField>(updateDeviceLimitsAction, () =>
    import('@/lib/readings/limits-schema').then((m) => m.DeviceLimitsSchema),
  );
  const { open, show, close, notice, errors, values } = form;
  const idp = `limits-${props.deviceId}`;
  const groupHint = (side: 'min' | 'max') => {
    const v = props.groupLimits?.[side];
    return v === null || v === undefined ? 'Empty: no limit (the group has no default).' : `Empty: the group's default, ${v} °C.`;
  };

  return (
    <div className="flex items-center gap-3">
      {props.compact ? null : (
        <p aria-live="polite" className="max-w-xs text-sm text-muted-foreground empty:sr-only">
          {notice}
        </p>
      )}
      <Button
        variant="outline"
        size={props.compact ? 'sm' : 'md'}
        aria-label={props.compact ? `Edit limits of ${props.deviceName}` : undefined}
        onClick={show}
      >
        <SlidersHorizontal aria-hidden />
        {props.compact ? 'Edit' : 'Edit limits'}
      </Button>
      <Dialog open={open} onClose={close} title={`Limits of ${props.deviceName}`} description="Readings outside these limits are flagged; the interval decides when the device counts as late, missing or silent.">
        <DialogForm form={form} label="Save" pendingLabel="Saving…">
          <input type="hidden" name="deviceId" value={props.deviceId} />
          <div className="grid grid-cols-2 gap-3">
            <FormField id={`${idp}-min`} label="Minimum (°C)" hint={groupHint('min')} errors={errors.minTemperature}>
              <Input id={`${idp}-min`} name="minTemperature" inputMode="decimal" defaultValue={values.minTemperature ?? num(props.minTemperature)} aria-invalid={!!errors.minTemperature || undefined} />
            </FormField>
            <FormField id={`${idp}-max`} label="Maximum (°C)" hint={groupHint('max')} errors={errors.maxTemperature}>
              <Input id={`${idp}-max`} name="maxTemperature" inputMode="decimal" defaultValue={values.maxTemperature ?? num(props.maxTemperature)} aria-invalid={!!errors.maxTemperature || undefined} />
            </FormField>
          </div>
          <FormField id={`${idp}-interval`} label="Expected reporting interval (seconds)" hint={`${INTERVAL_BOUNDS.min}–${INTERVAL_BOUNDS.max} s.`} errors={errors.reportIntervalSec}>
            <Input id={`${idp}-interval`} name="reportIntervalSec" inputMode="numeric" defaultValue={values.reportIntervalSec ?? String(props.reportIntervalSec)} aria-invalid={!!errors.reportIntervalSec || undefined} />
          </FormField>
        </DialogForm>
      </Dialog>
    </div>
  );
}

/** ADMIN: the default limits of a group, for its devices that have none of their own. */
export function GroupLimitsDialog({ group, limits }: { group: string; limits: { min: number | null; max: number | null } | null }) {
  const form = useDialogForm<GroupLimitsField>(updateGroupLimitsAction, () =>
    import('@/lib/readings/limits-schema').then((m) => m.GroupLimitsSchema),
  );
  const { open, show, close, errors, values } = form;
  const idp = `group-limits-${group.replace(/[^a-z0-9-]/gi, '-')}`;

  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        aria-label={`Edit default limits of ${group}`}
        onClick={show}
      >
        <SlidersHorizontal aria-hidden />
        Edit
      </Button>
      <Dialog open={open} onClose={close} title={`Default limits of ${group}`} description="Devices of this group without limits of their own use these. Leave both empty for none.">
        <DialogForm form={form} label="Save" pendingLabel="Saving…">
          <input type="hidden" name="group" value={group} />
          <div className="grid grid-cols-2 gap-3">
            <FormField id={`${idp}-min`} label="Minimum (°C)" errors={errors.minTemperature}>
              <Input id={`${idp}-min`} name="minTemperature" inputMode="decimal" defaultValue={values.minTemperature ?? num(limits?.min ?? null)} aria-invalid={!!errors.minTemperature || undefined} />
            </FormField>
            <FormField id={`${idp}-max`} label="Maximum (°C)" errors={errors.maxTemperature}>
              <Input id={`${idp}-max`} name="maxTemperature" inputMode="decimal" defaultValue={values.maxTemperature ?? num(limits?.max ?? null)} aria-invalid={!!errors.maxTemperature || undefined} />
            </FormField>
          </div>
        </DialogForm>
      </Dialog>
    </>
  );
}
