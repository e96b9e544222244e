import { z } from 'zod';

/*
 * The expiry band thresholds (lib/expiry/bands.ts) as the Settings form sends them and the data layer stores them.
 */

/** What the Settings form accepts: 1 to 5 ascending whole numbers of days, up to ten years. */
export const ExpiryThresholdsSchema = z
  .array(z.coerce.number({ error: 'Enter a number of days.' }).int('Use whole days.').min(1, 'At least 1 day.').max(3650, 'At most 3650 days.'))
  .min(1, 'Keep at least one band.')
  .max(5, 'At most five bands.')
  .refine((days) => days.every((d, i) => i === 0 || d > days[i - 1]!), 'Each band must be longer than the one before it.');

/** The Settings form: thresholds typed as "7, 30, 90" (commas or spaces). Shared by the form and its action. */
export const ExpiryBandsFormSchema = z.object({
  thresholds: z.preprocess((text) => (typeof text === 'string' ? text.slice(0, 100).split(/[\s,;]+/).filter(Boolean) : text), ExpiryThresholdsSchema),
});
