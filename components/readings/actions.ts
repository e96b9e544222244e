'use server';

import { pullReadingsNow, updateDeviceLimits, updateGroupLimits } from '@/lib/data/readings-changes';
import { DeviceLimitsSchema, GroupLimitsSchema, type DeviceLimitsField, type GroupLimitsField } from '@/lib/readings/limits-schema';
import { action } from '@/lib/server/action';
import type { ActionState } from '@/lib/validation/action-state';

// Each action is a public POST endpoint: action() checks the permission first, whatever the page showed.

export type DeviceLimitsState = ActionState<DeviceLimitsField>;
export type GroupLimitsState = ActionState<GroupLimitsField>;
export type PullState = ActionState<never>;

const REVALIDATE = [['/readings', 'layout']] as const;

export const updateDeviceLimitsAction = action(
  { permission: 'thresholds:edit', schema: DeviceLimitsSchema, fields: ['minTemperature', 'maxTemperature', 'reportIntervalSec'], revalidate: REVALIDATE },
  async (input) => {
    const device = await updateDeviceLimits(input);
    return { message: `Saved limits and reporting interval of ${device.name}.` };
  },
);

export const updateGroupLimitsAction = action(
  { permission: 'thresholds:edit', schema: GroupLimitsSchema, fields: ['minTemperature', 'maxTemperature'], revalidate: REVALIDATE },
  async (input) => {
    const limits = await updateGroupLimits(input);
    return { message: limits ? `Saved the default limits of ${input.group}.` : `${input.group} has no default limits now.` };
  },
);

export const pullReadingsAction = action({ permission: 'readings:pull', revalidate: REVALIDATE }, async () => {
  const summary = await pullReadingsNow();
  return {
    message:
      summary.readings === 0
        ? 'Up to date: the Worker had no new readings.'
        : `Pulled ${summary.readings.toLocaleString('en')} new readings from ${summary.certificates} certificates in ${(summary.ms / 1000).toFixed(1)} s.`,
  };
});
