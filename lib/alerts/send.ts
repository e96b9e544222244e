import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { ChannelKind } from '@/lib/generated/prisma/enums';
import type { EmailConfig, EmailSecret, WebhookConfig, WebhookSecret } from './channel-config';
import type { Message } from './message';
import { open } from './secret-box';
import { webhookHeaders } from './webhook-signature';

/*
 * One attempt to hand a message to a channel. Never throws for the channel's failure: the outcome says
 * what happened (sent, failed, timeout) with the SMTP reply code or HTTP status, and an error text with
 * every channel secret scrubbed out, because it goes into the delivery log that pages show.
 */

export interface ChannelForSend {
  id: string;
  name: string;
  kind: ChannelKind;
  config: unknown;
  sealedSecret: string | null;
}

export interface SendOutcome {
  outcome: 'sent' | 'failed' | 'timeout';
  statusCode: number | null;
  error: string | null;
}

export interface SendOptions {
  /** The delivery's id: the webhook-id header and the email's Message-ID, the same on every retry. */
  deliveryId: string;
  /** Per attempt (default: webhooks 10 s, SMTP 20 s). */
  timeoutMs?: number;
  /** Reuses one SMTP transport per channel within a delivery run. */
  transports?: Map<string, Transporter>;
}

export async function sendToChannel(channel: ChannelForSend, message: Message, opts: SendOptions): Promise<SendOutcome> {
  let secrets: string[] = [];
  try {
    if (channel.kind === 'EMAIL') {
      const secret = channel.sealedSecret ? open<EmailSecret>(channel.sealedSecret) : { password: null };
      secrets = [secret.password ?? ''];
      return await sendEmail(channel, channel.config as EmailConfig, secret, message, opts);
    }
    if (!channel.sealedSecret) return { outcome: 'failed', statusCode: null, error: 'The webhook has no URL: edit the channel and enter it.' };
    const secret = open<WebhookSecret>(channel.sealedSecret);
    secrets = [secret.url, secret.signingSecret, new URL(secret.url).pathname + new URL(secret.url).search];
    return await sendWebhook(channel.config as WebhookConfig, secret, message, opts);
  } catch (error) {
    return { outcome: 'failed', statusCode: null, error: scrub(error instanceof Error ? error.message : String(error), secrets) };
  }
}

async function sendEmail(channel: ChannelForSend, config: EmailConfig, secret: EmailSecret, message: Message, opts: SendOptions): Promise<SendOutcome> {
  const timeout = opts.timeoutMs ?? 20_000;
  let transport = opts.transports?.get(channel.id);
  if (!transport) {
    transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.security === 'tls',
      requireTLS: config.security === 'starttls',
      ignoreTLS: config.security === 'none',
      auth: config.username ? { user: config.username, pass: secret.password ?? '' } : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      logger: false,
    });
    opts.transports?.set(channel.id, transport);
  }
  try {
    const info = await transport.sendMail({
      from: config.from,
      to: config.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${opts.deliveryId}@certfleet.alerts>`,
      headers: { 'X-Certfleet-Delivery': opts.deliveryId },
    });
    const code = Number(/^(\d{3})/.exec(String(info.response ?? ''))?.[1]);
    return { outcome: 'sent', statusCode: Number.isFinite(code) ? code : null, error: null };
  } catch (error) {
    const e = error as Error & { code?: string; responseCode?: number };
    const timedOut = e.code === 'ETIMEDOUT' || /timeout/i.test(e.message);
    return {
      outcome: timedOut ? 'timeout' : 'failed',
      statusCode: e.responseCode ?? null,
      error: scrub(`${e.code ? `${e.code}: ` : ''}${e.message}`, [secret.password ?? '']),
    };
  } finally {
    if (!opts.transports) transport.close();
  }
}

async function sendWebhook(config: WebhookConfig, secret: WebhookSecret, message: Message, opts: SendOptions): Promise<SendOutcome> {
  const timeout = opts.timeoutMs ?? 10_000;
  const body = JSON.stringify(config.format === 'slack' ? message.slack : message.event);
  const secrets = [secret.url, secret.signingSecret];
  try {
    const res = await fetch(secret.url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeout),
      headers: { 'content-type': 'application/json', 'user-agent': 'certfleet-alerts/1', ...webhookHeaders(secret.signingSecret, opts.deliveryId, body) },
    });
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { outcome: 'sent', statusCode: res.status, error: null };
    return { outcome: 'failed', statusCode: res.status, error: `the receiver answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return { outcome: 'timeout', statusCode: null, error: `no answer within ${Math.round(timeout / 1000)} s` };
    }
    const cause = e.cause?.code ?? e.cause?.message;
    return { outcome: 'failed', statusCode: null, error: scrub(`${e.message}${cause ? ` (${cause})` : ''}`, secrets) };
  }
}

/** Removes every secret (and each one's URL-encoded form) from a text bound for the delivery log. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('[redacted]');
  }
  return out.slice(0, 1000);
}
