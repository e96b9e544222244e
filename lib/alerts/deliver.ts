import type { Transporter } from 'nodemailer';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import type { DeliveryEvent } from '@/lib/generated/prisma/enums';
import { alertMessage, type AlertForMessage, digestMessage, type Message } from './message';
import { sendToChannel, type SendOutcome } from './send';

/*
 * Delivery: sends the messages evaluation queued (AlertDelivery rows), with retries and a log.
 *
 *   claim   one transaction marks a batch SENDING with a lease (`leaseUntil`) and writes an attempt row;
 *           FOR UPDATE SKIP LOCKED lets workers claim side by side, each row by one of them;
 *   send    outside any transaction (a slow SMTP server holds no lock);
 *   record  one transaction writes the outcome, guarded by the attempt number, so a worker whose lease
 *           ran out cannot overwrite a newer attempt.
 *
 * Retries: a failure or timeout waits `retryDelaysMs[n]` (30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h),
 * then the delivery is FAILED. A worker that dies mid-send leaves its row SENDING; once the lease runs
 * out another worker claims it again, logs the cut attempt as "interrupted" and sends it again with the
 * same id (webhook-id, Message-ID), which receivers use to drop a copy that did arrive: the only case
 * where a message can reach a channel twice, and then recognisably so (docs/alerts.md).
 */

export const DEFAULT_RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000];

export interface DeliverOptions {
  workerId: string;
  /** Rows claimed per batch (default 100) and sent side by side (default 8). */
  batchSize?: number;
  concurrency?: number;
  /** How long a claim holds (default 2 min; longer than any send's timeout). */
  leaseMs?: number;
  retryDelaysMs?: readonly number[];
  /** Per send (default: webhooks 10 s, SMTP 20 s). */
  timeoutMs?: number;
  /** Stop after this many batches (default: until nothing is due). */
  maxBatches?: number;
}

export interface DeliverySummary {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
  /** Claims of rows whose previous worker died mid-send. */
  interrupted: number;
  summary: string;
}

const NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;

interface Claimed {
  id: string;
  attempts: number;
  was: string;
  attemptId: bigint;
}

export async function deliverDueAlerts(prisma: PrismaClient, opts: DeliverOptions): Promise<DeliverySummary> {
  const out: DeliverySummary = { claimed: 0, sent: 0, retrying: 0, failed: 0, interrupted: 0, summary: '' };
  const transports = new Map<string, Transporter>();
  try {
    for (let batch = 0; batch < (opts.maxBatches ?? Number.POSITIVE_INFINITY); batch++) {
      const claimed = await claim(prisma, opts);
      if (claimed.length === 0) break;
      out.claimed += claimed.length;
      out.interrupted += claimed.filter((c) => c.was === 'SENDING').length;
      await mapLimited(claimed, opts.concurrency ?? 8, async (c) => {
        const status = await deliverOne(prisma, c, opts, transports);
        if (status === 'SENT') out.sent++;
        else if (status === 'FAILED') out.failed++;
        else out.retrying++;
      });
    }
  } finally {
    for (const t of transports.values()) t.close();
  }
  out.summary = `${out.sent} sent, ${out.retrying} to retry, ${out.failed} failed${out.interrupted ? `, ${out.interrupted} resumed after a worker stopped` : ''}`;
  return out;
}

async function claim(prisma: PrismaClient, opts: DeliverOptions): Promise<Claimed[]> {
  const leaseSeconds = (opts.leaseMs ?? 120_000) / 1000;
  return prisma.$queryRaw<Claimed[]>`
    WITH due AS (
      SELECT id, status::text AS was FROM "AlertDelivery"
       WHERE (status = 'PENDING' AND "nextAttemptAt" <= ${NOW}) OR (status = 'SENDING' AND "leaseUntil" < ${NOW})
       ORDER BY "nextAttemptAt", id
       LIMIT ${opts.batchSize ?? 100}
       FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE "AlertDelivery" d
         SET status = 'SENDING', "leaseUntil" = ${NOW} + make_interval(secs => ${leaseSeconds}), attempts = d.attempts + 1, "updatedAt" = ${NOW}
        FROM due WHERE d.id = due.id
      RETURNING d.id, d.attempts, due.was
    ), interrupted AS (
      UPDATE "AlertDeliveryAttempt" a
         SET "finishedAt" = ${NOW}, outcome = 'interrupted',
             error = 'the worker stopped before it recorded the outcome (the message may have arrived); sent again with the same id'
        FROM claimed c
       WHERE a."deliveryId" = c.id AND c.was = 'SENDING' AND a."finishedAt" IS NULL
      RETURNING a.id
    ), started AS (
      INSERT INTO "AlertDeliveryAttempt" ("deliveryId", number, "workerId", "startedAt")
      SELECT id, attempts, ${opts.workerId}, ${NOW} FROM claimed
      RETURNING id, "deliveryId"
    )
    SELECT c.id, c.attempts, c.was, s.id AS "attemptId"
      FROM claimed c JOIN started s ON s."deliveryId" = c.id`;
}

