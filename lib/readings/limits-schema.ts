// One zod schema per form, shared by the form (client) and the server action / route handler.

import { z } from 'zod';
import { INTERVAL_BOUNDS, TEMPERATURE_BOUNDS } from './limits-bounds';

export { INTERVAL_BOUNDS, TEMPERATURE_BOUNDS } from './limits-bounds';

/** A form field that is a number, or empty for "none" (fall back to the group default). */
const optionalTemperature = z.preprocess(
  (value) => (value === '' || value === null || value === undefined ? null : typeof value === 'string' ? Number(value.trim().replace(',', '.')) : value),
  z
    .number({ error: 'Enter a number of degrees Celsius, or leave it empty.' })
    .finite({ error: 'Enter a number of degrees Celsius, or leave it empty.' })
    .min(TEMPERATURE_BOUNDS.min, { error: `At least ${TEMPERATURE_BOUNDS.min} °C.` })
    .max(TEMPERATURE_BOUNDS.max, { error: `At most ${TEMPERATURE_BOUNDS.max} °C.` })
    .nullable(),
);

function minBelowMax<T extends { minTemperature: number | null; maxTemperature: number | null }>(value: T, ctx: z.RefinementCtx) {
  if (value.minTemperature !== null && value.maxTemperature !== null && value.minTemperature >= value.maxTemperature) {
    ctx.addIssue({ code: 'custom', path: ['maxTemperature'], message: 'The maximum must be above the minimum.' });
  }
}

const deviceLimits = {
  minTemperature: optionalTemperature,
  maxTemperature: optionalTemperature,
  reportIntervalSec: z.coerce
    .number({ error: 'Enter a whole number of seconds.' })
    .int({ error: 'Enter a whole number of seconds.' })
    .min(INTERVAL_BOUNDS.min, { error: `At least ${INTERVAL_BOUNDS.min} seconds.` })
    .max(INTERVAL_BOUNDS.max, { error: `At most ${INTERVAL_BOUNDS.max} seconds (a day).` }),
};

export const DeviceLimitsSchema = z
  .object({ deviceId: z.string().trim().min(1, { error: 'Which device?' }), ...deviceLimits })
  .superRefine(minBelowMax);

/** The body of `PUT /api/readings/devices/:deviceId/limits` (the device comes from the path). */
export const DeviceLimitsBodySchema = z.object(deviceLimits).superRefine(minBelowMax);

export type DeviceLimitsInput = z.infer<typeof DeviceLimitsSchema>;
export type DeviceLimitsField = 'deviceId' | 'minTemperature' | 'maxTemperature' | 'reportIntervalSec';

const groupLimits = { minTemperature: optionalTemperature, maxTemperature: optionalTemperature };

export const GroupLimitsSchema = z
  .object({ group: z.string().trim().min(1, { error: 'Which group?' }).max(100), ...groupLimits })
  .superRefine(minBelowMax);

/** The body of `PUT /api/readings/groups/:group/limits` (the group comes from the path). */
export const GroupLimitsBodySchema = z.object(groupLimits).superRefine(minBelowMax);

export type GroupLimitsInput = z.infer<typeof GroupLimitsSchema>;
export type GroupLimitsField = 'group' | 'minTemperature' | 'maxTemperature';
