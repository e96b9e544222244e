import 'server-only';
/**
 * The EST job (docs/est.md): collects the EST requests devices left at the Worker, issues their certificates
 * through certfleet's one issuance path (lib/data/issuance/issue.ts: Cloudflare's shared rate budget, issuance
 * intents) and hands each certificate back to the Worker, which gives it to the device on its next retry.
 *
 * Exactly one certificate per request, whatever crashes or retries happen:
 * - the issuance id is derived from the Worker's request id (`enroll:est-<id>` / `renew:<old cert>:est-<id>`),
 *   and an issuance intent never issues twice for one id (a retry gets the certificate recorded the first time;
 *   a lost Cloudflare answer is looked up before asking again);
 * - the Worker's request id is itself derived from the device's credential and CSR, so a device that sends
 *   the same request again after a 202 adds no request;
 * - the certificate is handed back only after it is recorded, and handing it back is idempotent: a crash
 *   between the two steps just hands it back again on the next run (the Worker still lists it as pending).
 */
import { recordAudit } from '@/lib/audit';
import { evaluateAlertRules } from '@/lib/alerts/evaluate';
import { isAppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { enrollmentRequestId } from '@/lib/data/issuance/after-enroll';
import { renewalRequestId } from '@/lib/data/issuance/after-renew';
import { parseCsrForIssuance } from '@/lib/data/issuance/csr';
import { issueCertificateForDevice } from '@/lib/data/issuance/issue';
import type { IssuanceOptions, SystemActor } from '@/lib/data/issuance/types';
import { DEFAULT_VALIDITY_DAYS } from '@/lib/validation/enrollment-constants';
import type { ParsedCsr } from '@/lib/pki';
import type { EstPolicyValues } from '@/lib/validation/est-policy';
import { checkKey, checkRate, checkWindow, getEstPolicy, type PolicyViolation } from './policy';
import type { EstRequestRow } from '@/worker/src/est-api';
import { EstWorkerApi } from './worker-api';

export const EST_ACTOR: SystemActor = { id: null, email: 'system:est' };

export interface EstSyncOptions {
  /** Base URL of the Worker (WORKER_EXPORT_URL). */
  exportUrl: string;
  /** Its EXPORT_TOKEN (WORKER_EXPORT_TOKEN). */
  exportToken: string;
  /** Passed to the issuance functions (tests: the local Cloudflare's config, a crash seam). */
  issuance?: Pick<IssuanceOptions, 'cloudflare' | 'cloudflareConfig' | 'onStep'>;
  /** Requests handled per run (default 200); the rest wait for the next run. */
  limit?: number;
  /**
   * Requests handled at once (default 8). Each waits mostly on the database, the Worker and Cloudflare; one at a
   * time, a busy machine issues fewer per second than Cloudflare's budget allows (bench/est-renewal.ts).
   */
  concurrency?: number;
  fetch?: typeof fetch;
}

export interface EstSyncSummary {
  tokensPushed: number;
  seen: number;
  issued: number;
  rejected: number;
  /** Requests left for the next run (Cloudflare busy or uncertain, Worker unreachable). */
  deferred: number;
  errors: string[];
  summary: string;
}

class Refusal extends Error {
  constructor(
    message: string,
    /** The group policy rule broken (key, window, rate), absent for other refusals. */
    readonly policyRule?: PolicyViolation['rule'],
    /** The device the request turned out to be for (renewals: the client certificate's). */
    readonly deviceId?: string,
  ) {
    super(message);
  }
}

export async function syncEst(prisma: PrismaClient, opts: EstSyncOptions): Promise<EstSyncSummary> {
  const api = new EstWorkerApi(opts.exportUrl, opts.exportToken, opts.fetch);
  const s: EstSyncSummary = { tokensPushed: 0, seen: 0, issued: 0, rejected: 0, deferred: 0, errors: [], summary: '' };

  s.tokensPushed = await pushPendingTokens(prisma, api);

  // 2. Pending requests, oldest first.
  const limit = opts.limit ?? 200;
  let after = '';
  const pending: EstRequestRow[] = [];
  while (pending.length < limit) {
    const page = await api.pending(after, Math.min(100, limit - pending.length));
    pending.push(...page.requests);
    if (!page.hasMore || !page.nextCursor) break;
    after = page.nextCursor;
  }
  s.seen = pending.length;

  // Oldest first, a few at a time. Requests never share an issuance id (the Worker keeps one pending request per
  // client certificate and token), so handling them side by side changes nothing about "exactly once".
  // One read of each group's policy per run, not one per request.
  const policies = new Map<string, Promise<EstPolicyValues>>();
  const run: RunContext = {
    policyOf: (group) => {
      let p = policies.get(group);
      if (!p) policies.set(group, (p = getEstPolicy(prisma, group)));
      return p;
    },
  };
  let next = 0;
  let spent = false;
  const lanes = Math.max(1, Math.min(opts.concurrency ?? 8, pending.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (!spent && next < pending.length) {
        const req = pending[next++]!;
        try {
          const outcome = await handle(prisma, api, req, opts, run);
          if (outcome === 'issued') s.issued++;
          else s.rejected++;
        } catch (error) {
          s.deferred++;
          s.errors.push(`${req.id}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
          // Cloudflare's budget is spent: the others would only wait for it too.
          if (isAppError(error) && error.code === 'RATE_LIMITED') spent = true;
        }
      }
    }),
  );
  if (spent) s.deferred += pending.length - next;
  // Refusals raise their alert now (the EST_REFUSED rules), not at the next evaluation job; failures here are
  // the evaluation job's to retry.
  if (s.rejected > 0) await raiseRefusalAlerts(prisma);
  s.summary = `EST: ${s.seen} pending, ${s.issued} issued, ${s.rejected} refused, ${s.deferred} deferred${s.tokensPushed ? `, ${s.tokensPushed} tokens pushed` : ''}${s.errors.length ? ` (${s.errors[0]})` : ''}`;
  return s;
}

async function raiseRefusalAlerts(prisma: PrismaClient): Promise<void> {
  try {
    const rules = await prisma.alertRule.findMany({ where: { enabled: true, condition: 'EST_REFUSED' }, select: { id: true } });
    if (rules.length) await evaluateAlertRules(prisma, { ruleIds: rules.map((r) => r.id) });
  } catch {
    // the evaluate-alerts job evaluates them within a minute
  }
}

/**
 * Pushes tokens made or revoked since the last push to the Worker. syncedAt is set only where the row is still
 * what was pushed, so a token revoked while the push was in flight is pushed again next time.
 */
export async function pushPendingTokens(prisma: PrismaClient, api: EstWorkerApi): Promise<number> {
  const tokens = await prisma.enrollmentToken.findMany({ where: { syncedAt: null }, take: 1000, orderBy: { createdAt: 'asc' } });
  if (!tokens.length) return 0;
  const names = new Map(
    (await prisma.device.findMany({ where: { id: { in: tokens.map((t) => t.deviceId) } }, select: { id: true, name: true } })).map((d) => [d.id, d.name]),
  );
  await api.pushTokens(
    tokens.map((t) => ({
      hash: t.tokenHash,
      deviceId: t.deviceId,
      deviceName: names.get(t.deviceId) ?? t.deviceId,
      expiresAtMs: t.expiresAt.getTime(),
      usesLeft: t.uses,
      revoked: t.revokedAt !== null,
    })),
  );
  const now = new Date();
  for (const t of tokens) {
    await prisma.enrollmentToken.updateMany({ where: { id: t.id, revokedAt: t.revokedAt }, data: { syncedAt: now } });
  }
  return tokens.length;
}

/** Right after tokens are made or revoked, so a device can use them at once; the job retries when this fails. */
export async function pushTokensNow(prisma: PrismaClient): Promise<'pushed' | 'later'> {
  const exportUrl = process.env.WORKER_EXPORT_URL;
  const exportToken = process.env.WORKER_EXPORT_TOKEN;
  if (!exportUrl || !exportToken) return 'later';
  try {
    await pushPendingTokens(prisma, new EstWorkerApi(exportUrl, exportToken));
    return 'pushed';
  } catch {
    return 'later';
  }
}

interface RunContext {
  policyOf(group: string): Promise<EstPolicyValues>;
}

async function handle(prisma: PrismaClient, api: EstWorkerApi, req: EstRequestRow, opts: EstSyncOptions, run: RunContext): Promise<'issued' | 'rejected'> {
  const kind = req.kind === 'enroll' ? 'ENROLL' : 'REENROLL';
  let row = await prisma.estRequest.upsert({
    where: { id: req.id },
    create: {
      id: req.id,
      kind,
      deviceId: req.deviceId,
      clientFingerprint: req.clientFingerprint,
      csrSha256: req.csrSha256,
      tokenHash: req.tokenHash,
      requestedAt: new Date(req.createdAt),
    },
    update: {},
  });

  // Answered before (the Worker lost or never got the answer): answer the same again.
  if (row.status === 'REJECTED') return answerRejected(prisma, api, req.id, row.error ?? 'refused');
  if (row.status === 'ISSUED' && row.certificateId) {
    const cert = await prisma.certificate.findUniqueOrThrow({ where: { id: row.certificateId }, select: { pem: true } });
    await deliver(prisma, api, req.id, cert.pem);
    return 'issued';
  }

  let plan: Plan;
  try {
    plan = await policy(prisma, req, run);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    await prisma.$transaction(async (tx) => {
      row = await tx.estRequest.update({
        where: { id: req.id },
        data: { status: 'REJECTED', error: error.message, rejectedAt: new Date(), policyRule: error.policyRule ?? null, ...(error.deviceId ? { deviceId: error.deviceId } : {}) },
      });
      await recordAudit(tx, {
        actor: EST_ACTOR,
        action: 'est.reject',
        targetType: 'device',
        targetId: error.deviceId ?? req.deviceId,
        targetLabel: error.deviceId && error.deviceId !== req.deviceId ? ((await tx.device.findUnique({ where: { id: error.deviceId }, select: { name: true } }))?.name ?? null) : req.deviceName,
        reason: error.message,
        details: { estRequestId: req.id, kind: req.kind, clientFingerprint: req.clientFingerprint, ...(error.policyRule ? { policyRule: error.policyRule } : {}) },
      });
    });
    return answerRejected(prisma, api, req.id, error.message);
  }

  // An earlier attempt was cut between asking Cloudflare and noting its answer (a killed worker), or is in flight
  // in another process: only a search of the zone by CSR can tell whether it was signed. That search is the heal
  // job's (healPendingIssuances, background priority, once a minute) and reconcile's; here it would run again on
  // every run, up to 9 Cloudflare calls each time, and in a renewal wave it cannot conclude (every certificate of
  // the last minutes is a candidate), so one cut request would spend the whole budget (bench/est-renewal.ts).
  const earlier = plan.accepted;
  if (earlier?.status === 'PENDING' && !earlier.cloudflareId) {
    throw new Error('an earlier attempt was interrupted before Cloudflare answered; the heal job settles it, then it is handed back');
  }

  let certificate: { id: string; pem: string; serialNumber: string; fingerprintSha256: string };
  try {
    const result = await issueCertificateForDevice(
      { deviceId: plan.deviceId, csr: plan.csr, validityDays: plan.validityDays, source: plan.replaces ? 'RENEWAL' : 'ENROLLED', actor: EST_ACTOR, requestId: plan.requestId },
      // A queued batch, not a person waiting: a renewal wave keeps a quarter of the budget for people.
      { prisma, priority: 'bulk', ...opts.issuance },
    );
    certificate = result.certificate;
  } catch (error) {
    // Definite refusals of this CSR or device: tell the device. Anything else (rate limit, uncertain, Cloudflare
    // down) leaves the request pending for the next run, under the same issuance id.
    if (isAppError(error) && ['BAD_CSR', 'BAD_INPUT', 'DEVICE_NOT_FOUND', 'QUOTA_EXCEEDED'].includes(error.code)) {
      await prisma.estRequest.update({ where: { id: req.id }, data: { status: 'REJECTED', error: error.message, rejectedAt: new Date() } });
      return answerRejected(prisma, api, req.id, error.message);
    }
    throw error;
  }

  await prisma.$transaction(async (tx) => {
    const updated = await tx.estRequest.updateMany({
      where: { id: req.id, status: 'PENDING' },
      data: { status: 'ISSUED', certificateId: certificate.id, deviceId: plan.deviceId, error: null },
    });
    if (updated.count === 0) return; // another run recorded it first
    await recordAudit(tx, {
      actor: EST_ACTOR,
      action: 'est.issue',
      targetType: 'certificate',
      targetId: certificate.id,
      targetLabel: plan.deviceName,
      reason: `issued by EST for device ${plan.deviceName}`,
      details: {
        estRequestId: req.id,
        kind: req.kind,
        deviceId: plan.deviceId,
        requestId: plan.requestId,
        serialNumber: certificate.serialNumber,
        fingerprintSha256: certificate.fingerprintSha256,
        ...(plan.replaces ? { replaces: plan.replaces } : {}),
      },
    });
  });
  await deliver(prisma, api, req.id, certificate.pem);
  return 'issued';
}

/**
 * The policy: who may have a certificate for this request, under which issuance id, and whether the request is
 * within its group's EST policy (lib/est/policy.ts: key, renewal window, rate per device; validity from it).
 * A request accepted before (a crash after issuing: its intent exists) is not checked again, whatever the
 * certificate's state or the policy now. @throws Refusal
 */
interface Plan {
  deviceId: string;
  requestId: string;
  validityDays: number;
  deviceName: string;
  /** The request's CSR, parsed once for the policy and passed on to issuance. */
  csr: ParsedCsr;
  replaces?: string;
  /** The issuance intent of an earlier attempt of this request, if any. */
  accepted: { status: string; cloudflareId: string | null; validityDays: number } | null;
}

async function policy(prisma: PrismaClient, req: EstRequestRow, run: RunContext): Promise<Plan> {
  const csr = await parseCsrForIssuance(req.csrPem).catch((error: unknown) => {
    throw new Refusal(error instanceof Error ? error.message : 'the CSR was refused');
  });
  const within = async (device: { id: string; group: string }, renewing?: { issuedOn: Date; expiresOn: Date }) => {
    const rules = await run.policyOf(device.group);
    const at = new Date(req.createdAt);
    const broken =
      checkKey(rules, csr, device.group) ??
      (renewing ? checkWindow(rules, renewing, at, device.group) : null) ??
      (await checkRate(prisma, rules, device.id, req.id, at, device.group));
    if (broken) throw new Refusal(broken.reason, broken.rule, device.id);
    return rules;
  };
  if (req.kind === 'enroll') {
    const token = req.tokenHash ? await prisma.enrollmentToken.findUnique({ where: { tokenHash: req.tokenHash } }) : null;
    if (!token || token.deviceId !== req.deviceId) throw new Refusal('the enrollment token is not known to certfleet');
    if (token.revokedAt) throw new Refusal('the enrollment token was revoked');
    const device = await prisma.device.findUnique({ where: { id: token.deviceId }, select: { id: true, name: true, status: true, group: true } });
    if (!device) throw new Refusal('the device of this enrollment token no longer exists');
    if (device.status === 'DECOMMISSIONED') throw new Refusal(`device ${device.name} is decommissioned`, undefined, device.id);
    const requestId = enrollmentRequestId(`est-${req.id}`);
    const accepted = await prisma.issuanceIntent.findUnique({ where: { id: requestId }, select: { status: true, cloudflareId: true, validityDays: true } });
    const validityDays = accepted?.validityDays ?? (await within(device)).validityDays ?? DEFAULT_VALIDITY_DAYS;
    return { deviceId: device.id, deviceName: device.name, requestId, validityDays, accepted, csr };
  }
  const current = await prisma.certificate.findUnique({
    where: { fingerprintSha256: req.clientFingerprint },
    select: {
      id: true,
      deviceId: true,
      status: true,
      supersededById: true,
      validityDays: true,
      issuedOn: true,
      expiresOn: true,
      device: { select: { id: true, name: true, status: true, group: true } },
    },
  });
  if (!current?.deviceId || !current.device) throw new Refusal('the client certificate does not belong to a device certfleet knows');
  const requestId = renewalRequestId(current.id, `est-${req.id}`);
  // Accepted before (a crash after issuing): the intent finishes it, whatever the certificate's state now.
  const accepted = await prisma.issuanceIntent.findUnique({ where: { id: requestId }, select: { status: true, cloudflareId: true, validityDays: true } });
  let validityDays = accepted?.validityDays ?? current.validityDays;
  if (!accepted) {
    if (current.status !== 'ACTIVE') throw new Refusal(`the client certificate is ${current.status.toLowerCase().replace('_', ' ')}`, undefined, current.deviceId);
    if (current.supersededById) throw new Refusal('the client certificate has already been renewed: use the newer certificate', undefined, current.deviceId);
    if (current.device.status === 'DECOMMISSIONED') throw new Refusal(`device ${current.device.name} is decommissioned`, undefined, current.deviceId);
    validityDays = (await within(current.device, current)).validityDays ?? current.validityDays;
  }
  return { deviceId: current.deviceId, deviceName: current.device.name, requestId, validityDays, replaces: current.id, accepted, csr };
}

async function deliver(prisma: PrismaClient, api: EstWorkerApi, id: string, pem: string): Promise<void> {
  await api.answer(id, { certificatePem: pem });
  await prisma.estRequest.update({ where: { id }, data: { answeredAt: new Date() } });
}

async function answerRejected(prisma: PrismaClient, api: EstWorkerApi, id: string, reason: string): Promise<'rejected'> {
  await api.answer(id, { error: reason });
  await prisma.estRequest.update({ where: { id }, data: { answeredAt: new Date() } });
  return 'rejected';
}
