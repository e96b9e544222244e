/*
 * A channel's settings, split into what may be shown (AlertChannel.config) and what may not
 * (AlertChannel.sealedSecret: the SMTP password; the webhook URL, which often carries a token, and its
 * signing secret). No zod: the channel form on /alerts/channels shows the choices below (issue 12); the
 * schemas that parse a channel are in lib/validation/alerts.ts.
 */

export const SMTP_SECURITY = ['starttls', 'tls', 'none'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

export interface EmailConfig {
  host: string;
  port: number;
  /** starttls: upgrade when the server offers it (port 587); tls: TLS from the start (465); none: never. */
  security: SmtpSecurity;
  username: string | null;
  from: string;
  to: string[];
}
export interface EmailSecret {
  password: string | null;
}

export const WEBHOOK_FORMATS = ['standard', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface WebhookConfig {
  /** Scheme, host and port of the URL; its path and query stay sealed. */
  urlDisplay: string;
  /** standard: certfleet's JSON event; slack: `{ text, blocks }` for a Slack incoming webhook. */
  format: WebhookFormat;
}
export interface WebhookSecret {
  url: string;
  signingSecret: string;
}

/** What a page may show of a webhook URL. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return u.pathname === '/' && !u.search ? u.origin : `${u.origin}/…`;
}
