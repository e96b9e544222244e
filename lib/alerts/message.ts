import type { AlertCondition, AlertSeverity, AlertState, DeliveryEvent } from '@/lib/generated/prisma/enums';
import { CONDITIONS } from './conditions';
import { alertPath, publicBaseUrl, subjectPath } from './links';

/*
 * What a delivery says, built the same way for every channel: an email (subject, text, HTML), certfleet's
 * JSON event for a webhook, or a Slack message. Messages carry what a person needs to act and a link;
 * never a channel's settings or secrets.
 */

export interface AlertForMessage {
  id: string;
  ruleId: string | null;
  ruleName: string;
  condition: AlertCondition;
  subjectType: string;
  subjectId: string;
  subjectLabel: string;
  groupName: string | null;
  state: AlertState;
  severity: AlertSeverity;
  summary: string;
  details: unknown;
  escalation: string | null;
  raisedAt: Date;
  escalatedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedByEmail: string | null;
  resolvedAt: Date | null;
  resolution: string | null;
}

export interface Message {
  subject: string;
  text: string;
  html: string;
  /** certfleet's webhook body (format "standard"). */
  event: object;
  /** Slack incoming-webhook body (format "slack"). */
  slack: object;
}

const EVENT_WORDS: Record<Exclude<DeliveryEvent, 'DIGEST'>, string> = {
  RAISED: 'Alert',
  ESCALATED: 'Escalated',
  RESOLVED: 'Resolved',
  TEST: 'Test',
};

