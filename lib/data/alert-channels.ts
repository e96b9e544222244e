import 'server-only';
import { randomUUID } from 'node:crypto';
import { displayUrl, type EmailConfig, type EmailSecret, type WebhookConfig, type WebhookSecret } from '@/lib/alerts/channel-config';
import { alertMessage, testAlert } from '@/lib/alerts/message';
import { open, seal, SecretBoxError } from '@/lib/alerts/secret-box';
import { sendToChannel, type SendOutcome } from '@/lib/alerts/send';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import type { ChannelKind, DeliveryStatus } from '@/lib/generated/prisma/enums';
import type { ChannelFormInput } from '@/lib/validation/alerts';
import { badInput, type DeliveryLogRow, deliveryLogSelect } from './alerts';

/*
 * Alert channels (ADMIN): where messages go. What a page may see is `config`; the SMTP password and the
 * webhook's URL and signing secret are sealed (lib/alerts/secret-box.ts), never selected here for a page,
 * never written to the audit log (which records that a secret was set or replaced, not what it is).
 */

export interface ChannelRow {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  digest: boolean;
  digestHourUtc: number;
  email: EmailConfig | null;
  webhook: WebhookConfig | null;
  /** Whether a password (email) or URL + signing secret (webhook) is stored; never the values. */
  hasSecret: boolean;
  rules: number;
  lastDelivery: { status: DeliveryStatus; at: Date; error: string | null } | null;
}

const safeSelect = {
  id: true,
  name: true,
  kind: true,
  enabled: true,
  digest: true,
  digestHourUtc: true,
  config: true,
  // Selected only to say whether one exists (mapped to a boolean below, never returned).
  sealedSecret: true,
  _count: { select: { rules: true } },
  deliveries: { orderBy: { updatedAt: 'desc' }, take: 1, select: { status: true, updatedAt: true, lastError: true } },
} as const satisfies Prisma.AlertChannelSelect;

type SafeChannel = Prisma.AlertChannelGetPayload<{ select: typeof safeSelect }>;

function toRow(c: SafeChannel): ChannelRow {
  const last = c.deliveries[0];
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    digest: c.digest,
    digestHourUtc: c.digestHourUtc,
    email: c.kind === 'EMAIL' ? (c.config as unknown as EmailConfig) : null,
    webhook: c.kind === 'WEBHOOK' ? (c.config as unknown as WebhookConfig) : null,
    hasSecret: !!c.sealedSecret,
    rules: c._count.rules,
    lastDelivery: last ? { status: last.status, at: last.updatedAt, error: last.lastError } : null,
  };
}

export async function findChannels(actor: SessionUser): Promise<ChannelRow[]> {
  assertCan(actor, 'alerts:configure');
  return (await db().alertChannel.findMany({ orderBy: { name: 'asc' }, select: safeSelect })).map(toRow);
}

/** Channels as choices for the rule form. */
export async function findChannelChoices(actor: SessionUser): Promise<{ id: string; name: string; kind: ChannelKind; enabled: boolean }[]> {
  assertCan(actor, 'alerts:configure');
  return db().alertChannel.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, kind: true, enabled: true } });
}

/** What the audit log and the form may know: config and flags, no secret. */
function describe(input: ChannelFormInput) {
  return input.kind === 'EMAIL'
    ? { kind: input.kind, enabled: input.enabled, digest: input.digest, digestHourUtc: input.digestHourUtc, host: input.email.host, port: input.email.port, security: input.email.security, from: input.email.from, to: input.email.to, username: input.email.username }
    : { kind: input.kind, enabled: input.enabled, digest: input.digest, digestHourUtc: input.digestHourUtc, format: input.format };
}

