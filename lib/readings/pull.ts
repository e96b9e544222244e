// Pulls new readings from the readings Worker's export API into PostgreSQL.
//
// Why it never duplicates or drops a reading, however often it runs or wherever it is cut off:
// - The Worker numbers each certificate's readings with `seq`, an AUTOINCREMENT that only grows
//   (worker/src/device-readings.ts). We keep, per certificate, the highest seq stored (PullCursor) and ask for
//   `after=<cursor>`, so nothing before the cursor is asked for again and nothing after it is skipped.
// - Each batch is ONE transaction: the INSERT of its readings and the cursor's advance commit together or not at
//   all. A crash or an abort between batches leaves the cursor exactly at the last stored reading.
// - The INSERT is `ON CONFLICT (certificateFingerprint, workerSeq) DO NOTHING` and the cursor only moves forward
//   (GREATEST), so two pulls that overlap (the scheduler and a "Pull now" click) store each reading once.

import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';

/** The Worker serves at most this many readings per request (worker/src/export-api.ts MAX_READINGS_PAGE). */
export const MAX_BATCH_SIZE = 5000;
export const DEFAULT_BATCH_SIZE = 1000;
const CERTIFICATES_PAGE = 1000;
const DEFAULT_CONCURRENCY = 4;

export interface PullReadingsOptions {
  /** Base URL of the Worker (WORKER_EXPORT_URL); `/export/…` is appended. */
  exportUrl: string;
  /** The Worker's EXPORT_TOKEN (WORKER_EXPORT_TOKEN). */
  exportToken: string;
  /** Readings per request and per transaction, 1–5000 (default 1000). */
  batchSize?: number;
  /** Stops after the batch in flight; what was committed stays committed. */
  signal?: AbortSignal;
  /** Certificates pulled side by side (default 4). */
  concurrency?: number;
  /** The fetch to use (tests wrap the real one to fail part-way). */
  fetch?: typeof fetch;
}

export interface PullSummary {
  /** Certificates that had readings past their cursor. */
  certificates: number;
  /** Readings stored by this pull. */
  readings: number;
  /** Readings the Worker sent that were already stored (an overlapping pull got there first). */
  duplicates: number;
  batches: number;
  ms: number;
}

/** A pull that stopped part-way (network, Worker error, abort). `summary` says what it stored before that. */
export class PullError extends AppError<'PULL_FAILED'> {
  constructor(
    message: string,
    readonly summary: PullSummary,
    options?: { cause?: unknown },
  ) {
    super('PULL_FAILED', message, { details: { summary }, cause: options?.cause });
    this.name = 'PullError';
  }
}

interface CertificateEntry {
  fingerprint: string;
  lastSeq: number;
}

interface ExportedReading {
  seq: number;
  temperature: number;
  time: string;
  receivedAt: string;
}

interface KnownCertificate {
  deviceId: string | null;
  /** When the certificate's revocation took effect (null: not revoked); readings received later are not trusted. */
  revokedAt: Date | null;
}

/**
 * Pulls every reading the Worker holds past each certificate's cursor, in batches of `batchSize`, each batch in
 * its own transaction with its cursor's advance. Readings are linked to the certificate's fingerprint and to the
 * device that certificate belongs to (Certificate.deviceId; null when certfleet does not know the certificate),
 * and move Device.lastSeenAt / lastSeenFingerprint forward, except readings a certificate posted after it was
 * revoked: a stolen certificate must not make its device look alive.
 *
 * A scheduled job (every ~15 s) and the "Pull now" button call this. Throws `PullError` (with the partial
 * summary) when the Worker cannot be reached or answers with an error, or when `signal` aborts.
 */
