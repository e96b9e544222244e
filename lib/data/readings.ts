import 'server-only';
import { requirePermission } from '@/lib/auth/session';
import { db } from '@/lib/db/client';
import { DEVICE_READINGS_FIELDS } from './device-fields';
import { AppError } from '@/lib/errors';
import type { DeviceStatus } from '@/lib/generated/prisma/client';
import { ANALYTIC_QUERY_SETTINGS, queryCombinedBuckets, queryDeviceBuckets, summarise, type Bucket, type SqlRunner } from '@/lib/readings/buckets';
import { readingsCsvStream, type CsvFilter } from '@/lib/readings/csv';
import { findReadingFlags, type FlagKind } from '@/lib/readings/flags';
import { classifyHealth, HEALTH_STATES, type Health } from '@/lib/readings/health';
import type { ChartRange } from '@/lib/readings/ranges';
import { MAX_SERIES, type FleetSelection } from '@/lib/readings/selection';
import { effectiveLimits, GROUP_LIMITS_SETTING, limitState, parseGroupLimits, type EffectiveLimits, type Limits, type LimitState } from '@/lib/readings/thresholds';

// Reads for the readings pages and their JSON/CSV routes (the few writes, limits and pull now, are in
// readings-changes.ts). Every exported function checks the permission first. The chart data is bucketed in SQL (lib/readings/buckets.ts), so what
// reaches the browser is at most ~1,000 points per series whatever the range.

/** Chart and flag queries: one transaction each, so their settings (JIT off) apply to them alone. */
const run: SqlRunner = async (text, values) => {
  const [, rows] = await db().$transaction([
    db().$executeRawUnsafe(ANALYTIC_QUERY_SETTINGS),
    db().$queryRawUnsafe<Record<string, unknown>[]>(text, ...values),
  ]);
  return rows;
};
/** The CSV pages are index range scans with a LIMIT, far below any JIT threshold: no transaction needed. */
const runPlain: SqlRunner = (text, values) => db().$queryRawUnsafe(text, ...values);

/** Statuses the fleet view lists; a decommissioned device is expected to be silent and would only be noise. */
const LISTED_STATUSES: DeviceStatus[] = ['ACTIVE', 'INACTIVE'];

export interface RangeView {
  preset: ChartRange['preset'];
  from: string;
  to: string;
}

export interface ChartMarker {
  /** ms since the epoch */
  t: number;
  kind: 'issued' | 'rotated' | 'revoked';
  certificateId: string;
  serialNumber: string;
}

export interface FlagView {
  kind: FlagKind;
  fingerprint: string;
  readings: number;
  first: string;
  last: string;
  devices: { id: string; name: string }[];
  /** The device the certificate belongs to now (null: unknown certificate or unassigned). */
  owner: { id: string; name: string } | null;
}

export interface LatestReading {
  time: string;
  temperature: number;
  state: LimitState;
}

export interface DeviceReadingsView {
  device: {
    id: string;
    name: string;
    group: string;
    status: DeviceStatus;
    reportIntervalSec: number;
    lastSeenAt: string | null;
    lastSeenFingerprint: string | null;
    minTemperature: number | null;
    maxTemperature: number | null;
    health: Health;
  };
  limits: EffectiveLimits;
  groupLimits: Limits | null;
  range: RangeView;
  widthSeconds: number;
  points: Bucket[];
  summary: ReturnType<typeof summarise>;
  markers: ChartMarker[];
  latest: LatestReading | null;
}

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
  devices: FleetDeviceRow[];
  healthCounts: Record<Health, number>;
  /** Devices whose latest reading is outside their limits while they still report (live or late). */
  outOfLimits: FleetDeviceRow[];
}

/** A chart's bucket width: the range's own (bucketWidthSeconds) unless a caller (the REST API) picked one it checked. */
export interface BucketOptions {
  widthSeconds?: number;
}

/** Why a readings request or change was refused; `field` is the form or query field the message belongs to. */
export class ReadingsChangeError extends AppError<'NOT_FOUND' | 'NOT_CONFIGURED' | 'PULL_FAILED'> {
  constructor(
    code: ReadingsChangeError['code'],
    message: string,
    readonly field?: string,
  ) {
    super(code, message, { fieldErrors: field ? { [field]: [message] } : undefined });
    this.name = 'ReadingsChangeError';
  }
}

/** Every group's default limits (lib/readings/thresholds.ts explains the rule). */
async function loadGroupLimits(): Promise<Record<string, Limits>> {
  const row = await db().setting.findUnique({ where: { key: GROUP_LIMITS_SETTING } });
  return parseGroupLimits(row?.value);
}

