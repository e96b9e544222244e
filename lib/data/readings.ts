import 'server-only';
import { requirePermission } from '@/lib/auth/session';
import { db } from '@/lib/db/client';
import { DEVICE_READINGS_FIELDS } from './device-fields';
import { AppError } from '@/lib/errors';
import type { DeviceStatus } from '@/lib/generated/prisma/client';
import { queryDeviceBuckets, summarise, type Bucket, type SqlRunner } from '@/lib/readings/buckets';
import { readingsCsvStream, type CsvFilter } from '@/lib/readings/csv';
import { findReadingFlags, type FlagKind } from '@/lib/readings/flags';
import { classifyHealth, type Health } from '@/lib/readings/health';
import type { ChartRange } from '@/lib/readings/ranges';
import { effectiveLimits, type EffectiveLimits, type Limits } from '@/lib/readings/thresholds';
import { latestView, loadGroupLimits, rangeView, runAnalytic as run, type BucketOptions, type LatestReading, type RangeView } from './readings-common';

import { fleetReadingsFor, type FleetReadingsView } from './readings-fleet';
import type { FleetSelection, FleetTableQuery } from '@/lib/readings/selection';

export type { BucketOptions, LatestReading, RangeView } from './readings-common';
export type { FleetDeviceRow, FleetReadingsView } from './readings-fleet';

// Reads for the readings pages and their JSON/CSV routes (the few writes, limits and pull now, are in
// readings-changes.ts). Every exported function checks the permission first. The chart data is bucketed in SQL (lib/readings/buckets.ts), so what
// reaches the browser is at most ~1,000 points per series whatever the range.

/** The CSV pages are index range scans with a LIMIT, far below any JIT threshold: no transaction needed. */
const runPlain: SqlRunner = (text, values) => db().$queryRawUnsafe(text, ...values);

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
    db().deviceLatestReading.findUnique({ where: { deviceId: device.id }, select: { time: true, temperature: true } }),
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
    latest: latestView(latest, limits),
  };
}

/** The fleet view for the signed-in user (readings-fleet.ts): health, outside limits, a page of devices, the drawn lines. */
export async function getFleetReadings(
  selection: FleetSelection,
  range: ChartRange,
  now: Date = new Date(),
  opts: BucketOptions & { table?: FleetTableQuery } = {},
): Promise<FleetReadingsView> {
  return fleetReadingsFor(await requirePermission('readings:view'), selection, range, now, opts);
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
