import { describe, expect, it } from 'vitest';
import { ExpiryBandsFormSchema, ExpiryThresholdsSchema } from './expiry-bands';

describe('expiry band thresholds', () => {
  it('accepts 1–5 ascending whole days from a form', () => {
    expect(ExpiryThresholdsSchema.parse(['14', '60'])).toEqual([14, 60]);
    expect(ExpiryThresholdsSchema.safeParse([30, 7]).success).toBe(false);
    expect(ExpiryThresholdsSchema.safeParse([7, 7]).success).toBe(false);
    expect(ExpiryThresholdsSchema.safeParse([]).success).toBe(false);
    expect(ExpiryThresholdsSchema.safeParse([1, 2, 3, 4, 5, 6]).success).toBe(false);
    expect(ExpiryThresholdsSchema.safeParse([0.5]).success).toBe(false);
    expect(ExpiryThresholdsSchema.safeParse([4000]).success).toBe(false);
    expect(ExpiryBandsFormSchema.parse({ thresholds: ' 7, 30 90 ' })).toEqual({ thresholds: [7, 30, 90] });
    expect(ExpiryBandsFormSchema.safeParse({ thresholds: 'soon' }).success).toBe(false);
  });
});