/** Config and sealed secret for the input, keeping what is stored where the form left a secret blank. */
function build(input: ChannelFormInput, storedSealed: string | null): { config: Prisma.InputJsonObject; sealedSecret: string | null; secretChanged: boolean } {
  const stored = <T,>(): T | null => {
    if (!storedSealed) return null;
    try {
      return open<T>(storedSealed);
    } catch (error) {
      if (error instanceof SecretBoxError) return null;
      throw error;
    }
  };
  if (input.kind === 'EMAIL') {
    const config: EmailConfig = { ...input.email };
    // Nothing typed: what is stored stays exactly as it is.
    if (storedSealed && input.password === null && !input.clearPassword) return { config: { ...config }, sealedSecret: storedSealed, secretChanged: false };
    const before = stored<EmailSecret>();
    const password = input.clearPassword ? null : (input.password ?? before?.password ?? null);
    if (config.username && !password) throw badInput('password', 'Enter the password for this user name.');
    return { config: { ...config }, sealedSecret: password ? seal({ password } satisfies EmailSecret) : null, secretChanged: input.password !== null || input.clearPassword };
  }
  const webhookConfig = (url: string): Prisma.InputJsonObject => ({ urlDisplay: displayUrl(url), format: input.format }) satisfies WebhookConfig;
  const before = stored<WebhookSecret>();
  if (storedSealed && before && input.url === null && input.signingSecret === null) return { config: webhookConfig(before.url), sealedSecret: storedSealed, secretChanged: false };
  const url = input.url ?? before?.url;
  const signingSecret = input.signingSecret ?? before?.signingSecret;
  if (!url) throw badInput('url', storedSealed ? 'The stored URL cannot be read any more: enter it again.' : 'Enter the URL.');
  if (!signingSecret) throw badInput('signingSecret', storedSealed ? 'The stored signing secret cannot be read any more: enter one.' : 'Enter a signing secret (or generate one).');
  return { config: webhookConfig(url), sealedSecret: seal({ url, signingSecret } satisfies WebhookSecret), secretChanged: true };
}

/**
 * Refuses a name another channel has, before writing: the unique index stays the guard against a race
 * (uniqueName below), but a failed statement inside a transaction is not the usual path.
 */
async function nameFree(tx: Prisma.TransactionClient, name: string, self?: string): Promise<void> {
  const other = await tx.alertChannel.findUnique({ where: { name }, select: { id: true } });
  if (other && other.id !== self) throw badInput('name', 'Another channel has this name.');
}

function uniqueName(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
    throw badInput('name', 'Another channel has this name.');
  }
  throw error;
}

export async function createChannel(actor: SessionUser, input: ChannelFormInput): Promise<{ id: string; name: string }> {
  assertCan(actor, 'alerts:configure');
  const built = build(input, null);
  return db()
    .$transaction(async (tx) => {
      await nameFree(tx, input.name);
      const channel = await tx.alertChannel.create({
        data: { name: input.name, kind: input.kind, enabled: input.enabled, digest: input.digest, digestHourUtc: input.digestHourUtc, config: built.config, sealedSecret: built.sealedSecret },
        select: { id: true, name: true },
      });
      await recordAudit(tx, {
        actor,
        action: 'alert_channel.create',
        targetType: 'alert_channel',
        targetId: channel.id,
        targetLabel: channel.name,
        details: { ...describe(input), secretSet: !!built.sealedSecret },
      });
      return channel;
    })
    .catch(uniqueName);
}

export async function updateChannel(actor: SessionUser, id: string, input: ChannelFormInput): Promise<{ id: string; name: string }> {
  assertCan(actor, 'alerts:configure');
  return db()
    .$transaction(async (tx) => {
      const before = await tx.alertChannel.findUnique({ where: { id }, select: { kind: true, name: true, config: true, enabled: true, digest: true, digestHourUtc: true, sealedSecret: true } });
      if (!before) throw new AppError('NOT_FOUND', 'No such channel.');
      if (before.kind !== input.kind) throw badInput('kind', 'A channel keeps its kind: make a new one.');
      const built = build(input, before.sealedSecret);
      await nameFree(tx, input.name, id);
      const channel = await tx.alertChannel.update({
        where: { id },
        data: { name: input.name, enabled: input.enabled, digest: input.digest, digestHourUtc: input.digestHourUtc, config: built.config, sealedSecret: built.sealedSecret },
        select: { id: true, name: true },
      });
      if (before.enabled && !input.enabled) {
        // Nothing more goes out through a disabled channel; what waited is cancelled, and says so.
        await tx.alertDelivery.updateMany({
          where: { channelId: id, status: { in: ['PENDING', 'BATCHED'] } },
          data: { status: 'CANCELLED', lastError: 'the channel was disabled' },
        });
      }
      await recordAudit(tx, {
        actor,
        action: 'alert_channel.update',
        targetType: 'alert_channel',
        targetId: id,
        targetLabel: channel.name,
        details: {
          before: { name: before.name, enabled: before.enabled, digest: before.digest, digestHourUtc: before.digestHourUtc, config: before.config as Prisma.InputJsonObject },
          after: { name: input.name, ...describe(input) },
          secretReplaced: built.secretChanged,
        },
      });
      return channel;
    })
    .catch(uniqueName);
}

