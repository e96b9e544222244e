import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as make from '@/lib/alerts/testing/factories';
import { startSmtpSink, type SmtpSink } from '@/lib/alerts/testing/receivers';
import { AuthError, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { createChannel, findChannels, sendTestMessage, updateChannel } from './alert-channels';
import { createRule, deleteRule, findRules, updateRule } from './alert-rules';
import { acknowledgeAlert, countOpenAlerts, findAlerts, getAlert } from './alerts';

// The Alerts screens' data functions on the run's shared database: who may do what, what is audited,
// and that channel secrets never come back out.

const admin: SessionUser = { id: 'u-admin', email: 'admin@certfleet.local', name: 'Ada', role: 'ADMIN' };
const support: SessionUser = { id: 'u-support', email: 'support@certfleet.local', name: 'Sam', role: 'SUPPORT' };
const manager: SessionUser = { id: 'u-manager', email: 'manager@certfleet.local', name: 'Max', role: 'MANAGER' };
const search = { page: 1, perPage: 100, sort: 'raisedAt' as const, dir: 'desc' as const, q: '', state: 'active' as const, condition: null, severity: null, group: null };

let sink: SmtpSink;
beforeAll(async () => {
  process.env.CERTFLEET_SECRETS_KEY ??= 'alerts-test-key';
  sink = await startSmtpSink();
});
afterAll(() => sink?.stop());

const emailInput = (name: string, extra: Partial<{ password: string | null; username: string | null }> = {}) => ({
  kind: 'EMAIL' as const,
  name,
  enabled: true,
  digest: false,
  digestHourUtc: 8,
  email: { host: '127.0.0.1', port: sink.port, security: 'none' as const, username: extra.username ?? null, from: 'certfleet@test.local', to: ['ops@test.local'] },
  password: extra.password ?? null,
  clearPassword: false,
});

async function raiseOne(group: string): Promise<{ ruleId: string; alertId: string }> {
  await make.device(db(), { group, lastSeenAt: null });
  const saved = await createRule(admin, { name: `silent ${group}`, condition: 'DEVICE_UNHEALTHY', group, params: { states: ['silent'] }, channelIds: [], enabled: true, notifyOnResolve: true, escalateAfterMinutes: null });
  expect(saved.evaluation).toEqual({ raised: 1, resolved: 0 });
  const alert = await db().alert.findFirstOrThrow({ where: { ruleId: saved.id } });
  return { ruleId: saved.id, alertId: alert.id };
}

describe('alert data functions', () => {
  it('SUPPORT acknowledges an open alert with a note, audited; twice is refused; MANAGER may only look', async () => {
    const { alertId } = await raiseOne(`ack-${make.unique()}`);
    await expect(acknowledgeAlert(manager, { id: alertId, note: '' })).rejects.toThrow(new AuthError(403, 'You do not have permission to acknowledge alerts.'));
    expect((await findAlerts(manager, search)).rows.some((a) => a.id === alertId)).toBe(true);
    expect((await countOpenAlerts(manager)).open).toBeGreaterThan(0);

    const acked = await acknowledgeAlert(support, { id: alertId, note: 'on my way' });
    expect(acked).toMatchObject({ state: 'ACKNOWLEDGED', acknowledgedByEmail: support.email, acknowledgeNote: 'on my way' });
    await expect(acknowledgeAlert(admin, { id: alertId, note: '' })).rejects.toMatchObject({ code: 'INVALID_STATE', message: 'Already acknowledged by support@certfleet.local.' });
    const audit = await db().auditEvent.findMany({ where: { action: 'alert.acknowledge', targetId: alertId } });
    expect(audit.map((a) => [a.actorEmail, a.reason])).toEqual([[support.email, 'on my way']]);
    await expect(acknowledgeAlert(support, { id: 'nope', note: '' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No such alert.' });
  });

  it('only ADMIN configures; a fleet-wide condition refuses a group, an empty group is refused, and every change is audited', async () => {
    const group = `cfg-${make.unique()}`;
    await make.device(db(), { group });
    const base = { condition: 'CERT_EXPIRING' as const, group, params: { withinDays: 30, renewalWindowDays: 7 }, channelIds: [], enabled: true, notifyOnResolve: true, escalateAfterMinutes: null };
    await expect(createRule(support, { ...base, name: 'nope' })).rejects.toThrow(new AuthError(403, 'You do not have permission to configure alert rules and channels.'));
    await expect(findRules(manager)).rejects.toThrow(AuthError);
    await expect(createRule(admin, { ...base, name: 'x', condition: 'ENFORCEMENT_RED', params: {} })).rejects.toThrow('"mTLS enforcement check red" is fleet-wide: it cannot be limited to a group.');
    await expect(createRule(admin, { ...base, name: 'x', group: `empty-${make.unique()}` })).rejects.toThrow(/^No device is in group/);

    const saved = await createRule(admin, { ...base, name: `rule ${group}` });
    await expect(updateRule(admin, saved.id, { ...base, name: 'y', condition: 'DEVICE_UNHEALTHY', params: { states: ['silent'] } })).rejects.toThrow('A rule keeps its condition');
    await updateRule(admin, saved.id, { ...base, name: `renamed ${group}`, enabled: false });
    await deleteRule(admin, saved.id);
    const actions = (await db().auditEvent.findMany({ where: { targetId: saved.id }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['alert_rule.create', 'alert_rule.update', 'alert_rule.delete']);
  });

  it('disabling a rule resolves its standing alerts without telling anyone; deleting keeps them', async () => {
    const group = `dis-${make.unique()}`;
    const { ruleId, alertId } = await raiseOne(group);
    const rule = (await findRules(admin)).find((r) => r.id === ruleId)!;
    await updateRule(admin, ruleId, { name: rule.name, condition: rule.condition, group, params: rule.params, channelIds: [], enabled: false, notifyOnResolve: true, escalateAfterMinutes: null });
    expect(await getAlert(admin, alertId)).toMatchObject({ state: 'RESOLVED', resolution: 'rule disabled' });
    await deleteRule(admin, ruleId);
    expect(await getAlert(admin, alertId)).toMatchObject({ ruleId: null, ruleName: rule.name });
  });

  it('keeps channel secrets sealed: never returned to a page, never in the audit log, kept when a form leaves them blank', async () => {
    const name = `smtp ${make.unique()}`;
    const password = `pw-${make.unique()}-secret`;
    const channel = await createChannel(admin, emailInput(name, { username: 'mailer', password }));
    const stored = await db().alertChannel.findUniqueOrThrow({ where: { id: channel.id } });
    expect(stored.sealedSecret).not.toContain(password);
    const row = (await findChannels(admin)).find((c) => c.id === channel.id)!;
    expect(row).toMatchObject({ hasSecret: true, email: { username: 'mailer' } });
    expect(JSON.stringify(row)).not.toContain(password);
    expect(Object.keys(row)).not.toContain('sealedSecret');

    // Editing without a password keeps it; the audit says a secret was set, not which.
    await updateChannel(admin, channel.id, emailInput(`${name} renamed`, { username: 'mailer', password: null }));
    expect((await db().alertChannel.findUniqueOrThrow({ where: { id: channel.id } })).sealedSecret).toBe(stored.sealedSecret);
    const audit = await db().auditEvent.findMany({ where: { targetId: channel.id } });
    expect(audit.map((a) => a.action).sort()).toEqual(['alert_channel.create', 'alert_channel.update']);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(password);
    await expect(createChannel(admin, emailInput(`${name} renamed`))).rejects.toMatchObject({ code: 'BAD_INPUT', fieldErrors: { name: ['Another channel has this name.'] } });
    await expect(findChannels(support)).rejects.toThrow(AuthError);
  });

  it('"send a test" delivers now through a real SMTP server and keeps the outcome in the delivery log', async () => {
    const channel = await createChannel(admin, emailInput(`test-send ${make.unique()}`));
    await expect(sendTestMessage(support, channel.id)).rejects.toThrow(AuthError);
    const { outcome, delivery } = await sendTestMessage(admin, channel.id);
    expect(outcome).toEqual({ outcome: 'sent', statusCode: 250, error: null });
    expect(delivery).toMatchObject({ event: 'TEST', status: 'SENT', attempts: 1 });
    expect(delivery.log.map((a) => a.outcome)).toEqual(['sent']);
    await sink.until((m) => m.some((mail) => mail.subject === `[certfleet] INFO (test): Test message from certfleet to "${channel.name}", sent by ${admin.email}`));
  });
});
