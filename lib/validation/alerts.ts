import { z } from 'zod';
import { ALERT_CONDITIONS } from '@/lib/alerts/condition-labels';
import { CONDITIONS } from '@/lib/alerts/conditions';
import { SMTP_SECURITY, WEBHOOK_FORMATS } from '@/lib/alerts/channel-config';
import { isSigningSecret } from '@/lib/alerts/webhook-signature-format';
import type { AlertCondition, AlertSeverity, AlertState } from '@/lib/generated/prisma/enums';
import { formBoolean } from './action-state';
import { ALERT_SEVERITIES, ALERT_STATES } from './alerts-constants';
import { firstParam, parseTableSearch, type RawSearchParams, type TableSearch } from './table-search-params';

/*
 * The one set of schemas for alerts: the Alerts page's URL state, acknowledging, and the rule and
 * channel forms, shared by the forms and their server actions. The states and severities the Alerts table
 * shows are in alerts-constants.ts (no zod).
 */

export const ALERT_SORTS = ['raisedAt', 'severity', 'subjectLabel'] as const;
export type AlertSort = (typeof ALERT_SORTS)[number];

export interface AlertListSearch extends TableSearch<AlertSort> {
  /** 'active' = open or acknowledged (the default view); 'all' = every state. */
  state: AlertState | 'active' | 'all';
  condition: AlertCondition | null;
  severity: AlertSeverity | null;
  group: string | null;
}

export function parseAlertListSearch(raw: RawSearchParams): AlertListSearch {
  const state = firstParam(raw, 'state');
  const condition = firstParam(raw, 'condition');
  const severity = firstParam(raw, 'severity');
  const group = firstParam(raw, 'group')?.trim().slice(0, 100);
  return {
    ...parseTableSearch(raw, { sortable: ALERT_SORTS, defaultSort: 'raisedAt', defaultDir: 'desc' }),
    state: state === 'all' || (ALERT_STATES as readonly string[]).includes(state ?? '') ? (state as AlertState | 'all') : 'active',
    condition: (ALERT_CONDITIONS as readonly string[]).includes(condition ?? '') ? (condition as AlertCondition) : null,
    severity: (ALERT_SEVERITIES as readonly string[]).includes(severity ?? '') ? (severity as AlertSeverity) : null,
    group: group || null,
  };
}

const id = z.string().trim().min(1, 'Missing id.').max(64);

export const IdSchema = z.object({ id });

export const AcknowledgeSchema = z.object({
  id,
  note: z.string().trim().max(500, 'Use at most 500 characters.').default(''),
});

const optionalInt = (max: number, label: string) =>
  z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? null : v),
    z.coerce.number({ error: `Enter ${label}.` }).int(`Enter ${label} in whole minutes.`).min(1, 'At least 1 minute.').max(max, `At most ${max} minutes.`).nullable(),
  );

/** What every rule has; the condition's own parameters are parsed by CONDITIONS[c].params (RuleFormSchema). */
const RuleBaseSchema = z.object({
  id: id.optional(),
  name: z.string().trim().min(1, 'Enter a name.').max(100, 'Use at most 100 characters.'),
  condition: z.enum(ALERT_CONDITIONS as [AlertCondition, ...AlertCondition[]], 'Choose a condition.'),
  group: z
    .string()
    .trim()
    .max(100)
    .default('')
    .transform((v) => v || null),
  channelIds: z.array(id).max(20, 'At most 20 channels.').default([]),
  enabled: formBoolean.default(true),
  notifyOnResolve: formBoolean.default(true),
  escalateAfterMinutes: optionalInt(10_080, 'a number of minutes'),
});

/** The condition's fields, as the form sends them (blank: the default). */
const RuleParamFields = z.object({
  withinDays: z.unknown().optional(),
  renewalWindowDays: z.unknown().optional(),
  lookbackHours: z.unknown().optional(),
  pendingMinutes: z.unknown().optional(),
  refusals: z.unknown().optional(),
  states: z.array(z.string()).default([]),
  kinds: z.array(z.string()).default([]),
});

/**
 * The rule form, shared by the dialog and saveRuleAction: every rule's fields, then the chosen
 * condition's own parameters (their messages keyed by their field: withinDays, states…).
 */
export const RuleFormSchema = RuleBaseSchema.extend(RuleParamFields.shape).transform((input, ctx) => {
  const { withinDays, renewalWindowDays, lookbackHours, pendingMinutes, refusals, states, kinds, ...rule } = input;
  const blank = (v: unknown) => (v === '' || v === null ? undefined : v);
  const params = parseRuleParams(rule.condition, {
    withinDays: blank(withinDays),
    renewalWindowDays: blank(renewalWindowDays),
    lookbackHours: blank(lookbackHours),
    pendingMinutes: blank(pendingMinutes),
    refusals: blank(refusals),
    states,
    kinds,
  });
  if (!params.success) {
    for (const issue of params.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return { ...rule, params: params.data as unknown };
});
export type RuleFormInput = z.output<typeof RuleFormSchema>;
export type RuleField = keyof z.input<typeof RuleFormSchema>;

/** Parses the condition's parameters from the form's fields. */
export function parseRuleParams(condition: AlertCondition, fields: Record<string, unknown>): z.ZodSafeParseResult<Record<string, unknown>> {
  return (CONDITIONS[condition].params as z.ZodType<Record<string, unknown>>).safeParse(fields);
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

export const CHANNEL_KINDS = ['EMAIL', 'WEBHOOK'] as const;

const channelBase = z.object({
  id: id.optional(),
  name: z.string().trim().min(1, 'Enter a name.').max(100, 'Use at most 100 characters.'),
  enabled: formBoolean.default(true),
  digest: formBoolean.default(false),
  digestHourUtc: z.coerce.number().int().min(0, 'Choose an hour from 0 to 23.').max(23, 'Choose an hour from 0 to 23.').default(8),
});

/** Blank means "keep the one stored" when editing; required when creating (checked by the data layer). */
const keepOrNew = (schema: z.ZodType<string>) => z.preprocess((v) => (v === '' || v === undefined ? null : v), schema.nullable());

const EmailChannelSchema = channelBase.extend({
  kind: z.literal('EMAIL'),
  ...EmailConfigSchema.shape,
  password: keepOrNew(z.string().max(1024, 'Use at most 1024 characters.')),
  clearPassword: formBoolean.default(false),
});

const WebhookChannelSchema = channelBase.extend({
  kind: z.literal('WEBHOOK'),
  format: z.enum(WEBHOOK_FORMATS, 'Choose a payload format.'),
  url: keepOrNew(WebhookUrlSchema),
  signingSecret: keepOrNew(z.string().trim().refine(isSigningSecret, 'A signing secret is "whsec_" followed by at least 16 bytes in base64 (use Generate).')),
});

/**
 * The channel form (flat: each field by its form name, so messages sit beside it), shared by the dialog and
 * saveChannelAction; an email channel's settings come out grouped as `email`, as the data layer stores them.
 */
export const ChannelFormSchema = z
  .discriminatedUnion('kind', [EmailChannelSchema, WebhookChannelSchema], { error: 'Choose email or webhook.' })
  .transform((input) => {
    if (input.kind === 'WEBHOOK') return input;
    const { host, port, security, username, from, to, ...rest } = input;
    return { ...rest, email: { host, port, security, username, from, to } };
  });
export type ChannelFormInput = z.output<typeof ChannelFormSchema>;
export type ChannelField = keyof z.input<typeof EmailChannelSchema> | keyof z.input<typeof WebhookChannelSchema>;
export { SMTP_SECURITY, WEBHOOK_FORMATS };