export async function deleteChannel(actor: SessionUser, id: string): Promise<{ name: string }> {
  assertCan(actor, 'alerts:configure');
  return db().$transaction(async (tx) => {
    const channel = await tx.alertChannel.findUnique({ where: { id }, select: { name: true, kind: true } });
    if (!channel) throw new AppError('NOT_FOUND', 'No such channel.');
    await tx.alertDelivery.updateMany({
      where: { channelId: id, status: { in: ['PENDING', 'BATCHED'] } },
      data: { status: 'CANCELLED', lastError: 'the channel was deleted' },
    });
    // Its delivery log stays with the alerts (channelId becomes null, channelName remains).
    await tx.alertChannel.delete({ where: { id } });
    await recordAudit(tx, { actor, action: 'alert_channel.delete', targetType: 'alert_channel', targetId: id, targetLabel: channel.name, details: { kind: channel.kind } });
    return { name: channel.name };
  });
}

export interface TestResult {
  outcome: SendOutcome;
  delivery: DeliveryLogRow;
}

/**
 * "Send a test": one message through the channel now, from the app, with the outcome shown to the
 * ADMIN and kept in the delivery log like any other (no retries: the ADMIN is watching).
 */
export async function sendTestMessage(actor: SessionUser, id: string): Promise<TestResult> {
  assertCan(actor, 'alerts:configure');
  const channel = await db().alertChannel.findUnique({ where: { id }, select: { id: true, name: true, kind: true, config: true, sealedSecret: true } });
  if (!channel) throw new AppError('NOT_FOUND', 'No such channel.');
  const deliveryId = randomUUID();
  const now = new Date();
  await db().alertDelivery.create({
    data: {
      id: deliveryId,
      channelId: channel.id,
      channelName: channel.name,
      event: 'TEST',
      dedupeKey: `test:${deliveryId}`,
      status: 'SENDING',
      attempts: 1,
      leaseUntil: new Date(now.getTime() + 120_000),
      log: { create: { number: 1, workerId: `app:${actor.email}` } },
    },
  });
  const started = Date.now();
  const outcome = await sendToChannel(channel, alertMessage('TEST', testAlert(channel.name, actor.email, now), now), { deliveryId });
  const sent = outcome.outcome === 'sent';
  const delivery = await db().$transaction(async (tx) => {
    await tx.alertDeliveryAttempt.updateMany({
      where: { deliveryId, number: 1 },
      data: { finishedAt: new Date(), outcome: outcome.outcome, statusCode: outcome.statusCode, error: outcome.error, durationMs: Date.now() - started },
    });
    const updated = await tx.alertDelivery.update({
      where: { id: deliveryId },
      data: { status: sent ? 'SENT' : 'FAILED', leaseUntil: null, sentAt: sent ? new Date() : null, lastStatusCode: outcome.statusCode, lastError: outcome.error },
      select: deliveryLogSelect,
    });
    await recordAudit(tx, {
      actor,
      action: 'alert_channel.test',
      targetType: 'alert_channel',
      targetId: channel.id,
      targetLabel: channel.name,
      details: { outcome: outcome.outcome, statusCode: outcome.statusCode, error: outcome.error },
    });
    return updated;
  });
  return { outcome, delivery };
}

/** The latest deliveries through a channel (tests and digests included), for its log on the Channels page. */
export async function findChannelDeliveries(actor: SessionUser, id: string, take = 20): Promise<DeliveryLogRow[]> {
  assertCan(actor, 'alerts:configure');
  return db().alertDelivery.findMany({ where: { channelId: id }, orderBy: { updatedAt: 'desc' }, take, select: deliveryLogSelect });
}