export async function pullReadings(prisma: PrismaClient, opts: PullReadingsOptions): Promise<PullSummary> {
  const started = performance.now();
  const batchSize = Math.min(MAX_BATCH_SIZE, Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE)));
  const summary: PullSummary = { certificates: 0, readings: 0, duplicates: 0, batches: 0, ms: 0 };
  const api = exportApi(opts);
  // One failing certificate stops its siblings too: the caller learns of the failure now, and the next pull
  // resumes every certificate from its own cursor anyway.
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  try {
    let after = '';
    for (;;) {
      const page = await api.certificates(after, stop.signal);
      const cursors = await loadCursors(prisma, page.certificates.map((c) => c.fingerprint));
      const pending = page.certificates.filter((c) => c.lastSeq > (cursors.get(c.fingerprint) ?? 0));
      await inParallel(pending, opts.concurrency ?? DEFAULT_CONCURRENCY, stop, async (entry) => {
        const stored = await pullCertificate(prisma, api, entry, cursors.get(entry.fingerprint) ?? 0, batchSize, stop.signal, summary);
        if (stored) summary.certificates++;
      });
      if (!page.hasMore || !page.nextCursor) break;
      after = page.nextCursor;
    }
  } catch (error) {
    stop.abort();
    summary.ms = Math.round(performance.now() - started);
    const reason = opts.signal?.aborted ? 'the pull was stopped' : error instanceof Error ? error.message : String(error);
    throw new PullError(`Pulling readings stopped: ${reason}. ${summary.readings} new readings were stored; the next pull resumes from there.`, { ...summary }, { cause: error });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  summary.ms = Math.round(performance.now() - started);
  return summary;
}

/** Pulls one certificate from `cursor` to the Worker's end, batch by batch. @returns whether anything was fetched. */
async function pullCertificate(
  prisma: PrismaClient,
  api: ExportApi,
  entry: CertificateEntry,
  cursor: number,
  batchSize: number,
  signal: AbortSignal,
  summary: PullSummary,
): Promise<boolean> {
  const certificate = await prisma.certificate.findUnique({
    where: { fingerprintSha256: entry.fingerprint },
    select: { deviceId: true, revocationEffectiveAt: true, status: true },
  });
  // Readings received while a revocation was pending were accepted by the edge: they count as the device's.
  const known: KnownCertificate | null = certificate
    ? { deviceId: certificate.deviceId, revokedAt: certificate.status === 'REVOKED' ? certificate.revocationEffectiveAt : null }
    : null;
  let after = cursor;
  let fetched = false;
  for (;;) {
    signal.throwIfAborted();
    const page = await api.readings(entry.fingerprint, after, batchSize, signal);
    if (page.readings.length === 0) break;
    fetched = true;
    const { inserted } = await storeBatch(prisma, entry.fingerprint, known, page.readings);
    summary.batches++;
    summary.readings += inserted;
    summary.duplicates += page.readings.length - inserted;
    after = page.readings.at(-1)!.seq;
    if (!page.hasMore) break;
  }
  return fetched;
}

