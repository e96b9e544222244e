/**
 * Expiry bands: how soon a certificate (or a custom hostname's certificate) runs out. Pure and
 * browser-safe, so the server's SQL filters, the Overview cards and the badges in a table all agree
 * on where one band ends and the next begins.
 *
 * Days left are whole days, rounded down: a certificate that expires in 7 days and 20 hours has
 * "7 days left" and sits in the "≤ 7 days" band. A certificate whose `expiresOn` has passed is
 * expired, whatever its status at Cloudflare (Cloudflare keeps an expired certificate `active`).
 * No zod here, so a page that only shows bands sends none; the Settings form's schemas are in
 * lib/validation/expiry-bands.ts.
 */
export const DAY_MS = 86_400_000;

/** The defaults: expired, ≤ 7, ≤ 30, ≤ 90 days. */
export const DEFAULT_EXPIRY_THRESHOLDS: readonly number[] = [7, 30, 90];

/** The `Setting` row that holds the thresholds (a JSON array of ascending day counts). */
export const EXPIRY_BANDS_SETTING = 'expiryBands';

/** `expired`, one key per threshold (`"7"`, `"30"`…), and `later` for everything beyond the last. */
export type ExpiryBandKey = string;

export interface ExpiryBand {
  key: ExpiryBandKey;
  /** "Expired", "≤ 7 days", "> 90 days". */
  label: string;
  /**
   * Bounds in whole days left, inclusive: a certificate belongs when `minDays ≤ daysLeft ≤ maxDays`.
   * `expired` has maxDays −1 (and no minimum); `later` has no maximum.
   */
  minDays: number | null;
  maxDays: number | null;
}

/** Every band for these thresholds, soonest first. */
export function expiryBands(thresholds: readonly number[]): ExpiryBand[] {
  const bands: ExpiryBand[] = [{ key: 'expired', label: 'Expired', minDays: null, maxDays: -1 }];
  let previous = -1;
  for (const days of thresholds) {
    bands.push({ key: String(days), label: `≤ ${days} days`, minDays: previous + 1, maxDays: days });
    previous = days;
  }
  bands.push({ key: 'later', label: `> ${previous} days`, minDays: previous + 1, maxDays: null });
  return bands;
}

/** The band a URL parameter names, if the current thresholds still have it (a stale link is ignored). */
export function findExpiryBand(thresholds: readonly number[], key: string | null | undefined): ExpiryBand | undefined {
  return key ? expiryBands(thresholds).find((band) => band.key === key) : undefined;
}

/** Whole days left, rounded down; negative once expired (−1 on the day after). */
export function daysLeft(expiresOn: Date, now: Date): number {
  return Math.floor((expiresOn.getTime() - now.getTime()) / DAY_MS);
}

/**
 * The `expiresOn` range of a band as of `now`: `from` inclusive, `to` exclusive, either open.
 * daysLeft ≥ m ⇔ expiresOn ≥ now + m days, and daysLeft ≤ M ⇔ expiresOn < now + (M + 1) days.
 */
export function expiryRange(band: ExpiryBand, now: Date): { from: Date | null; to: Date | null } {
  const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
  return {
    from: band.minDays === null ? null : at(band.minDays),
    to: band.maxDays === null ? null : at(band.maxDays + 1),
  };
}

/** The band a number of days left falls in. */
export function bandOf(days: number, thresholds: readonly number[]): ExpiryBand {
  const bands = expiryBands(thresholds);
  return bands.find((band) => (band.minDays === null || days >= band.minDays) && (band.maxDays === null || days <= band.maxDays)) ?? bands.at(-1)!;
}

/** How loudly a band should show: expired and the first band are urgent, the next warns, the rest are calm. */
export function bandUrgency(band: ExpiryBand, thresholds: readonly number[]): 'danger' | 'warning' | 'info' | 'neutral' {
  if (band.key === 'expired' || band.key === String(thresholds[0])) return 'danger';
  if (band.key === String(thresholds[1])) return 'warning';
  if (band.key === 'later') return 'neutral';
  return 'info';
}

/** "12 days left", "1 day left", "< 1 day left", "expired", "expired 3 days ago". */
export function describeDaysLeft(days: number): string {
  if (days >= 2) return `${days} days left`;
  if (days === 1) return '1 day left';
  if (days === 0) return '< 1 day left';
  // −1 means it ran out within the last 24 hours; −2 a day before that.
  const ago = -days - 1;
  if (ago === 0) return 'expired';
  return `expired ${ago} ${ago === 1 ? 'day' : 'days'} ago`;
}
