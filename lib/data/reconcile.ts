import 'server-only';
/**
 * Reconcile with Cloudflare: read every client certificate of the zone and compare it with what
 * certfleet holds. Three kinds of drift come out of it:
 * - statuses changed outside certfleet (revoked in the dashboard, by another tool): the row follows
 *   Cloudflare, audited as `certificate.status_sync`;
 * - certificates issued outside certfleet: recorded without a device (source RECONCILED, "untracked")
 *   so an admin can attach them — unless one is the lost answer of a pending issuance intent, which is
 *   then completed for its device (`certificate.issue` with `recovered`);
 * - certificates certfleet knows that Cloudflare does not list: `missingAtCloudflareAt` is set, after
 *   one GET confirms the 404 (a list that changed while being read must not make false alarms).
 *
 * Scale: Cloudflare lists at most 50 per page, so 100,000 certificates are 2,000 requests — more than
 * the 1,200 per 5 minutes the API allows. Every request draws from the token's shared rate budget
 * (lib/cloudflare/budget.ts) at background priority: the run stretches over about 8.7 minutes
 * (estimatePacedSeconds(2000) ≈ 520 s, 1.04 × the limit's minimum of 500 s), never triggers the
 * 5-minute lock-out, and leaves headroom so a person's revoke does not queue behind it. One run at a time: a heartbeat row in Setting is the lock.
 * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/list/
 * @see https://developers.cloudflare.com/fundamentals/api/reference/limits/
 */
import { type AuditActor, recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { certificateStatusFromCloudflare, recordIssuedCertificate } from '@/lib/certificates/record';
import { CLOUDFLARE_PAGE_SIZE, estimatePacedSeconds, isCloudflareError, type ListedCertificate, pacedCloudflare, type PacedCloudflare } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import type { CertificateStatus, Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import { completeIntent, csrPemDigest } from './issuance';

export const RECONCILE_ACTOR: AuditActor = { id: null, email: 'system:reconcile' };
const LOCK_KEY = 'reconcile.state';
const LAST_RUN_KEY = 'reconcile.lastRun';
/** A run whose heartbeat is older than this crashed; another may start. */
const STALE_LOCK_MS = 10 * 60_000;
/** An issuance intent touched this recently belongs to a request still running (as the heal job assumes). */
const IN_FLIGHT_MS = 2 * 60_000;
/** GETs spent per run confirming that certificates are really gone; the rest wait for the next run. */
const MAX_MISSING_CONFIRMATIONS = 200;

export class ReconcileError extends AppError<'RUNNING'> {
  constructor(code: 'RUNNING', message: string) {
    super(code, message);
    this.name = 'ReconcileError';
  }
}

export interface StatusChange {
  certificateId: string;
  label: string;
  from: CertificateStatus;
  to: CertificateStatus;
}

export interface ReconcileSummary {
  runId: string;
  actorEmail: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** False when the run stopped before reading every page (then nothing was marked missing). */
  complete: boolean;
  error?: string;
  pages: number;
  /** Certificates Cloudflare listed. */
  listed: number;
  statusChanged: number;
  /** The first changes, for the page. */
  statusChanges: StatusChange[];
  untracked: number;
  healed: number;
  missing: number;
  reappeared: number;
  /** Requests the run sent, and 429 answers among them (should be 0). */
  requests: number;
  rateLimited: number;
  summary: string;
}

export interface ReconcileState {
  running: boolean;
  runId: string;
  actorEmail: string;
  startedAt: string;
  page: number;
  totalPages: number | null;
  listed: number;
  /** Seconds the remaining pages need at the pacer's rate. */
  estimatedSecondsLeft: number | null;
}

export interface ReconcileOptions {
  cloudflare?: PacedCloudflare;
  perPage?: number;
  now?: () => Date;
}

const natural = (from: CertificateStatus, to: CertificateStatus) =>
  (from === 'PENDING_REVOCATION' && to === 'REVOKED') || (from === 'PENDING_REACTIVATION' && to === 'ACTIVE');

async function claimLock(prisma: PrismaClient, state: ReconcileState): Promise<boolean> {
  const rows = await prisma.$queryRaw<{ key: string }[]>`
    INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (${LOCK_KEY}, ${JSON.stringify(state)}::jsonb, now())
    ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = now()
    WHERE "Setting"."updatedAt" < now() - make_interval(secs => ${STALE_LOCK_MS / 1000})
       OR COALESCE(("Setting"."value"->>'running')::boolean, false) = false
    RETURNING "key"`;
  return rows.length === 1;
}

async function writeState(prisma: PrismaClient, state: ReconcileState): Promise<void> {
  await prisma.setting.update({ where: { key: LOCK_KEY }, data: { value: state as unknown as Prisma.InputJsonObject } });
}

/** Lists one page, sitting out rate-limit pauses (the pacer holds every request until they end). */
async function listPatiently(cloudflare: PacedCloudflare, page: number, perPage: number) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await cloudflare.listPage(page, { perPage });
    } catch (error) {
      if (!(isCloudflareError(error) && error.code === 'RATE_LIMITED' && attempt < 4)) throw error;
    }
  }
}

