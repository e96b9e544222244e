import 'server-only';
import { db } from '@/lib/db/client';
import type { DeviceStatus } from '@/lib/generated/prisma/client';
import { ANALYTIC_QUERY_SETTINGS, type SqlRunner } from '@/lib/readings/buckets';
import type { ChartRange } from '@/lib/readings/ranges';
import { GROUP_LIMITS_SETTING, limitState, parseGroupLimits, type EffectiveLimits, type Limits, type LimitState } from '@/lib/readings/thresholds';

// What the device chart (readings.ts) and the fleet view (readings-fleet.ts) read alike.

/** Chart and flag queries: one transaction each, so their settings (JIT off) apply to them alone. */
export const runAnalytic: SqlRunner = async (text, values) => {
  const [, rows] = await db().$transaction([
    db().$executeRawUnsafe(ANALYTIC_QUERY_SETTINGS),
    db().$queryRawUnsafe<Record<string, unknown>[]>(text, ...values),
  ]);
  return rows;
};

/** Statuses the fleet view lists; a decommissioned device is expected to be silent and would only be noise. */
export const LISTED_STATUSES: DeviceStatus[] = ['ACTIVE', 'INACTIVE'];

export interface RangeView {
  preset: ChartRange['preset'];
  from: string;
  to: string;
}

export interface LatestReading {
  time: string;
  temperature: number;
  state: LimitState;
}

/** A chart's bucket width: the range's own (bucketWidthSeconds) unless a caller (the REST API) picked one it checked. */
export interface BucketOptions {
  widthSeconds?: number;
}

/** Every group's default limits (lib/readings/thresholds.ts explains the rule). */
export async function loadGroupLimits(): Promise<Record<string, Limits>> {
  const row = await db().setting.findUnique({ where: { key: GROUP_LIMITS_SETTING } });
  return parseGroupLimits(row?.value);
}

export function rangeView(range: ChartRange): RangeView {
  return { preset: range.preset, from: range.from.toISOString(), to: range.to.toISOString() };
}

/** A device's newest reading as the pages show it, measured against its limits. */
export function latestView(reading: { time: Date; temperature: number } | null | undefined, limits: EffectiveLimits): LatestReading | null {
  return reading ? { time: reading.time.toISOString(), temperature: reading.temperature, state: limitState(reading.temperature, limits) } : null;
}
