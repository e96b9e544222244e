/**
 * The readings part of the REST API's schemas (lib/api/v1/schemas.ts re-exports it): the export's and the
 * charts' queries (a range, a selection, a bucket width) and the series they answer with.
 */
import { z } from 'zod';
import { bucketCount, MAX_POINTS } from '@/lib/readings/buckets';
import { HEALTH_STATES } from '@/lib/readings/health';
import { ReadingsQuerySchema } from '@/lib/readings/ranges';
import { FLEET_TABLE_PAGE_SIZE, OUT_OF_LIMITS_SHOWN } from '@/lib/readings/selection';

const rangeShape = {
  range: z.enum(['1h', '24h', '7d', '30d', '90d'], 'Unknown range: use 1h, 24h, 7d, 30d or 90d.').optional().meta({ description: 'A preset ending now (default 24h).' }),
  from: z.string().max(40).optional().meta({ description: 'ISO 8601 start (with to); from/to win over range. At most 400 days.' }),
  to: z.string().max(40).optional().meta({ description: 'ISO 8601 end (with from).' }),
};
const selectionShape = {
  device: z.union([z.string().max(64), z.array(z.string().max(64)).max(500)]).optional().meta({ description: 'A device id; repeat for several.' }),
  group: z.string().max(64).optional().meta({ description: 'Every device of a group.' }),
};

/** The query of the readings export: its shape here (documented), its meaning (a valid range) checked by ReadingsQuerySchema. */
export const ReadingsExportQuery = z.object({ ...selectionShape, ...rangeShape }).pipe(ReadingsQuerySchema);

const bucketParam = z.coerce
  .number('bucket is a number of seconds.')
  .int('bucket is a whole number of seconds.')
  .min(1, 'At least 1 second.')
  .max(31_536_000, 'At most 31536000 seconds (a year).')
  .optional()
  .meta({ description: `Bucket width in seconds (default: the range's own, at most ${MAX_POINTS} buckets); a width that would make more than ${MAX_POINTS} buckets over the range is refused.` });

/** The range (ReadingsQuerySchema's rules, refused with their reason) and a bucket width that keeps a series within MAX_POINTS. */
function readingsSeriesQuery({ bucket, ...raw }: Record<string, string | string[] | number | undefined>, ctx: z.RefinementCtx) {
  const parsed = ReadingsQuerySchema.safeParse(Object.fromEntries(Object.entries(raw).filter((e): e is [string, string | string[]] => e[1] !== undefined)));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [raw.from || raw.to ? 'from' : 'range'], message: issue.message });
    return z.NEVER;
  }
  const { range } = parsed.data;
  if (typeof bucket === 'number') {
    const count = bucketCount(range.from.getTime(), range.to.getTime(), bucket);
    if (count > MAX_POINTS) {
      ctx.addIssue({ code: 'custom', path: ['bucket'], message: `${bucket} s buckets over this range make ${count} points; at most ${MAX_POINTS}: use wider buckets or a shorter range.` });
      return z.NEVER;
    }
  }
  return { ...parsed.data, widthSeconds: typeof bucket === 'number' ? bucket : undefined };
}

export const DeviceSeriesQuery = z.object({ ...rangeShape, bucket: bucketParam }).transform(readingsSeriesQuery);
const fleetTableShape = {
  page: z.string().regex(/^[1-9][0-9]{0,8}$/, 'page is a whole number from 1.').optional().meta({ description: `Which page of \`devices\` (${FLEET_TABLE_PAGE_SIZE} a page, by group then name; default 1; past the end: the last page).` }),
  health: z.enum(HEALTH_STATES).optional().meta({ description: 'Only devices of this health in `devices`.' }),
  q: z.string().max(100).optional().meta({ description: 'Only devices whose name contains this in `devices`.' }),
};
export const FleetSeriesQuery = z.object({ ...selectionShape, ...rangeShape, ...fleetTableShape, bucket: bucketParam }).transform(readingsSeriesQuery);

/* ------------------------------------------------------------------ readings (the charts' JSON) */

const Bucket = z
  .object({ t: z.number().meta({ description: 'Bucket start, ms since the epoch (UTC, aligned to the width).' }), min: z.number(), max: z.number(), avg: z.number(), count: z.int() })
  .meta({ id: 'Bucket' });
const Summary = z.object({ min: z.number().nullable(), max: z.number().nullable(), avg: z.number().nullable(), count: z.int() });
const Limits = z.object({ min: z.number().nullable(), max: z.number().nullable() });
const LimitSource = z.enum(['device', 'group']).nullable();
const EffectiveLimits = Limits.extend({ minSource: LimitSource, maxSource: LimitSource });
const RangeOut = z.object({ preset: z.enum(['1h', '24h', '7d', '30d', '90d', 'custom']), from: z.iso.datetime(), to: z.iso.datetime() });
const Latest = z.object({ time: z.iso.datetime(), temperature: z.number(), state: z.enum(['below', 'above', 'within']) }).nullable();
const DEVICE_STATUSES = ['ACTIVE', 'INACTIVE', 'DECOMMISSIONED'] as const;
const Health = z.enum(HEALTH_STATES);

export const DeviceSeries = z
  .object({
    device: z.object({
      id: z.string(),
      name: z.string(),
      group: z.string(),
      status: z.enum(DEVICE_STATUSES),
      reportIntervalSec: z.int(),
      lastSeenAt: z.iso.datetime().nullable(),
      lastSeenFingerprint: z.string().nullable(),
      minTemperature: z.number().nullable(),
      maxTemperature: z.number().nullable(),
      health: Health,
    }),
    limits: EffectiveLimits,
    groupLimits: Limits.nullable(),
    range: RangeOut,
    widthSeconds: z.int(),
    points: z.array(Bucket),
    summary: Summary,
    markers: z.array(z.object({ t: z.number(), kind: z.enum(['issued', 'rotated', 'revoked']), certificateId: z.string(), serialNumber: z.string() })),
    latest: Latest,
  })
  .meta({ id: 'DeviceSeries' });

const FleetDevice = z.object({
  id: z.string(),
  name: z.string(),
  group: z.string(),
  status: z.enum(DEVICE_STATUSES),
  reportIntervalSec: z.int(),
  minTemperature: z.number().nullable(),
  maxTemperature: z.number().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  health: Health,
  latest: Latest,
  limits: EffectiveLimits,
});

export const FleetSeries = z
  .object({
    range: RangeOut,
    widthSeconds: z.int(),
    groups: z.array(z.object({ name: z.string(), devices: z.int(), limits: Limits.nullable() })),
    selection: z.object({ group: z.string().nullable(), deviceIds: z.array(z.string()), drawn: z.array(z.object({ id: z.string(), name: z.string() })), notDrawn: z.int() }),
    series: z.array(z.object({ deviceId: z.string(), name: z.string(), points: z.array(Bucket) })),
    average: z.array(Bucket),
    averageSummary: Summary,
    devices: z.array(FleetDevice).meta({ description: 'One page of the fleet’s devices (page, health, q).' }),
    devicesPage: z.object({ page: z.int(), pageSize: z.int(), total: z.int(), health: Health.nullable(), q: z.string() }),
    healthCounts: z.object(Object.fromEntries(HEALTH_STATES.map((h) => [h, z.int()])) as Record<(typeof HEALTH_STATES)[number], z.ZodInt>),
    outOfLimits: z.array(FleetDevice).meta({ description: `The first ${OUT_OF_LIMITS_SHOWN}, by group and name.` }),
    outOfLimitsTotal: z.int(),
  })
  .meta({ id: 'FleetSeries' });