const labelOf = (c: { serialNumber: string; device: { name: string } | null }) => (c.device ? `${c.device.name} (${c.serialNumber})` : c.serialNumber);

/**
 * Scheduler job and the "Reconcile now" button: one pass over the zone's certificates (see the file
 * comment). A person needs 'certificate:reconcile'; jobs pass RECONCILE_ACTOR.
 * @throws ReconcileError RUNNING when another run holds the lock
 */
export async function reconcileCertificates(
  prisma: PrismaClient,
  actor: SessionUser | AuditActor = RECONCILE_ACTOR,
  opts: ReconcileOptions = {},
): Promise<ReconcileSummary> {
  if ('role' in actor) assertCan(actor as SessionUser, 'certificate:reconcile');
  const now = opts.now ?? (() => new Date());
  const started = now();
  const perPage = opts.perPage ?? CLOUDFLARE_PAGE_SIZE;
  const runId = `${started.getTime().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const state: ReconcileState = {
    running: true,
    runId,
    actorEmail: actor.email,
    startedAt: started.toISOString(),
    page: 0,
    totalPages: null,
    listed: 0,
    estimatedSecondsLeft: null,
  };
  if (!(await claimLock(prisma, state))) {
    throw new ReconcileError('RUNNING', 'A reconcile is running already; its results appear here when it finishes.');
  }

  const cloudflare = opts.cloudflare ?? pacedCloudflare({ priority: 'background' });
  const before = cloudflare.budget.stats;
  const summary: ReconcileSummary = {
    runId,
    actorEmail: actor.email,
    startedAt: started.toISOString(),
    finishedAt: '',
    durationMs: 0,
    complete: false,
    pages: 0,
    listed: 0,
    statusChanged: 0,
    statusChanges: [],
    untracked: 0,
    healed: 0,
    missing: 0,
    reappeared: 0,
    requests: 0,
    rateLimited: 0,
    summary: '',
  };
  const seen = new Set<string>();

  try {
    for (let page = 1; ; page++) {
      const result = await listPatiently(cloudflare, page, perPage);
      summary.pages++;
      if (result.items.length === 0) break;
      for (const item of result.items) seen.add(item.id);
      summary.listed += result.items.length;
      await reconcilePage(prisma, actor, result.items, summary, now);

      state.page = page;
      state.totalPages = result.totalPages ?? null;
      state.listed = summary.listed;
      state.estimatedSecondsLeft = result.totalPages ? Math.ceil(estimatePacedSeconds(result.totalPages - page + 10, cloudflare.budget.policy)) : null;
      await writeState(prisma, state);
      if ((result.totalPages !== undefined && page >= result.totalPages) || result.items.length < perPage) break;
    }
    summary.complete = true;
    await markMissing(prisma, actor, cloudflare, seen, started, summary, now);
  } catch (error) {
    summary.error = error instanceof Error ? error.message : String(error);
  } finally {
    const after = cloudflare.budget.stats;
    summary.requests = after.granted - before.granted;
    summary.rateLimited = after.rateLimited - before.rateLimited;
    const finished = now();
    summary.finishedAt = finished.toISOString();
    summary.durationMs = finished.getTime() - started.getTime();
    summary.summary = describe(summary);
    await prisma.$transaction(async (tx) => {
      await tx.setting.upsert({
        where: { key: LAST_RUN_KEY },
        create: { key: LAST_RUN_KEY, value: summary as unknown as Prisma.InputJsonObject },
        update: { value: summary as unknown as Prisma.InputJsonObject },
      });
      await tx.setting.update({ where: { key: LOCK_KEY }, data: { value: { ...state, running: false } as unknown as Prisma.InputJsonObject } });
      await recordAudit(tx, {
        actor,
        action: 'reconcile.run',
        targetType: 'zone',
        targetId: cloudflare.zoneId,
        targetLabel: `zone ${cloudflare.zoneId}`,
        details: {
          runId,
          complete: summary.complete,
          listed: summary.listed,
          pages: summary.pages,
          statusChanged: summary.statusChanged,
          untracked: summary.untracked,
          healed: summary.healed,
          missing: summary.missing,
          reappeared: summary.reappeared,
          requests: summary.requests,
          rateLimited: summary.rateLimited,
          durationMs: summary.durationMs,
          ...(summary.error ? { error: summary.error } : {}),
        },
      });
    });
  }
  return summary;
}

function describe(s: ReconcileSummary): string {
  const parts = [
    `${s.listed} certificates on ${s.pages} pages`,
    `${s.statusChanged} status changes`,
    `${s.untracked} untracked`,
    `${s.missing} missing at Cloudflare`,
    ...(s.healed ? [`${s.healed} lost issuances recorded`] : []),
    ...(s.reappeared ? [`${s.reappeared} back at Cloudflare`] : []),
    `${s.requests} requests in ${Math.round(s.durationMs / 1000)} s, ${s.rateLimited} rate-limited`,
  ];
  return `${s.complete ? '' : `stopped early (${s.error}); `}${parts.join(', ')}`;
}

async function reconcilePage(
  prisma: PrismaClient,
  actor: AuditActor,
  items: ListedCertificate[],
  summary: ReconcileSummary,
  now: () => Date,
): Promise<void> {
  const known = new Map(
    (
      await prisma.certificate.findMany({
        where: { cloudflareId: { in: items.map((i) => i.id) } },
        select: { id: true, cloudflareId: true, status: true, serialNumber: true, revokedAt: true, missingAtCloudflareAt: true, deviceId: true, device: { select: { name: true } } },
      })
    ).map((c) => [c.cloudflareId, c] as const),
  );
  const unknown = items.filter((i) => !known.has(i.id));
  const digests = new Map<string, string>();
  for (const item of unknown) {
    const digest = await csrPemDigest(item.csrPem);
    if (digest) digests.set(item.id, digest);
  }
  const pending = digests.size
    ? await prisma.issuanceIntent.findMany({ where: { status: 'PENDING', csrSha256: { in: [...new Set(digests.values())] } }, orderBy: { createdAt: 'asc' } })
    : [];

  for (const item of items) {
    const local = known.get(item.id);
    if (local) {
      const to = certificateStatusFromCloudflare(item.status);
      if (local.status !== to || local.missingAtCloudflareAt) {
        await prisma.$transaction(async (tx) => {
          const revoking = to === 'PENDING_REVOCATION' || to === 'REVOKED';
          await tx.certificate.update({
            where: { id: local.id },
            data: {
              status: to,
              missingAtCloudflareAt: null,
              // Revoked outside certfleet: say when it was noticed, and that the reason is unknown.
              ...(revoking && !local.revokedAt ? { revokedAt: now(), revokedByEmail: 'outside certfleet', revocationNote: 'Revoked outside certfleet (found by reconcile)' } : {}),
            },
          });
          if (local.status !== to) {
            await recordAudit(tx, {
              actor,
              action: 'certificate.status_sync',
              targetType: 'certificate',
              targetId: local.id,
              targetLabel: labelOf(local),
              reason: natural(local.status, to) ? 'Cloudflare completed the change' : 'Changed outside certfleet',
              details: { from: local.status, to, cloudflareId: item.id, outsideCertfleet: !natural(local.status, to), source: 'reconcile' },
            });
          }
          if (local.missingAtCloudflareAt) {
            await recordAudit(tx, { actor, action: 'certificate.reappeared', targetType: 'certificate', targetId: local.id, targetLabel: labelOf(local), details: { cloudflareId: item.id } });
          }
        });
        if (local.status !== to) {
          summary.statusChanged++;
          if (summary.statusChanges.length < 100) summary.statusChanges.push({ certificateId: local.id, label: labelOf(local), from: local.status, to });
        }
        if (local.missingAtCloudflareAt) summary.reappeared++;
      }
      continue;
    }

    const digest = digests.get(item.id);
    const intentIndex = digest ? pending.findIndex((p) => p.csrSha256 === digest) : -1;
    if (intentIndex >= 0) {
      // Its request is still running (between Cloudflare's answer and its own write): leave it to it.
      if (pending[intentIndex]!.updatedAt.getTime() > now().getTime() - IN_FLIGHT_MS) continue;
      // A lost answer: the certificate belongs to the request that asked for it.
      const [intent] = pending.splice(intentIndex, 1);
      await prisma.$transaction((tx) => completeIntent(tx, intent!, item, { actor, recovered: true }));
      summary.healed++;
      continue;
    }
    if (!item.certificatePem) continue;
    await prisma.$transaction(async (tx) => {
      const cert = await recordIssuedCertificate(tx, item, { deviceId: null, source: 'RECONCILED' });
      await recordAudit(tx, {
        actor,
        action: 'certificate.untracked',
        targetType: 'certificate',
        targetId: cert.id,
        targetLabel: `${cert.commonName} (${cert.serialNumber})`,
        reason: 'Issued outside certfleet',
        details: { cloudflareId: item.id, serialNumber: cert.serialNumber, commonName: cert.commonName, status: cert.status },
      });
    });
    summary.untracked++;
  }
}

async function markMissing(
  prisma: PrismaClient,
  actor: AuditActor,
  cloudflare: PacedCloudflare,
  seen: ReadonlySet<string>,
  started: Date,
  summary: ReconcileSummary,
  now: () => Date,
): Promise<void> {
  let cursor: string | undefined;
  let confirmations = 0;
  for (;;) {
    const batch = await prisma.certificate.findMany({
      // Rows made after the run started may have been issued after their page was read.
      where: { missingAtCloudflareAt: null, createdAt: { lt: started } },
      select: { id: true, cloudflareId: true, serialNumber: true, device: { select: { name: true } } },
      orderBy: { id: 'asc' },
      take: 1000,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (!batch.length) return;
    cursor = batch[batch.length - 1]!.id;
    for (const cert of batch) {
      if (seen.has(cert.cloudflareId)) continue;
      if (confirmations >= MAX_MISSING_CONFIRMATIONS) return;
      confirmations++;
      try {
        await cloudflare.get(cert.cloudflareId);
        continue; // It exists after all (the list moved while it was read); the next run sees it.
      } catch (error) {
        if (!(isCloudflareError(error) && error.code === 'NOT_FOUND')) throw error;
      }
      await prisma.$transaction(async (tx) => {
        await tx.certificate.update({ where: { id: cert.id }, data: { missingAtCloudflareAt: now() } });
        await recordAudit(tx, {
          actor,
          action: 'certificate.missing_at_cloudflare',
          targetType: 'certificate',
          targetId: cert.id,
          targetLabel: labelOf(cert),
          reason: 'Cloudflare does not list this certificate',
          details: { cloudflareId: cert.cloudflareId },
        });
      });
      summary.missing++;
    }
  }
}

/* ------------------------------------------------------------------ the page */

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
    prisma.certificate.count(),
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
    estimatedSeconds: Math.ceil(estimatePacedSeconds(Math.ceil(known / CLOUDFLARE_PAGE_SIZE) + 1)),
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
