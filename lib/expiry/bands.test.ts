import { describe, expect, it } from 'vitest';
import { bandOf, daysLeft, describeDaysLeft, expiryBands, expiryRange, findExpiryBand } from './bands';

const now = new Date('2031-04-16T12:00:00.000Z');
const plus = (hours: number) => new Date(now.getTime() + hours * 3_600_000);

describe('expiry bands', () => {
  it('makes expired, one band per threshold and the rest', () => {
    expect(expiryBands([7, 30, 90]).map((b) => [b.key, b.label, b.minDays, b.maxDays])).toEqual([
      ['expired', 'Expired', null, -1],
      ['7', '≤ 7 days', 0, 7],
      ['30', '≤ 30 days', 8, 30],
      ['90', '≤ 90 days', 31, 90],
      ['later', '> 90 days', 91, null],
    ]);
  });

  it('rounds days left down, so 7 days and 23 hours is still "≤ 7 days"', () => {
    expect(daysLeft(plus(7 * 24 + 23), now)).toBe(7);
    expect(bandOf(7, [7, 30, 90]).key).toBe('7');
    expect(bandOf(8, [7, 30, 90]).key).toBe('30');
    expect(daysLeft(plus(-1), now)).toBe(-1);
    expect(bandOf(-1, [7, 30, 90]).key).toBe('expired');
    expect(bandOf(400, [7, 30, 90]).key).toBe('later');
  });

  it('turns a band into the expiresOn range the SQL filters use, agreeing with daysLeft at the edges', () => {
    const band = findExpiryBand([7, 30, 90], '30')!;
    const { from, to } = expiryRange(band, now);
    expect(from).toEqual(plus(8 * 24));
    expect(to).toEqual(plus(31 * 24));
    expect(bandOf(daysLeft(from!, now), [7, 30, 90]).key).toBe('30');
    expect(bandOf(daysLeft(new Date(to!.getTime() - 1), now), [7, 30, 90]).key).toBe('30');
    expect(bandOf(daysLeft(to!, now), [7, 30, 90]).key).toBe('90');
    expect(expiryRange(findExpiryBand([7], 'expired')!, now)).toEqual({ from: null, to: now });
    expect(findExpiryBand([7, 30], '90')).toBeUndefined();
  });


  it('says days left in words', () => {
    expect([12, 1, 0, -1, -2, -5].map(describeDaysLeft)).toEqual(['12 days left', '1 day left', '< 1 day left', 'expired', 'expired 1 day ago', 'expired 4 days ago']);
  });
});