function alertJson(alert: AlertForMessage, base: string) {
  const subjectLink = subjectPath(alert);
  return {
    id: alert.id,
    url: `${base}${alertPath(alert.id)}`,
    condition: alert.condition,
    conditionLabel: CONDITIONS[alert.condition].label,
    state: alert.state.toLowerCase(),
    severity: alert.severity.toLowerCase(),
    summary: alert.summary,
    escalation: alert.escalation,
    subject: { type: alert.subjectType, id: alert.subjectId, label: alert.subjectLabel, url: subjectLink ? `${base}${subjectLink}` : null },
    group: alert.groupName,
    rule: { id: alert.ruleId, name: alert.ruleName },
    raisedAt: alert.raisedAt.toISOString(),
    escalatedAt: alert.escalatedAt?.toISOString() ?? null,
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    resolution: alert.resolution,
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const escapeSlack = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function alertMessage(event: Exclude<DeliveryEvent, 'DIGEST'>, alert: AlertForMessage, at: Date = new Date()): Message {
  const base = publicBaseUrl();
  const json = alertJson(alert, base);
  const headline = event === 'RESOLVED' ? `Resolved: ${alert.summary}` : event === 'ESCALATED' ? `Needs a person: ${alert.summary}` : alert.summary;
  const subject = `[certfleet] ${event === 'RESOLVED' ? 'RESOLVED' : alert.severity}${event === 'TEST' ? ' (test)' : ''}: ${headline}`.slice(0, 250);
  const lines = [
    headline,
    '',
    ...(alert.escalation && event !== 'RESOLVED' ? [alert.escalation, ''] : []),
    `Condition: ${CONDITIONS[alert.condition].label} (rule "${alert.ruleName}")`,
    `Subject:   ${alert.subjectLabel}${json.subject.url ? ` — ${json.subject.url}` : ''}`,
    ...(alert.groupName ? [`Group:     ${alert.groupName}`] : []),
    `Severity:  ${alert.severity.toLowerCase()}`,
    `Raised:    ${alert.raisedAt.toISOString()}`,
    ...(alert.resolvedAt ? [`Resolved:  ${alert.resolvedAt.toISOString()}${alert.resolution ? ` (${alert.resolution})` : ''}`] : []),
    '',
    `Open the alert: ${json.url}`,
  ];
  const text = lines.join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif">
<p style="font-size:16px"><strong>${escapeHtml(headline)}</strong></p>
${alert.escalation && event !== 'RESOLVED' ? `<p style="color:#b91c1c">${escapeHtml(alert.escalation)}</p>` : ''}
<table style="font-size:14px">${[
    ['Condition', `${CONDITIONS[alert.condition].label} (rule “${alert.ruleName}”)`],
    ['Subject', alert.subjectLabel],
    ...(alert.groupName ? [['Group', alert.groupName]] : []),
    ['Severity', alert.severity.toLowerCase()],
    ['Raised', alert.raisedAt.toISOString()],
  ]
    .map(([k, v]) => `<tr><td style="color:#666;padding-right:12px">${escapeHtml(k!)}</td><td>${escapeHtml(v!)}</td></tr>`)
    .join('')}</table>
<p><a href="${escapeHtml(json.url)}">Open the alert in certfleet</a>${json.subject.url ? ` · <a href="${escapeHtml(json.subject.url)}">${escapeHtml(alert.subjectLabel)}</a>` : ''}</p>
</body></html>`;
  const type = `alert.${event.toLowerCase()}`;
  return {
    subject,
    text,
    html,
    event: { type, timestamp: at.toISOString(), data: json },
    slack: {
      text: `${EVENT_WORDS[event]} (${alert.severity.toLowerCase()}): ${escapeSlack(headline)}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(headline)}*${alert.escalation && event !== 'RESOLVED' ? `\n${escapeSlack(alert.escalation)}` : ''}` } },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `${escapeSlack(CONDITIONS[alert.condition].label)} · ${escapeSlack(alert.subjectLabel)} · <${json.url}|Open in certfleet>`,
            },
          ],
        },
      ],
    },
  };
}

export function digestMessage(channelName: string, items: { event: DeliveryEvent; alert: AlertForMessage }[], period: { from: Date; to: Date }): Message {
  const base = publicBaseUrl();
  const raised = items.filter((i) => i.event === 'RAISED').length;
  const resolved = items.filter((i) => i.event === 'RESOLVED').length;
  const escalated = items.filter((i) => i.event === 'ESCALATED').length;
  const counts = `${raised} raised, ${escalated} escalated, ${resolved} resolved`;
  const subject = `[certfleet] Daily digest: ${counts}`;
  const line = (i: { event: DeliveryEvent; alert: AlertForMessage }) =>
    `${EVENT_WORDS[i.event as Exclude<DeliveryEvent, 'DIGEST'>] ?? i.event} · ${i.alert.severity.toLowerCase()} · ${i.alert.summary} — ${base}${alertPath(i.alert.id)}`;
  const text = [`certfleet alerts for "${channelName}", ${period.from.toISOString()} to ${period.to.toISOString()}: ${counts}.`, '', ...items.map(line), '', `All alerts: ${base}/alerts`].join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif"><p><strong>${escapeHtml(counts)}</strong></p><ul>${items
    .map((i) => `<li>${escapeHtml(line(i))}</li>`)
    .join('')}</ul><p><a href="${escapeHtml(base)}/alerts">All alerts</a></p></body></html>`;
  return {
    subject,
    text,
    html,
    event: {
      type: 'alert.digest',
      timestamp: period.to.toISOString(),
      data: { from: period.from.toISOString(), to: period.to.toISOString(), items: items.map((i) => ({ event: i.event.toLowerCase(), alert: alertJson(i.alert, base) })) },
    },
    slack: {
      text: `certfleet daily digest: ${counts}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*certfleet daily digest:* ${counts}` } },
        { type: 'section', text: { type: 'mrkdwn', text: items.slice(0, 40).map((i) => `• ${escapeSlack(line(i))}`).join('\n') || 'Nothing happened.' } },
      ],
    },
  };
}

/** What a "send a test" delivers: a made-up alert, clearly marked. */
export function testAlert(channelName: string, by: string, now: Date): AlertForMessage {
  return {
    id: 'test',
    ruleId: null,
    ruleName: 'test',
    condition: 'CERT_EXPIRING',
    subjectType: 'test',
    subjectId: 'test',
    subjectLabel: `channel "${channelName}"`,
    groupName: null,
    state: 'OPEN',
    severity: 'INFO',
    summary: `Test message from certfleet to "${channelName}", sent by ${by}`,
    details: null,
    escalation: null,
    raisedAt: now,
    escalatedAt: null,
    acknowledgedAt: null,
    acknowledgedByEmail: null,
    resolvedAt: null,
    resolution: null,
  };
}