function rangeView(range: ChartRange): RangeView {
  return { preset: range.preset, from: range.from.toISOString(), to: range.to.toISOString() };
}

/** The newest reading per device, one index probe each ((deviceId, time) index). */
async function latestReadings(deviceIds: string[]): Promise<Map<string, { time: Date; temperature: number }>> {
  if (!deviceIds.length) return new Map();
  const rows = await db().$queryRaw<{ id: string; time: Date; temperature: number }[]>`
    SELECT d.id, l."time", l."temperature"
      FROM unnest(${deviceIds}::text[]) AS d(id)
      JOIN LATERAL (SELECT "time", "temperature" FROM "Reading" WHERE "deviceId" = d.id ORDER BY "time" DESC LIMIT 1) l ON true`;
  return new Map(rows.map((r) => [r.id, { time: r.time, temperature: r.temperature }]));
}

/**
 * Readings that should not exist over `range` (lib/readings/flags.ts): the whole fleet's, or those involving one
 * device. Read from rollups kept as readings arrive; the pages still stream it in on its own, after the charts.
 */
export async function getReadingFlags(range: ChartRange, opts: { deviceId?: string } = {}): Promise<FlagView[]> {
  await requirePermission('readings:view');
  const flags = await findReadingFlags(run, { from: range.from, to: range.to, deviceId: opts.deviceId });
  const ids = [...new Set(flags.flatMap((f) => [...f.deviceIds, ...(f.certificateDeviceId ? [f.certificateDeviceId] : [])]))];
  const names = new Map(
    (ids.length ? await db().device.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : []).map((d) => [d.id, d.name]),
  );
  const named = (id: string) => ({ id, name: names.get(id) ?? id });
  return flags.map((f) => ({
    kind: f.kind,
    fingerprint: f.fingerprint,
    readings: f.readings,
    first: f.first.toISOString(),
    last: f.last.toISOString(),
    devices: f.deviceIds.map(named),
    owner: f.certificateDeviceId ? named(f.certificateDeviceId) : null,
  }));
}

/**
 * One device's chart over `range`: buckets (≤ ~1,000), the range's true min/max/avg, its limits, certificate
 * events as markers and its latest reading (flagged readings: getReadingFlags). null when there is no such device.
 */
export async function getDeviceReadings(deviceId: string, range: ChartRange, now: Date = new Date(), opts: BucketOptions = {}): Promise<DeviceReadingsView | null> {
  await requirePermission('readings:view');
  const device = await db().device.findUnique({
    where: { id: deviceId },
    select: { ...DEVICE_READINGS_FIELDS, lastSeenFingerprint: true },
  });
  if (!device) return null;

  const inRange = { gte: range.from, lt: range.to };
  const [groupLimits, buckets, certificates, latest] = await Promise.all([
    loadGroupLimits(),
    queryDeviceBuckets(run, { deviceIds: [device.id], from: range.from, to: range.to, widthSeconds: opts.widthSeconds }),
    db().certificate.findMany({
      where: { deviceId: device.id, OR: [{ issuedOn: inRange }, { supersededAt: inRange }, { revokedAt: inRange }] },
      select: { id: true, serialNumber: true, issuedOn: true, supersededAt: true, revokedAt: true, status: true },
    }),
    latestReadings([device.id]),
  ]);
  const group = groupLimits[device.group] ?? null;
  const limits = effectiveLimits(device, group ?? undefined);
  const points = buckets.buckets.get(device.id) ?? [];

  const markers: ChartMarker[] = [];
  const within = (d: Date | null): d is Date => !!d && d >= range.from && d < range.to;
  for (const c of certificates) {
    const base = { certificateId: c.id, serialNumber: c.serialNumber };
    if (within(c.issuedOn)) markers.push({ ...base, t: c.issuedOn.getTime(), kind: 'issued' });
    if (within(c.supersededAt)) markers.push({ ...base, t: c.supersededAt.getTime(), kind: 'rotated' });
    if (c.status === 'REVOKED' && within(c.revokedAt)) markers.push({ ...base, t: c.revokedAt.getTime(), kind: 'revoked' });
  }
  markers.sort((a, b) => a.t - b.t);

  const last = latest.get(device.id);
  return {
    device: {
      ...device,
      lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
      health: classifyHealth(device.lastSeenAt, device.reportIntervalSec, now),
    },
    limits,
    groupLimits: group,
    range: rangeView(range),
    widthSeconds: buckets.widthSeconds,
    points,
    summary: summarise(points),
    markers,
    latest: last ? { time: last.time.toISOString(), temperature: last.temperature, state: limitState(last.temperature, limits) } : null,
  };
}

