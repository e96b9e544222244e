// The time range of a chart, kept in the URL: `?range=24h` for a preset ending now, or `?from=…&to=…` (ISO 8601)
// for a custom one. Browser-safe: the range picker and the server parse the same way.

import { z } from 'zod';
import { DEFAULT_RANGE, MAX_CUSTOM_RANGE_MS, MIN_CUSTOM_RANGE_MS, RANGE_PRESET_KEYS, RANGE_PRESETS, type RangePreset } from './range-presets';
import { parseFleetSelection, parseFleetTable } from './selection';

export { DEFAULT_RANGE, MAX_CUSTOM_RANGE_MS, MIN_CUSTOM_RANGE_MS, RANGE_PRESET_KEYS, RANGE_PRESETS, type RangePreset } from './range-presets';

export interface ChartRange {
  preset: RangePreset | 'custom';
  from: Date;
  to: Date;
}

export interface ParsedRange extends ChartRange {
  /** Why the URL's range was not used (then the default preset is). */
  error?: string;
}

const isoDate = z.iso.datetime({ offset: true, local: false }).transform((s) => new Date(s));

// The span checks run only once both ends are dates: zod still runs an object's refinements after a field
// failed, with that field's raw text (a malformed `to` used to reach `.getTime()` and answer 500).
const spanMs = (r: { from: unknown; to: unknown }) => (r.from instanceof Date && r.to instanceof Date ? r.to.getTime() - r.from.getTime() : undefined);
const CustomRange = z
  .object({ from: isoDate, to: isoDate })
  .refine((r) => (spanMs(r) ?? 1) > 0, { message: 'The end of the range must be after its start.' })
  .refine((r) => (spanMs(r) ?? MIN_CUSTOM_RANGE_MS) >= MIN_CUSTOM_RANGE_MS, { message: 'A range must span at least a minute.' })
  .refine((r) => (spanMs(r) ?? 0) <= MAX_CUSTOM_RANGE_MS, { message: 'A range may span at most 400 days.' });

type Search = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function isRangePreset(value: unknown): value is RangePreset {
  return typeof value === 'string' && value in RANGE_PRESETS;
}

/**
 * The range a URL asks for: `from`+`to` win over `range`; anything unreadable falls back to the default preset
 * with an `error` the page can show.
 */
export function parseChartRange(search: Search | URLSearchParams, now: Date = new Date()): ParsedRange {
  const get = (key: string) => (search instanceof URLSearchParams ? (search.get(key) ?? undefined) : first(search[key]));
  const from = get('from');
  const to = get('to');
  if (from || to) {
    const parsed = CustomRange.safeParse({ from, to });
    if (parsed.success) return { preset: 'custom', ...parsed.data };
    const issue = parsed.error.issues[0];
    const error = issue?.path.length ? `The range's ${String(issue.path[0])} is not an ISO 8601 date-time.` : issue?.message;
    return { ...presetRange(DEFAULT_RANGE, now), error };
  }
  const range = get('range');
  if (range === undefined || range === '') return presetRange(DEFAULT_RANGE, now);
  if (!isRangePreset(range)) {
    return { ...presetRange(DEFAULT_RANGE, now), error: `Unknown range "${range}": use ${RANGE_PRESET_KEYS.join(', ')}.` };
  }
  return presetRange(range, now);
}

/**
 * The query of the readings API (devices, fleet, flags, export): the range, refused with its reason
 * (400) instead of silently replaced as a page does, which devices (`device=…`, `group=…`), and the
 * first `device` for the routes that take one.
 */
export const ReadingsQuerySchema = z.record(z.string(), z.union([z.string(), z.array(z.string())])).transform((raw, ctx) => {
  const range = parseChartRange(raw);
  if (range.error) {
    ctx.addIssue({ code: 'custom', message: range.error, input: raw });
    return z.NEVER;
  }
  return { range: range as ChartRange, selection: parseFleetSelection(raw), table: parseFleetTable(raw), device: first(raw.device) || undefined };
});

/** The preset's window ending at `now`. */
export function presetRange(preset: RangePreset, now: Date = new Date()): ChartRange {
  return { preset, from: new Date(now.getTime() - RANGE_PRESETS[preset].ms), to: now };
}

/** The query-string entries that describe a range (what links and the picker write). */
export function rangeToSearch(range: Pick<ChartRange, 'preset' | 'from' | 'to'>): Record<string, string> {
  return range.preset === 'custom' ? { from: range.from.toISOString(), to: range.to.toISOString() } : { range: range.preset };
}
