// Time and temperature formatting for charts, in the viewer's locale and time zone (charts render in the browser).

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Axis ticks: clock time for a day or less, weekday + time up to a week, the date beyond. */
export function tickFormatter(spanMs: number): (t: number) => string {
  const format =
    spanMs <= DAY
      ? new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
      : spanMs <= 7 * DAY
        ? new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' })
        : new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
  return (t) => format.format(new Date(t));
}

const MINUTE = 60_000;
const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];

/**
 * Evenly spaced time ticks on round values (every 15 min, 3 h, 1 day…), at least `min` and about
 * `count` of them, so a short range is not left with one tick and a long one gets regular steps.
 * Round in UTC; a zone off by a non-whole hour shifts the labels, never the spacing.
 */
export function timeTicks(from: number, to: number, count = 6, min = 3): number[] {
  const span = to - from;
  if (!(span > 0)) return [from];
  const step = [...STEPS].reverse().find((s) => span / s >= min && span / s <= count * 2) ?? STEPS.find((s) => span / s <= count * 2) ?? STEPS.at(-1)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  if (ticks.length < min) {
    // Shorter than the smallest step allows: split the range itself.
    return Array.from({ length: min }, (_, i) => Math.round(from + (span * i) / (min - 1)));
  }
  return ticks;
}

/**
 * Which row each marker's label goes in: markers closer than `gap` (a share of the range) to an
 * earlier one take the next row down, so "issued" and "revoked" at nearly the same time do not print
 * over each other.
 */
export function markerRows(times: readonly number[], from: number, to: number, gap = 0.08): number[] {
  const minDistance = (to - from) * gap;
  const placed: { t: number; row: number }[] = [];
  const order = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t);
  const rows: number[] = new Array(times.length).fill(0);
  for (const { t, i } of order) {
    const taken = new Set(placed.filter((p) => Math.abs(p.t - t) < minDistance).map((p) => p.row));
    let row = 0;
    while (taken.has(row)) row++;
    rows[i] = row;
    placed.push({ t, row });
  }
  return rows;
}

const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const fullWithZone = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });

export function formatDateTime(t: number | string | Date, withZone = false): string {
  return (withZone ? fullWithZone : full).format(new Date(t));
}

export function formatTemperature(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toFixed(digits)} °C`;
}

/** Twelve hues that stay apart in light and dark themes. */
export const SERIES_COLORS = [
  '#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2',
  '#ca8a04', '#db2777', '#4f46e5', '#65a30d', '#0d9488', '#78716c',
] as const;

/** The fleet average line's dash, shared by the chart and the page's legend. */
export const AVERAGE_DASH = '7 4';

export const MARKER_COLORS = { issued: '#16a34a', rotated: '#d97706', revoked: '#dc2626' } as const;
export const LIMIT_COLOR = '#dc2626';

/** A y-domain padded around the values with round ticks (1, 2, 2.5 or 5 × 10ⁿ apart), about `count` of them. */
export function niceScale(values: readonly number[], count = 6): { domain: [number, number]; ticks: number[] } {
  const lo0 = values.length ? Math.min(...values) : 0;
  const hi0 = values.length ? Math.max(...values) : 1;
  const pad = Math.max(0.25, (hi0 - lo0) * 0.05);
  const lo = lo0 - pad;
  const hi = hi0 + pad;
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return { domain: [ticks[0]!, ticks.at(-1)!], ticks };
}