const deliverySelect = {
  id: true,
  event: true,
  channelName: true,
  createdAt: true,
  channel: { select: { id: true, name: true, kind: true, enabled: true, config: true, sealedSecret: true } },
  alert: true,
} as const;

async function deliverOne(prisma: PrismaClient, c: Claimed, opts: DeliverOptions, transports: Map<string, Transporter>): Promise<'SENT' | 'PENDING' | 'FAILED'> {
  const delivery = await prisma.alertDelivery.findUnique({ where: { id: c.id }, select: deliverySelect });
  if (!delivery) return 'FAILED';
  const started = Date.now();
  let result: SendOutcome;
  let carried: string[] = [];
  if (!delivery.channel || !delivery.channel.enabled) {
    result = { outcome: 'failed', statusCode: null, error: delivery.channel ? 'the channel is disabled' : 'the channel was deleted' };
    await record(prisma, c, result, 0, opts, { cancel: true });
    return 'FAILED';
  }
  try {
    let message: Message;
    if (delivery.event === 'DIGEST') {
      const digest = await digestContents(prisma, delivery.id, delivery.createdAt);
      carried = digest.carried;
      message = digestMessage(delivery.channel.name, digest.items, digest.period);
    } else if (delivery.alert) {
      message = alertMessage(delivery.event as Exclude<DeliveryEvent, 'DIGEST'>, delivery.alert as AlertForMessage);
    } else {
      result = { outcome: 'failed', statusCode: null, error: 'the alert no longer exists' };
      await record(prisma, c, result, 0, opts, { cancel: true });
      return 'FAILED';
    }
    result = await sendToChannel(delivery.channel, message, { deliveryId: delivery.id, timeoutMs: opts.timeoutMs, transports });
  } catch (error) {
    result = { outcome: 'failed', statusCode: null, error: error instanceof Error ? error.message.slice(0, 500) : String(error) };
  }
  return record(prisma, c, result, Date.now() - started, opts, { carried });
}

/** Writes an attempt's outcome and the delivery's next state; a no-op if another worker has claimed it since. */
async function record(
  prisma: PrismaClient,
  c: Claimed,
  result: SendOutcome,
  durationMs: number,
  opts: DeliverOptions,
  extra: { cancel?: boolean; carried?: string[] } = {},
): Promise<'SENT' | 'PENDING' | 'FAILED'> {
  const delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sent = result.outcome === 'sent';
  const giveUp = extra.cancel || c.attempts > delays.length;
  const status = sent ? 'SENT' : giveUp ? (extra.cancel ? 'CANCELLED' : 'FAILED') : 'PENDING';
  const delaySeconds = sent || giveUp ? 0 : delays[c.attempts - 1]! / 1000;
  await prisma.$transaction(async (tx) => {
    const updated = await tx.$executeRaw`
      UPDATE "AlertDelivery"
         SET status = ${status}::"DeliveryStatus", "leaseUntil" = NULL, "lastStatusCode" = ${result.statusCode}, "lastError" = ${result.error},
             "sentAt" = CASE WHEN ${sent} THEN ${NOW} ELSE "sentAt" END,
             "nextAttemptAt" = ${NOW} + make_interval(secs => ${delaySeconds}), "updatedAt" = ${NOW}
       WHERE id = ${c.id} AND status = 'SENDING' AND attempts = ${c.attempts}`;
    await tx.$executeRaw`
      UPDATE "AlertDeliveryAttempt"
         SET "finishedAt" = ${NOW}, outcome = ${result.outcome}, "statusCode" = ${result.statusCode}, error = ${result.error}, "durationMs" = ${durationMs}
       WHERE id = ${c.attemptId} AND "finishedAt" IS NULL`;
    if (updated && sent && extra.carried?.length) {
      await tx.$executeRaw`
        UPDATE "AlertDelivery" SET status = 'SENT', "sentAt" = ${NOW}, "updatedAt" = ${NOW}
         WHERE id = ANY(${extra.carried}::text[]) AND status = 'BATCHED'`;
    }
  });
  return status === 'CANCELLED' ? 'FAILED' : status;
}

/** The batched deliveries a digest carries (assigned when the digest was made), oldest first. */
async function digestContents(prisma: PrismaClient, digestId: string, createdAt: Date) {
  const rows = await prisma.alertDelivery.findMany({
    where: { digestId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, event: true, createdAt: true, alert: true },
  });
  const items = rows.filter((r) => r.alert).map((r) => ({ event: r.event, alert: r.alert as AlertForMessage }));
  const from = rows[0]?.createdAt ?? new Date(createdAt.getTime() - 86_400_000);
  return { items, carried: rows.map((r) => r.id), period: { from, to: createdAt } };
}

async function mapLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