/** One batch: its readings, its cursor and its device's last-seen, in one transaction. */
async function storeBatch(
  prisma: PrismaClient,
  fingerprint: string,
  known: KnownCertificate | null,
  readings: ExportedReading[],
): Promise<{ inserted: number }> {
  const deviceId = known?.deviceId ?? null;
  const times = readings.map((r) => r.time);
  const temperatures = readings.map((r) => r.temperature);
  const seqs = readings.map((r) => String(r.seq));
  const received = readings.map((r) => r.receivedAt);
  const lastSeq = String(readings.at(-1)!.seq);
  // The Worker's clock, not the device's: a device cannot claim to be alive in the future.
  const lastReceived = new Date(Math.max(...readings.map((r) => Date.parse(r.receivedAt))));
  const revokedAt = known?.revokedAt?.getTime();
  const trusted = readings.filter((r) => revokedAt === undefined || Date.parse(r.receivedAt) < revokedAt);
  const lastTrusted = trusted.length ? new Date(Math.max(...trusted.map((r) => Date.parse(r.receivedAt)))) : null;

  return prisma.$transaction(async (tx) => {
    const [{ inserted }] = await tx.$queryRaw<{ inserted: number }[]>`
      WITH ins AS (
        INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature", "workerSeq", "receivedAt")
        SELECT ${deviceId}, ${fingerprint}, r.at, r.temperature, r.seq, r.received
          FROM unnest(${times}::timestamptz[], ${temperatures}::float8[], ${seqs}::bigint[], ${received}::timestamptz[])
               AS r(at, temperature, seq, received)
        ON CONFLICT ("certificateFingerprint", "workerSeq") DO NOTHING
        RETURNING 1)
      SELECT count(*)::int AS inserted FROM ins`;
    await tx.$executeRaw`
      INSERT INTO "PullCursor" ("fingerprint", "cursor", "lastSeenAt", "updatedAt")
      VALUES (${fingerprint}, ${lastSeq}::bigint, ${lastReceived}, now())
      ON CONFLICT ("fingerprint") DO UPDATE
        SET "cursor" = GREATEST("PullCursor"."cursor", EXCLUDED."cursor"),
            "lastSeenAt" = GREATEST("PullCursor"."lastSeenAt", EXCLUDED."lastSeenAt"),
            "updatedAt" = now()`;
    if (deviceId && lastTrusted) {
      await tx.$executeRaw`
        UPDATE "Device" SET "lastSeenAt" = ${lastTrusted}, "lastSeenFingerprint" = ${fingerprint}, "updatedAt" = now()
         WHERE "id" = ${deviceId} AND ("lastSeenAt" IS NULL OR "lastSeenAt" < ${lastTrusted})`;
    }
    return { inserted };
  });
}

async function loadCursors(prisma: PrismaClient, fingerprints: string[]): Promise<Map<string, number>> {
  if (!fingerprints.length) return new Map();
  const rows = await prisma.pullCursor.findMany({ where: { fingerprint: { in: fingerprints } }, select: { fingerprint: true, cursor: true } });
  return new Map(rows.map((r) => [r.fingerprint, Number(r.cursor)]));
}

/** Runs `work` over `items`, `limit` at a time; the first failure aborts `stop` and is rethrown. */
async function inParallel<T>(items: T[], limit: number, stop: AbortController, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < items.length && !failure && !stop.signal.aborted) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
        stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
  stop.signal.throwIfAborted();
}

type ExportApi = ReturnType<typeof exportApi>;

/** The two export endpoints the pull needs. @see worker/src/export-api.ts */
function exportApi(opts: PullReadingsOptions) {
  const doFetch = opts.fetch ?? fetch;
  // Accept the Worker's origin with or without a trailing slash or /export.
  const base = opts.exportUrl.replace(/\/+$/, '').replace(/\/export$/, '');
  const get = async <T>(path: string, signal: AbortSignal): Promise<T> => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { headers: { authorization: `Bearer ${opts.exportToken}` }, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new Error(`the Worker at ${base} did not answer (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      const detail = /"error"\s*:\s*"([^"]*)"/.exec(body)?.[1] ?? body.slice(0, 200);
      if (response.status === 401) throw new Error('the Worker refused the export token (check WORKER_EXPORT_TOKEN)');
      throw new Error(`the Worker answered ${response.status} to ${path.split('?')[0]}${detail ? `: ${detail}` : ''}`);
    }
    return (await response.json()) as T;
  };
  return {
    certificates: (after: string, signal: AbortSignal) =>
      get<{ certificates: CertificateEntry[]; nextCursor: string | null; hasMore: boolean }>(
        `/export/certificates?limit=${CERTIFICATES_PAGE}${after ? `&after=${after}` : ''}`,
        signal,
      ),
    readings: (fingerprint: string, after: number, limit: number, signal: AbortSignal) =>
      get<{ readings: ExportedReading[]; nextCursor: number; hasMore: boolean }>(
        `/export/readings?fingerprint=${fingerprint}&after=${after}&limit=${limit}`,
        signal,
      ),
  };
}
