import { z } from 'zod';

/*
 * A channel's settings, split into what may be shown (AlertChannel.config) and what may not
 * (AlertChannel.sealedSecret: the SMTP password; the webhook URL, which often carries a token, and its
 * signing secret). Browser-safe: the channel form and the server parse with the same schemas.
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

const emailAddress = z.string().trim().toLowerCase().max(254, 'An email address has at most 254 characters.').pipe(z.email('Enter valid email addresses.'));

export const EmailConfigSchema = z.object({
  host: z
    .string()
    .trim()
    .min(1, 'Enter the SMTP server.')
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, 'Enter a host name or IP address.'),
  port: z.coerce.number({ error: 'Enter a port.' }).int('Enter a port.').min(1, 'Enter a port from 1 to 65535.').max(65_535, 'Enter a port from 1 to 65535.'),
  security: z.enum(SMTP_SECURITY, 'Choose how to secure the connection.'),
  username: z
    .string()
    .trim()
    .max(254)
    .transform((v) => v || null),
  from: emailAddress,
  to: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v),
    z.array(emailAddress).min(1, 'Enter at least one recipient.').max(20, 'At most 20 recipients.'),
  ),
});

export const WebhookUrlSchema = z
  .string()
  .trim()
  .max(2000, 'Use at most 2000 characters.')
  .pipe(z.url({ protocol: /^https?$/, error: 'Enter an http(s) URL.' }));

/** What a page may show of a webhook URL. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return u.pathname === '/' && !u.search ? u.origin : `${u.origin}/…`;
}
