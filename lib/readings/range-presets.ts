// The chart ranges a person picks from, without zod, so the range picker does not bring zod into a page's first
// load (issue 12); lib/readings/ranges.ts parses them and re-exports these for the server.

const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const RANGE_PRESETS = {
  '1h': { label: '1 h', ms: HOUR },
  '24h': { label: '24 h', ms: DAY },
  '7d': { label: '7 d', ms: 7 * DAY },
  '30d': { label: '30 d', ms: 30 * DAY },
  '90d': { label: '90 d', ms: 90 * DAY },
} as const;

export type RangePreset = keyof typeof RANGE_PRESETS;
export const RANGE_PRESET_KEYS = Object.keys(RANGE_PRESETS) as RangePreset[];
export const DEFAULT_RANGE: RangePreset = '24h';

/** A custom range may be at most this long (a year and a bit) and at least a minute. */
export const MAX_CUSTOM_RANGE_MS = 400 * DAY;
export const MIN_CUSTOM_RANGE_MS = 60_000;
