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
import { CLOUDFLARE_PAGE_SIZE, estimatePacedSeconds, isCloudflareError, pacedCloudflare, type PacedCloudflare } from '@/lib/cloudflare';
import { AppError } from '@/lib/errors';
import type { CertificateStatus, Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import { markMissing, reconcilePage } from './reconcile-drift';

export const RECONCILE_ACTOR: AuditActor = { id: null, email: 'system:reconcile' };
/** The Setting rows of the run in progress (its heartbeat is the lock) and of the last run; read by reconcile-view.ts. */
export const LOCK_KEY = 'reconcile.state';
export const LAST_RUN_KEY = 'reconcile.lastRun';
/** A run whose heartbeat is older than this crashed; another may start. */
export const STALE_LOCK_MS = 10 * 60_000;

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
