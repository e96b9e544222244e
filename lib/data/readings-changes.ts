import 'server-only';
import { recordAudit } from '@/lib/audit';
import { requirePermission } from '@/lib/auth/session';
import { ReadingsChangeError } from './readings';
import { db } from '@/lib/db/client';
import type { Prisma } from '@/lib/generated/prisma/client';
import { workerExportConfig } from '@/lib/readings/config';
import type { DeviceLimitsInput, GroupLimitsInput } from '@/lib/readings/limits-schema';
import { pullReadings, type PullSummary } from '@/lib/readings/pull';
import { GROUP_LIMITS_SETTING, parseGroupLimits, type Limits } from '@/lib/readings/thresholds';

// The readings' few writes: a device's and a group's limits, and "Pull now". Each checks its permission first
// and is audited. The reads are in readings.ts.

/**
 * Sets a device's own limits (null: use the group default) and its expected reporting interval. ADMIN only
 * ('thresholds:edit'); audited with before and after.
 */
export async function updateDeviceLimits(input: DeviceLimitsInput) {
  const actor = await requirePermission('thresholds:edit');
  return db().$transaction(async (tx) => {
    const before = await tx.device.findUnique({
      where: { id: input.deviceId },
      select: { id: true, name: true, minTemperature: true, maxTemperature: true, reportIntervalSec: true },
    });
    if (!before) throw new ReadingsChangeError('NOT_FOUND', 'There is no such device.', 'deviceId');
    const after = await tx.device.update({
      where: { id: before.id },
      data: { minTemperature: input.minTemperature, maxTemperature: input.maxTemperature, reportIntervalSec: input.reportIntervalSec },
      select: { id: true, name: true, minTemperature: true, maxTemperature: true, reportIntervalSec: true },
    });
    const pick = (d: typeof before) => ({ minTemperature: d.minTemperature, maxTemperature: d.maxTemperature, reportIntervalSec: d.reportIntervalSec });
    await recordAudit(tx, {
      actor,
      action: 'device.limits.update',
      targetType: 'device',
      targetId: after.id,
      targetLabel: after.name,
      details: { from: pick(before), to: pick(after) },
    });
    return after;
  });
}

/** Sets a group's default limits (both null: no default). ADMIN only ('thresholds:edit'); audited. */
export async function updateGroupLimits(input: GroupLimitsInput): Promise<Limits | null> {
  const actor = await requirePermission('thresholds:edit');
  return db().$transaction(async (tx) => {
    if (!(await tx.device.count({ where: { group: input.group } }))) {
      throw new ReadingsChangeError('NOT_FOUND', `There is no group "${input.group}".`, 'group');
    }
    // Locks the row (once it exists) so two admins editing two groups at once do not undo each other.
    await tx.$executeRaw`INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (${GROUP_LIMITS_SETTING}, '{}'::jsonb, now()) ON CONFLICT ("key") DO NOTHING`;
    const [row] = await tx.$queryRaw<{ value: unknown }[]>`SELECT "value" FROM "Setting" WHERE "key" = ${GROUP_LIMITS_SETTING} FOR UPDATE`;
    const all = parseGroupLimits(row?.value);
    const before = all[input.group] ?? null;
    const after: Limits | null = input.minTemperature === null && input.maxTemperature === null ? null : { min: input.minTemperature, max: input.maxTemperature };
    if (after) all[input.group] = after;
    else delete all[input.group];
    await tx.setting.update({ where: { key: GROUP_LIMITS_SETTING }, data: { value: all as unknown as Prisma.InputJsonObject } });
    await recordAudit(tx, {
      actor,
      action: 'group.limits.update',
      targetType: 'group',
      targetId: input.group,
      targetLabel: input.group,
      details: { from: before ? { ...before } : null, to: after ? { ...after } : null },
    });
    return after;
  });
}

/**
 * "Pull now": pulls new readings from the Worker at once (the scheduler does the same every ~15 s). Any role
 * with 'readings:pull'. The pull writes many transactions of its own; the audit event records who asked and
 * what it stored.
 */
export async function pullReadingsNow(): Promise<PullSummary> {
  const actor = await requirePermission('readings:pull');
  const config = workerExportConfig();
  if (!config) {
    throw new ReadingsChangeError('NOT_CONFIGURED', 'No readings Worker is configured: set WORKER_EXPORT_URL and WORKER_EXPORT_TOKEN.');
  }
  let summary: PullSummary;
  try {
    summary = await pullReadings(db(), { ...config, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new ReadingsChangeError('PULL_FAILED', error instanceof Error ? error.message : String(error));
  }
  await db().$transaction((tx) =>
    recordAudit(tx, {
      actor,
      action: 'readings.pull',
      targetType: 'readings',
      targetLabel: 'Worker export API',
      details: { certificates: summary.certificates, readings: summary.readings, ms: summary.ms },
    }),
  );
  return summary;
}
