import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { Prisma, type DeviceStatus } from '@/lib/generated/prisma/client';
import { queryCombinedBuckets, queryDeviceBuckets, summarise, type Bucket } from '@/lib/readings/buckets';
import type { Health } from '@/lib/readings/health';
import { healthCountsSql, healthSql } from '@/lib/readings/health-sql';
import type { ChartRange } from '@/lib/readings/ranges';
import { FLEET_TABLE_PAGE_SIZE, MAX_SERIES, OUT_OF_LIMITS_SHOWN, type FleetSelection, type FleetTableQuery } from '@/lib/readings/selection';
import { effectiveLimits, type EffectiveLimits, type Limits } from '@/lib/readings/thresholds';
import { latestView, LISTED_STATUSES, loadGroupLimits, rangeView, runAnalytic, type BucketOptions, type LatestReading, type RangeView } from './readings-common';

// The fleet view (/readings, GET /api/readings/fleet, GET /api/v1/readings) at any fleet size: every read is
// bounded by a page or answered from a read model, never "every device" (which took 51 s at 100,000 devices:
// bench/browse.ts). Groups and their sizes come from DeviceCount, each device's newest reading from
// DeviceLatestReading (both kept by triggers in the writing transaction), health is counted in one pass in SQL
// (healthSql, the same rule as classifyHealth), and the device table is a page of 50. Health is the one pass
// over the fleet left: it moves with the clock, so no write can keep it.

export interface FleetDeviceRow {
  id: string;
  name: string;
  group: string;
  status: DeviceStatus;
  reportIntervalSec: number;
  minTemperature: number | null;
  maxTemperature: number | null;
  lastSeenAt: string | null;
  health: Health;
  latest: LatestReading | null;
  limits: EffectiveLimits;
}

export interface FleetReadingsView {
  range: RangeView;
  widthSeconds: number;
  groups: { name: string; devices: number; limits: Limits | null }[];
  selection: { group: string | null; deviceIds: string[]; drawn: { id: string; name: string }[]; notDrawn: number };
  /** One line per drawn device (avg per bucket; min/max/count kept for the tooltip). */
  series: { deviceId: string; name: string; points: Bucket[] }[];
  /** Every selected device's readings together, per bucket. */
  average: Bucket[];
  averageSummary: ReturnType<typeof summarise>;
  /** One page of the fleet's devices, by group then name, filtered by `devicesPage.health` and `.q`. */
  devices: FleetDeviceRow[];
  devicesPage: { page: number; pageSize: number; total: number; health: Health | null; q: string };
  healthCounts: Record<Health, number>;
  /** Devices whose latest reading is outside their limits while they still report (live or late): the first OUT_OF_LIMITS_SHOWN. */
  outOfLimits: FleetDeviceRow[];
  outOfLimitsTotal: number;
}

/** A row as SQL returns it: the device's columns, its health, and its newest reading if any. */
interface DeviceRowSql extends Omit<FleetDeviceRow, 'lastSeenAt' | 'latest' | 'limits'> {
  lastSeenAt: Date | null;
  latestTime: Date | null;
  latestTemperature: number | null;
}

const LISTED = Prisma.sql`NOT d."isCanary" AND d.status = ANY(${LISTED_STATUSES}::"DeviceStatus"[])`;

/** What a device table row reads: the device, its health at `now` and its newest reading. */
const rowColumns = (now: Date) => Prisma.sql`d.id, d.name, d."group", d.status, d."reportIntervalSec", d."minTemperature", d."maxTemperature",
  d."lastSeenAt", ${healthSql(now)} AS health, l."time" AS "latestTime", l.temperature AS "latestTemperature"`;

function toRow(d: DeviceRowSql, groupLimits: Record<string, Limits>): FleetDeviceRow {
  const limits = effectiveLimits(d, groupLimits[d.group]);
  return {
    id: d.id,
    name: d.name,
    group: d.group,
    status: d.status,
    reportIntervalSec: d.reportIntervalSec,
    minTemperature: d.minTemperature,
    maxTemperature: d.maxTemperature,
    lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
    health: d.health,
    latest: latestView(d.latestTime && d.latestTemperature !== null ? { time: d.latestTime, temperature: d.latestTemperature } : null, limits),
    limits,
  };
}

/** Listed devices per group, from the DeviceCount read model: a few rows at any fleet size. */
async function groupSizes(): Promise<{ name: string; devices: number }[]> {
  return db().$queryRaw<{ name: string; devices: number }[]>`
    SELECT "group" AS name, sum(devices)::int AS devices FROM "DeviceCount"
     WHERE status::text = ANY(${LISTED_STATUSES}::text[]) GROUP BY 1 HAVING sum(devices) > 0 ORDER BY 1`;
}

/** The fleet's health at `now`, counted in one pass over the devices' health edges. */
async function countHealth(now: Date): Promise<Record<Health, number>> {
  const [counts] = await db().$queryRaw<Record<Health, number>[]>(healthCountsSql(now, LISTED));
  return counts!;
}

/**
 * Reporting devices (live or late) whose newest reading is outside their limits: the first few, and how many.
 * The read model flags those readings (DeviceLatestReading.outside, judged again by triggers when limits change),
 * so this reads the flagged few through their index, not the fleet, and looks each one's device up by its key (the
 * LATERAL … LIMIT 1 keeps the planner from scanning the devices instead). Live or late is "lateUntil" not yet passed.
 */
