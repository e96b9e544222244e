'use server';

import { revalidatePath } from 'next/cache';
import { AuthError } from '@/lib/auth/errors';
import { requirePermission } from '@/lib/auth/session';
import { pullReadingsNow, ReadingsChangeError, updateDeviceLimits, updateGroupLimits } from '@/lib/data/readings';
import { DeviceLimitsSchema, GroupLimitsSchema, type DeviceLimitsField, type GroupLimitsField } from '@/lib/readings/limits-schema';
import { type ActionState, invalidInput } from '@/lib/validation/action-state';

// Each action is a public POST endpoint: it checks the permission itself, first, whatever the page showed.

export type DeviceLimitsState = ActionState<DeviceLimitsField>;
export type GroupLimitsState = ActionState<GroupLimitsField>;
export type PullState = ActionState<never>;

export async function updateDeviceLimitsAction(_previous: DeviceLimitsState, formData: FormData): Promise<DeviceLimitsState> {
  let done: string;
  const values = fields(formData, ['deviceId', 'minTemperature', 'maxTemperature', 'reportIntervalSec']);
  try {
    await requirePermission('thresholds:edit');
    const parsed = DeviceLimitsSchema.safeParse(values);
    if (!parsed.success) return invalidInput(parsed.error, values);
    const device = await updateDeviceLimits(parsed.data);
    done = `Saved limits and reporting interval of ${device.name}.`;
  } catch (error) {
    return expectedFailure(error, values);
  }
  revalidatePath('/readings', 'layout');
  return { ok: true, message: done };
}

export async function updateGroupLimitsAction(_previous: GroupLimitsState, formData: FormData): Promise<GroupLimitsState> {
  let done: string;
  const values = fields(formData, ['group', 'minTemperature', 'maxTemperature']);
  try {
    await requirePermission('thresholds:edit');
    const parsed = GroupLimitsSchema.safeParse(values);
    if (!parsed.success) return invalidInput(parsed.error, values);
    const limits = await updateGroupLimits(parsed.data);
    done = limits ? `Saved the default limits of ${parsed.data.group}.` : `${parsed.data.group} has no default limits now.`;
  } catch (error) {
    return expectedFailure(error, values);
  }
  revalidatePath('/readings', 'layout');
  return { ok: true, message: done };
}

export async function pullReadingsAction(_previous: PullState): Promise<PullState> {
  let done: string;
  try {
    await requirePermission('readings:pull');
    const summary = await pullReadingsNow();
    done =
      summary.readings === 0
        ? 'Up to date: the Worker had no new readings.'
        : `Pulled ${summary.readings.toLocaleString('en')} new readings from ${summary.certificates} certificates in ${(summary.ms / 1000).toFixed(1)} s.`;
  } catch (error) {
    return expectedFailure(error);
  }
  revalidatePath('/readings', 'layout');
  return { ok: true, message: done };
}

function fields<K extends string>(formData: FormData, keys: readonly K[]): Record<K, string> {
  return Object.fromEntries(keys.map((key) => [key, typeof formData.get(key) === 'string' ? (formData.get(key) as string) : ''])) as Record<K, string>;
}

/** A refusal or a rule is shown in the form; anything else is a bug for error.tsx. */
function expectedFailure<TField extends string>(error: unknown, values?: Partial<Record<TField, string>>): ActionState<TField> {
  if (error instanceof AuthError) return { ok: false, message: error.message };
  if (error instanceof ReadingsChangeError) {
    const fieldErrors = error.field ? ({ [error.field]: [error.message] } as Partial<Record<TField, string[]>>) : undefined;
    return { ok: false, message: error.message, fieldErrors, values };
  }
  throw error;
}
