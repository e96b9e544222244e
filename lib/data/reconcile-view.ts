/**
 * The Reconcile page's side of reconcile: the run in progress and the last one, the untracked and missing
 * certificates, and attaching an untracked certificate to a device.
 */
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { CLOUDFLARE_PAGE_SIZE, estimatePacedSeconds } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import { Prisma, type CertificateStatus, type PrismaClient } from '@/lib/generated/prisma/client';
import { boundedCount } from './counting';
import { LAST_RUN_KEY, LOCK_KEY, type ReconcileState, type ReconcileSummary, STALE_LOCK_MS } from './reconcile';

export interface ReconcileOverview {
  state: ReconcileState | null;
  lastRun: ReconcileSummary | null;
  untracked: { id: string; serialNumber: string; commonName: string; status: CertificateStatus; issuedOn: Date; expiresOn: Date; ski: string }[];
  untrackedTotal: number;
  missing: { id: string; serialNumber: string; commonName: string; deviceId: string | null; deviceName: string | null; missingAtCloudflareAt: Date }[];
  missingTotal: number;
  /** Rough time a full pass takes now, from the number of certificates certfleet knows. */
  estimatedSeconds: number;
}

/** What the Reconcile page shows: the run in progress, the last run, untracked and missing certificates. */
export async function getReconcileOverview(actor: SessionUser, prisma: PrismaClient = db()): Promise<ReconcileOverview> {
  assertCan(actor, 'certificate:reconcile');
  const [stateRow, lastRow, untracked, untrackedTotal, missing, missingTotal, known] = await Promise.all([
    prisma.setting.findUnique({ where: { key: LOCK_KEY } }),
    prisma.setting.findUnique({ where: { key: LAST_RUN_KEY } }),
    prisma.certificate.findMany({
      where: { deviceId: null, source: 'RECONCILED' },
      orderBy: { issuedOn: 'desc' },
      take: 100,
      select: { id: true, serialNumber: true, commonName: true, status: true, issuedOn: true, expiresOn: true, ski: true },
    }),
    prisma.certificate.count({ where: { deviceId: null, source: 'RECONCILED' } }),
    prisma.certificate.findMany({
      where: { missingAtCloudflareAt: { not: null } },
      orderBy: { missingAtCloudflareAt: 'desc' },
      take: 100,
      select: { id: true, serialNumber: true, commonName: true, deviceId: true, missingAtCloudflareAt: true, device: { select: { name: true } } },
    }),
    prisma.certificate.count({ where: { missingAtCloudflareAt: { not: null } } }),
    boundedCount(Prisma.sql`FROM "Certificate"`, prisma),
  ]);
  let state = (stateRow?.value ?? null) as ReconcileState | null;
  if (state?.running && stateRow && Date.now() - stateRow.updatedAt.getTime() > STALE_LOCK_MS) state = { ...state, running: false };
  return {
    state,
    lastRun: (lastRow?.value ?? null) as ReconcileSummary | null,
    untracked,
    untrackedTotal,
    missing: missing.map((m) => ({ ...m, deviceName: m.device?.name ?? null, missingAtCloudflareAt: m.missingAtCloudflareAt! })),
    missingTotal,
    estimatedSeconds: Math.ceil(estimatePacedSeconds(Math.ceil(known.total / CLOUDFLARE_PAGE_SIZE) + 1)),
  };
}

/** Why an untracked certificate could not be attached: no such device (NOT_FOUND), or someone attached it first (CONFLICT). */
export class AttachError extends AppError<'NOT_FOUND' | 'CONFLICT'> {
  constructor(
    readonly field: 'deviceName' | 'certificateId',
    message: string,
  ) {
    super(field === 'deviceName' ? 'NOT_FOUND' : 'CONFLICT', message, { fieldErrors: { [field]: [message] } });
    this.name = 'AttachError';
  }
}

/** Gives an untracked certificate (found by reconcile) to a device, by the device's name. */
export async function attachUntrackedCertificate(actor: SessionUser, certificateId: string, deviceName: string, prisma: PrismaClient = db()) {
  assertCan(actor, 'certificate:reconcile');
  const device = await prisma.device.findUnique({ where: { name: deviceName.trim() }, select: { id: true, name: true } });
  if (!device) throw new AttachError('deviceName', `There is no device named "${deviceName.trim()}".`);
  return prisma.$transaction(async (tx) => {
    const attached = await tx.certificate.updateMany({ where: { id: certificateId, deviceId: null }, data: { deviceId: device.id } });
    if (attached.count === 0) throw new AttachError('certificateId', 'That certificate is not untracked any more (someone attached it). Reload the page.');
    const cert = await tx.certificate.findUniqueOrThrow({ where: { id: certificateId }, select: { id: true, serialNumber: true, commonName: true } });
    await recordAudit(tx, {
      actor,
      action: 'certificate.attach',
      targetType: 'certificate',
      targetId: cert.id,
      targetLabel: `${device.name} (${cert.serialNumber})`,
      details: { deviceId: device.id, deviceName: device.name, commonName: cert.commonName },
    });
    return { certificate: cert, device };
  });
}

/** Device names for the attach form's suggestions (the server resolves the typed name anyway). */
export async function listAttachableDeviceNames(actor: SessionUser, prisma: PrismaClient = db()): Promise<string[]> {
  assertCan(actor, 'certificate:reconcile');
  const devices = await prisma.device.findMany({ where: { isCanary: false, status: { not: 'DECOMMISSIONED' } }, select: { name: true }, orderBy: { name: 'asc' }, take: 2000 });
  return devices.map((d) => d.name);
}
