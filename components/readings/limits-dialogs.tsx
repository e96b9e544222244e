'use client';

import { SlidersHorizontal } from 'lucide-react';
import { type FormEvent, type ReactNode, useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FieldError, Input, Label } from '@/components/ui/input';
import { DeviceLimitsSchema, GroupLimitsSchema, INTERVAL_BOUNDS } from '@/lib/readings/limits-schema';
import { updateDeviceLimitsAction, updateGroupLimitsAction, type DeviceLimitsState, type GroupLimitsState } from './actions';

type Errors = Partial<Record<string, string[]>>;

/** The same schema as the action, so most mistakes show without a round trip. */
function validateWith(schema: typeof DeviceLimitsSchema | typeof GroupLimitsSchema, setErrors: (e: Errors | null) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    const parsed = schema.safeParse(Object.fromEntries(new FormData(event.currentTarget)));
    if (parsed.success) return setErrors(null);
    event.preventDefault();
    const errors: Errors = {};
    for (const issue of parsed.error.issues) (errors[String(issue.path[0])] ??= []).push(issue.message);
    setErrors(errors);
  };
}

function Field({ id, label, hint, errors, children }: { id: string; label: string; hint?: string; errors?: string[]; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {hint && !errors?.length ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} errors={errors} />
    </div>
  );
}

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
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<DeviceLimitsState, FormData>(updateDeviceLimitsAction, null);
  const [clientErrors, setClientErrors] = useState<Errors | null>(null);
  const [seen, setSeen] = useState<DeviceLimitsState>(state);
  const [notice, setNotice] = useState<string | null>(null);
  if (state !== seen) {
    setSeen(state);
    if (state?.ok) {
      setOpen(false);
      setNotice(state.message);
    }
  }
  const failed = state && !state.ok ? state : null;
  const errors: Errors = clientErrors ?? failed?.fieldErrors ?? {};
  const values = failed?.values ?? {};
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
        onClick={() => {
          setNotice(null);
          setClientErrors(null);
          setOpen(true);
        }}
      >
        <SlidersHorizontal aria-hidden />
        {props.compact ? 'Edit' : 'Edit limits'}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Limits of ${props.deviceName}`} description="Readings outside these limits are flagged; the interval decides when the device counts as late, missing or silent.">
        <form action={formAction} onSubmit={validateWith(DeviceLimitsSchema, setClientErrors)} noValidate className="flex flex-col gap-4">
          <input type="hidden" name="deviceId" value={props.deviceId} />
          <div className="grid grid-cols-2 gap-3">
            <Field id={`${idp}-min`} label="Minimum (°C)" hint={groupHint('min')} errors={errors.minTemperature}>
              <Input id={`${idp}-min`} name="minTemperature" inputMode="decimal" defaultValue={values.minTemperature ?? num(props.minTemperature)} aria-invalid={!!errors.minTemperature || undefined} />
            </Field>
            <Field id={`${idp}-max`} label="Maximum (°C)" hint={groupHint('max')} errors={errors.maxTemperature}>
              <Input id={`${idp}-max`} name="maxTemperature" inputMode="decimal" defaultValue={values.maxTemperature ?? num(props.maxTemperature)} aria-invalid={!!errors.maxTemperature || undefined} />
            </Field>
          </div>
          <Field id={`${idp}-interval`} label="Expected reporting interval (seconds)" hint={`${INTERVAL_BOUNDS.min}–${INTERVAL_BOUNDS.max} s.`} errors={errors.reportIntervalSec}>
            <Input id={`${idp}-interval`} name="reportIntervalSec" inputMode="numeric" defaultValue={values.reportIntervalSec ?? String(props.reportIntervalSec)} aria-invalid={!!errors.reportIntervalSec || undefined} />
          </Field>
          <FormMessage message={failed?.message} />
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? 'Saving…' : 'Save'}
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

/** ADMIN: the default limits of a group, for its devices that have none of their own. */
export function GroupLimitsDialog({ group, limits }: { group: string; limits: { min: number | null; max: number | null } | null }) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<GroupLimitsState, FormData>(updateGroupLimitsAction, null);
  const [clientErrors, setClientErrors] = useState<Errors | null>(null);
  const [seen, setSeen] = useState<GroupLimitsState>(state);
  if (state !== seen) {
    setSeen(state);
    if (state?.ok) setOpen(false);
  }
  const failed = state && !state.ok ? state : null;
  const errors: Errors = clientErrors ?? failed?.fieldErrors ?? {};
  const values = failed?.values ?? {};
  const idp = `group-limits-${group.replace(/[^a-z0-9-]/gi, '-')}`;

  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        aria-label={`Edit default limits of ${group}`}
        onClick={() => {
          setClientErrors(null);
          setOpen(true);
        }}
      >
        <SlidersHorizontal aria-hidden />
        Edit
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Default limits of ${group}`} description="Devices of this group without limits of their own use these. Leave both empty for none.">
        <form action={formAction} onSubmit={validateWith(GroupLimitsSchema, setClientErrors)} noValidate className="flex flex-col gap-4">
          <input type="hidden" name="group" value={group} />
          <div className="grid grid-cols-2 gap-3">
            <Field id={`${idp}-min`} label="Minimum (°C)" errors={errors.minTemperature}>
              <Input id={`${idp}-min`} name="minTemperature" inputMode="decimal" defaultValue={values.minTemperature ?? num(limits?.min ?? null)} aria-invalid={!!errors.minTemperature || undefined} />
            </Field>
            <Field id={`${idp}-max`} label="Maximum (°C)" errors={errors.maxTemperature}>
              <Input id={`${idp}-max`} name="maxTemperature" inputMode="decimal" defaultValue={values.maxTemperature ?? num(limits?.max ?? null)} aria-invalid={!!errors.maxTemperature || undefined} />
            </Field>
          </div>
          <FormMessage message={failed?.message} />
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? 'Saving…' : 'Save'}
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