async function outsideLimits(now: Date, groupLimits: Record<string, Limits>): Promise<{ rows: FleetDeviceRow[]; total: number }> {
  const rows = await db().$queryRaw<(DeviceRowSql & { total: number })[]>`
    SELECT ${rowColumns(now)}, count(*) OVER ()::int AS total
      FROM "DeviceLatestReading" l
      JOIN LATERAL (SELECT * FROM "Device" d WHERE d.id = l."deviceId" AND ${LISTED} AND d."lateUntil" >= ${now.toISOString()}::timestamp LIMIT 1) d ON true
     WHERE l.outside
     ORDER BY d."group", d.name LIMIT ${OUT_OF_LIMITS_SHOWN}`;
  return { rows: rows.map((r) => toRow(r, groupLimits)), total: rows[0]?.total ?? 0 };
}

/**
 * One page of the device table. The total comes from what is already counted (the groups, the health cards)
 * unless a name fragment narrows it (then counted through the name's trigram index). A page past the end shows
 * the last one. The page's ids are found first, so the rows it skips are not joined or judged.
 */
async function devicePage(
  now: Date,
  table: FleetTableQuery,
  known: { fleet: number; healthCounts: Record<Health, number> },
  groupLimits: Record<string, Limits>,
): Promise<{ rows: FleetDeviceRow[]; page: FleetReadingsView['devicesPage'] }> {
  const where = Prisma.sql`${LISTED}
    ${table.health ? Prisma.sql`AND ${healthSql(now)} = ${table.health}` : Prisma.empty}
    ${table.q ? Prisma.sql`AND d.name ILIKE ${`%${table.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}` : Prisma.empty}`;
  const total = table.q
    ? (await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Device" d WHERE ${where}`)[0]!.n
    : table.health
      ? known.healthCounts[table.health]
      : known.fleet;
  const page = Math.min(table.page, Math.max(1, Math.ceil(total / FLEET_TABLE_PAGE_SIZE)));
  const rows = total
    ? await db().$queryRaw<DeviceRowSql[]>`
        SELECT ${rowColumns(now)}
          FROM (SELECT d.id FROM "Device" d WHERE ${where}
                 ORDER BY d."group", d.name LIMIT ${FLEET_TABLE_PAGE_SIZE} OFFSET ${(page - 1) * FLEET_TABLE_PAGE_SIZE}) AS p
          JOIN "Device" d ON d.id = p.id LEFT JOIN "DeviceLatestReading" l ON l."deviceId" = d.id
         ORDER BY d."group", d.name`
    : [];
  return { rows: rows.map((r) => toRow(r, groupLimits)), page: { page, pageSize: FLEET_TABLE_PAGE_SIZE, total, health: table.health, q: table.q } };
}

/** The devices to draw: the picked ones that are listed, else the chosen group's (or the first group's). */
async function selectDevices(selection: FleetSelection, groupNames: string[]): Promise<{ group: string | null; devices: { id: string; name: string }[] }> {
  if (selection.deviceIds.length) {
    const picked = await db().$queryRaw<{ id: string; name: string }[]>`
      SELECT d.id, d.name FROM "Device" d WHERE d.id = ANY(${selection.deviceIds}::text[]) AND ${LISTED} ORDER BY d."group", d.name`;
    if (picked.length) return { group: null, devices: picked };
  }
  const group = selection.group && groupNames.includes(selection.group) ? selection.group : (groupNames[0] ?? null);
  if (group === null) return { group, devices: [] };
  const devices = await db().$queryRaw<{ id: string; name: string }[]>`
    SELECT d.id, d.name FROM "Device" d WHERE d."group" = ${group} AND ${LISTED} ORDER BY d.name`;
  return { group, devices };
}

/**
 * The fleet view (readings.ts's getFleetReadings for the signed-in user; the benchmark calls it with its own):
 * the health of every listed device, the devices outside their limits now, one page of the device
 * table (`table`), and the chosen devices' lines and their average over `range` (flagged readings:
 * getReadingFlags). With no selection the first group is drawn.
 */
export async function fleetReadingsFor(
  actor: SessionUser | null,
  selection: FleetSelection,
  range: ChartRange,
  now: Date = new Date(),
  opts: BucketOptions & { table?: FleetTableQuery } = {},
): Promise<FleetReadingsView> {
  assertCan(actor, 'readings:view');
  const table = opts.table ?? { page: 1, health: null, q: '' };
  const [groupLimits, groups, healthCounts] = await Promise.all([loadGroupLimits(), groupSizes(), countHealth(now)]);
  const fleet = groups.reduce((n, g) => n + g.devices, 0);
  const [outside, page, selected] = await Promise.all([
    outsideLimits(now, groupLimits),
    devicePage(now, table, { fleet, healthCounts }, groupLimits),
    selectDevices(selection, groups.map((g) => g.name)),
  ]);
  const drawn = selected.devices.slice(0, MAX_SERIES);
  const selectedIds = selected.devices.map((d) => d.id);
  const [perDevice, average] = await Promise.all([
    queryDeviceBuckets(runAnalytic, { deviceIds: drawn.map((d) => d.id), from: range.from, to: range.to, widthSeconds: opts.widthSeconds }),
    queryCombinedBuckets(runAnalytic, { deviceIds: selectedIds, from: range.from, to: range.to, widthSeconds: opts.widthSeconds }),
  ]);

  return {
    range: rangeView(range),
    widthSeconds: average.widthSeconds,
    groups: groups.map((g) => ({ ...g, limits: groupLimits[g.name] ?? null })),
    selection: { group: selected.group, deviceIds: selectedIds, drawn, notDrawn: selectedIds.length - drawn.length },
    series: drawn.map((d) => ({ deviceId: d.id, name: d.name, points: perDevice.buckets.get(d.id) ?? [] })),
    average: average.buckets,
    averageSummary: summarise(average.buckets),
    devices: page.rows,
    devicesPage: page.page,
    healthCounts,
    outOfLimits: outside.rows,
    outOfLimitsTotal: outside.total,
  };
}
