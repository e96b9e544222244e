// Which temperature limits apply to a device. The rule, bound by bound:
//   1. the device's own minTemperature / maxTemperature when set (an ADMIN edits them per device);
//   2. otherwise its group's default (an ADMIN sets one per group; stored in the Setting table);
//   3. otherwise no limit on that side.
// Each bound falls back on its own, so a device may set only a tighter maximum and keep the group's minimum.

export interface Limits {
  min: number | null;
  max: number | null;
}

export type LimitSource = 'device' | 'group' | null;

export interface EffectiveLimits extends Limits {
  minSource: LimitSource;
  maxSource: LimitSource;
}

/** The Setting row that holds every group's default limits, as `{ [group]: { min, max } }`. */
export const GROUP_LIMITS_SETTING = 'readings.groupThresholds';

export function effectiveLimits(
  device: { minTemperature: number | null; maxTemperature: number | null },
  group: Limits | undefined,
): EffectiveLimits {
  const pick = (own: number | null, fallback: number | null | undefined) =>
    own !== null ? { value: own, source: 'device' as const } : fallback != null ? { value: fallback, source: 'group' as const } : { value: null, source: null };
  const min = pick(device.minTemperature, group?.min);
  const max = pick(device.maxTemperature, group?.max);
  return { min: min.value, max: max.value, minSource: min.source, maxSource: max.source };
}

export type LimitState = 'below' | 'above' | 'within';

export function limitState(value: number, limits: Limits): LimitState {
  if (limits.min !== null && value < limits.min) return 'below';
  if (limits.max !== null && value > limits.max) return 'above';
  return 'within';
}

/** Reads the stored group defaults defensively: a hand-edited row must not break the charts. */
export function parseGroupLimits(value: unknown): Record<string, Limits> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, Limits> = {};
  for (const [group, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const { min, max } = raw as { min?: unknown; max?: unknown };
    out[group] = { min: typeof min === 'number' && Number.isFinite(min) ? min : null, max: typeof max === 'number' && Number.isFinite(max) ? max : null };
  }
  return out;
}