/**
 * The fleet view: every listed device with its health and latest reading, the chosen devices' lines and their
 * average over `range`, and devices outside their limits now (flagged readings: getReadingFlags). With no
 * selection the first group is drawn.
 */
export async function getFleetReadings(selection: FleetSelection, range: ChartRange, now: Date = new Date(), opts: BucketOptions = {}): Promise<FleetReadingsView> {
  await requirePermission('readings:view');
  const [groupLimits, rows] = await Promise.all([
    loadGroupLimits(),
    db().device.findMany({
      where: { isCanary: false, status: { in: LISTED_STATUSES } },
      select: DEVICE_READINGS_FIELDS,
      orderBy: [{ group: 'asc' }, { name: 'asc' }],
    }),
  ]);
  const latest = await latestReadings(rows.map((r) => r.id));

  const devices: FleetDeviceRow[] = rows.map((d) => {
    const limits = effectiveLimits(d, groupLimits[d.group]);
    const last = latest.get(d.id);
    return {
      ...d,
      lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
      health: classifyHealth(d.lastSeenAt, d.reportIntervalSec, now),
      latest: last ? { time: last.time.toISOString(), temperature: last.temperature, state: limitState(last.temperature, limits) } : null,
      limits,
    };
  });

  const groupNames = [...new Set(devices.map((d) => d.group))].sort();
  const known = new Set(devices.map((d) => d.id));
  const pickedIds = selection.deviceIds.filter((id) => known.has(id));
  const group = pickedIds.length ? null : selection.group && groupNames.includes(selection.group) ? selection.group : (groupNames[0] ?? null);
  const selected = pickedIds.length ? devices.filter((d) => pickedIds.includes(d.id)) : devices.filter((d) => d.group === group);
  const drawn = selected.slice(0, MAX_SERIES);
  const selectedIds = selected.map((d) => d.id);

  const [perDevice, average] = await Promise.all([
    queryDeviceBuckets(run, { deviceIds: drawn.map((d) => d.id), from: range.from, to: range.to, widthSeconds: opts.widthSeconds }),
    queryCombinedBuckets(run, { deviceIds: selectedIds, from: range.from, to: range.to, widthSeconds: opts.widthSeconds }),
  ]);

  const healthCounts = Object.fromEntries(HEALTH_STATES.map((h) => [h, 0])) as Record<Health, number>;
  for (const d of devices) healthCounts[d.health]++;

  return {
    range: rangeView(range),
    widthSeconds: average.widthSeconds,
    groups: groupNames.map((name) => ({
      name,
      devices: devices.filter((d) => d.group === name).length,
      limits: groupLimits[name] ?? null,
    })),
    selection: {
      group,
      deviceIds: selectedIds,
      drawn: drawn.map((d) => ({ id: d.id, name: d.name })),
      notDrawn: selected.length - drawn.length,
    },
    series: drawn.map((d) => ({ deviceId: d.id, name: d.name, points: perDevice.buckets.get(d.id) ?? [] })),
    average: average.buckets,
    averageSummary: summarise(average.buckets),
    devices,
    healthCounts,
    outOfLimits: devices.filter((d) => (d.health === 'live' || d.health === 'late') && d.latest && d.latest.state !== 'within'),
  };
}

/**
 * Resolves what a CSV export covers (devices, a group, or every reading in the range) and checks it exists; the
 * stream itself reads page by page as the client takes it.
 */
export async function exportReadingsCsv(filter: {
  from: Date;
  to: Date;
  deviceIds?: readonly string[];
  group?: string | null;
}): Promise<{ stream: ReadableStream<Uint8Array>; label: string }> {
  await requirePermission('readings:view');
  const csv: CsvFilter = { from: filter.from, to: filter.to };
  let label = 'fleet';
  if (filter.deviceIds?.length) {
    const devices = await db().device.findMany({ where: { id: { in: [...filter.deviceIds] } }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
    if (devices.length !== new Set(filter.deviceIds).size) throw new ReadingsChangeError('NOT_FOUND', 'There is no such device.', 'device');
    csv.deviceIds = devices.map((d) => d.id);
    label = devices.length === 1 ? devices[0]!.name : `${devices.length}-devices`;
  } else if (filter.group) {
    const devices = await db().device.findMany({ where: { group: filter.group }, select: { id: true } });
    if (!devices.length) throw new ReadingsChangeError('NOT_FOUND', `There is no group "${filter.group}".`, 'group');
    csv.deviceIds = devices.map((d) => d.id);
    label = filter.group;
  }
  return { stream: readingsCsvStream(runPlain, csv), label };
}
