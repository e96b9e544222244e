import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { evaluateRule } from './evaluate';
import { recordCloudflareLockout } from './lockout';
import { rateBudgetFor } from '@/lib/cloudflare/budget';
import * as make from './testing/factories';

// Evaluation on a database of its own (it looks at every certificate and device), with real rows.

const DAY = 86_400_000;
let db: TestDatabase;

beforeAll(async () => {
  process.env.CERTFLEET_SECRETS_KEY ??= 'alerts-test-key';
  db = await createTestDatabase();
});
afterAll(() => db?.stop());

const alertsOf = (ruleId: string) => db.prisma.alert.findMany({ where: { ruleId }, orderBy: { subjectLabel: 'asc' } });
const deliveriesOf = (ruleId: string) => db.prisma.alertDelivery.findMany({ where: { alert: { ruleId } }, orderBy: { createdAt: 'asc' } });

describe('certificate expiring', () => {
  it('raises one alert per certificate in the band, escalates stranded devices, resolves renewed ones, and never repeats', async () => {
    const group = `exp-${make.unique()}`;
    const live = await make.device(db.prisma, { group });
    const stranded = await make.device(db.prisma, { group, lastSeenAt: new Date(Date.now() - 20 * DAY) });
    const elsewhere = await make.device(db.prisma, { group: `other-${make.unique()}` });
    const soon = await make.certificate(db.prisma, { deviceId: live.id, expiresInDays: 10 });
    const strandedCert = await make.certificate(db.prisma, { deviceId: stranded.id, expiresInDays: 5 });
    await make.certificate(db.prisma, { deviceId: live.id, expiresInDays: 40 }); // outside the band
    await make.certificate(db.prisma, { deviceId: live.id, expiresInDays: 3, status: 'REVOKED', revokedAt: new Date() });
    await make.certificate(db.prisma, { deviceId: live.id, expiresInDays: 3, supersededAt: new Date() }); // renewed already
    await make.certificate(db.prisma, { deviceId: elsewhere.id, expiresInDays: 3 }); // another group
    const channelA = await make.emailChannel(db.prisma, 2525);
    const channelB = await make.emailChannel(db.prisma, 2525, { digest: true });
    const rule = await make.rule(db.prisma, { condition: 'CERT_EXPIRING', params: { withinDays: 30, renewalWindowDays: 7 }, group, channelIds: [channelA.id, channelB.id] });

    expect(await evaluateRule(db.prisma, rule)).toEqual({ raised: 2, escalated: 0, resolved: 0, deliveries: 4 });
    const alerts = await alertsOf(rule.id);
    expect(alerts.map((a) => a.subjectId).sort()).toEqual([soon.id, strandedCert.id].sort());
    const strandedAlert = alerts.find((a) => a.subjectId === strandedCert.id)!;
    expect(strandedAlert).toMatchObject({ state: 'OPEN', severity: 'CRITICAL', groupName: group });
    expect(strandedAlert.escalation).toMatch(new RegExp(`^Needs a person: ${stranded.name} has not reported for 20 days, longer than its 7-day renewal window`));
    expect(alerts.find((a) => a.subjectId === soon.id)).toMatchObject({ severity: 'WARNING', escalation: null });
    // One message per alert and channel; the digest channel's wait for the digest.
    const deliveries = await deliveriesOf(rule.id);
    expect(deliveries.map((d) => `${d.channelId === channelA.id ? 'A' : 'B'}:${d.event}:${d.status}`).sort()).toEqual([
      'A:RAISED:PENDING',
      'A:RAISED:PENDING',
      'B:RAISED:BATCHED',
      'B:RAISED:BATCHED',
    ]);

    // Re-evaluating changes nothing: no second alert, no second message.
    expect(await evaluateRule(db.prisma, rule)).toEqual({ raised: 0, escalated: 0, resolved: 0, deliveries: 0 });
    // Two evaluators at once (two workers, or a worker and a save in the app) still raise nothing twice.
    await Promise.all([evaluateRule(db.prisma, rule), evaluateRule(db.prisma, rule)]);
    expect(await alertsOf(rule.id)).toHaveLength(2);
    expect(await deliveriesOf(rule.id)).toHaveLength(4);

    // The live device renews: the old certificate is superseded, its alert resolves and says so.
    await db.prisma.certificate.update({ where: { id: soon.id }, data: { supersededAt: new Date() } });
    expect(await evaluateRule(db.prisma, rule)).toMatchObject({ raised: 0, resolved: 1, deliveries: 2 });
    const resolved = (await alertsOf(rule.id)).find((a) => a.subjectId === soon.id)!;
    expect(resolved).toMatchObject({ state: 'RESOLVED', resolution: 'condition cleared', dedupeKey: null });
    expect((await deliveriesOf(rule.id)).filter((d) => d.event === 'RESOLVED')).toHaveLength(2);

    // The stranded device reports again: the alert stays (the certificate still expires), escalated as it was.
    await db.prisma.device.update({ where: { id: stranded.id }, data: { lastSeenAt: new Date() } });
    expect(await evaluateRule(db.prisma, rule)).toMatchObject({ raised: 0, escalated: 0, resolved: 0 });
  });

  it('escalates a standing alert when its device goes quiet, and one nobody acknowledged in time', async () => {
    const group = `esc-${make.unique()}`;
    const dev = await make.device(db.prisma, { group });
    await make.certificate(db.prisma, { deviceId: dev.id, expiresInDays: 20 });
    const channel = await make.emailChannel(db.prisma, 2525);
    const rule = await make.rule(db.prisma, { condition: 'CERT_EXPIRING', params: { withinDays: 30, renewalWindowDays: 7 }, group, channelIds: [channel.id] });
    await evaluateRule(db.prisma, rule);

    await db.prisma.device.update({ where: { id: dev.id }, data: { lastSeenAt: new Date(Date.now() - 8 * DAY) } });
    expect(await evaluateRule(db.prisma, rule)).toMatchObject({ escalated: 1, deliveries: 1 });
    const [alert] = await alertsOf(rule.id);
    expect(alert).toMatchObject({ severity: 'CRITICAL' });
    expect(alert!.escalatedAt).not.toBeNull();
    expect((await deliveriesOf(rule.id)).map((d) => d.event)).toEqual(['RAISED', 'ESCALATED']);
    expect(await evaluateRule(db.prisma, rule)).toMatchObject({ escalated: 0, deliveries: 0 });

    const timed = await make.rule(db.prisma, { condition: 'DEVICE_UNHEALTHY', params: { states: ['silent'] }, group, channelIds: [channel.id], escalateAfterMinutes: 30 });
    await db.prisma.device.update({ where: { id: dev.id }, data: { lastSeenAt: null } });
    await evaluateRule(db.prisma, timed);
    expect(await evaluateRule(db.prisma, timed, new Date(Date.now() + 31 * 60_000))).toMatchObject({ escalated: 1, deliveries: 1 });
    expect((await alertsOf(timed.id))[0]!.escalation).toBe('Open for 30 min and nobody has acknowledged it.');
  });
});

describe('other conditions', () => {
  it('device health: raises for the chosen states, in the rule’s group, and resolves when the device reports', async () => {
    const group = `health-${make.unique()}`;
    const late = await make.device(db.prisma, { group, lastSeenAt: new Date(Date.now() - 5 * 60_000) });
    const missing = await make.device(db.prisma, { group, lastSeenAt: new Date(Date.now() - 2 * 3_600_000) });
    const silent = await make.device(db.prisma, { group, lastSeenAt: null });
    await make.device(db.prisma, { group });
    const rule = await make.rule(db.prisma, { condition: 'DEVICE_UNHEALTHY', params: { states: ['missing', 'silent'] }, group });
    expect(await evaluateRule(db.prisma, rule)).toMatchObject({ raised: 2 });
    const alerts = await alertsOf(rule.id);
    expect(alerts.map((a) => a.subjectId).sort()).toEqual([missing.id, silent.id].sort());
    expect(alerts.find((a) => a.subjectId === silent.id)).toMatchObject({ severity: 'CRITICAL', summary: `${silent.name} is silent: it has never reported` });
    expect(alerts.find((a) => a.subjectId === missing.id)!.summary).toBe(`${missing.name} is missing: last report 2 h ago`);
    expect(alerts.some((a) => a.subjectId === late.id)).toBe(false);

    await db.prisma.device.update({ where: { id: missing.id }, data: { lastSeenAt: new Date() } });
    expect(await evaluateRule(db.prisma, rule)).toMatchObject({ raised: 0, resolved: 1 });
    // It goes missing again later: a new alert, the resolved one keeps its history.
    await db.prisma.device.update({ where: { id: missing.id }, data: { lastSeenAt: new Date(Date.now() - 3 * 3_600_000) } });
    expect(await evaluateRule(db.prisma, rule)).toMatchObject({ raised: 1 });
    expect((await alertsOf(rule.id)).filter((a) => a.subjectId === missing.id).map((a) => a.state).sort()).toEqual(['OPEN', 'RESOLVED']);
  });

  it('revocation completed is an event: told once, already resolved, and only for revocations after the rule was made', async () => {
    const group = `rev-${make.unique()}`;
    const dev = await make.device(db.prisma, { group });
    const rule = await make.rule(db.prisma, { condition: 'REVOCATION_COMPLETED', group });
    await make.certificate(db.prisma, { deviceId: dev.id, expiresInDays: 100, status: 'REVOKED', revokedAt: new Date(rule.createdAt.getTime() - 60_000) });
    const fresh = await make.certificate(db.prisma, { deviceId: dev.id, expiresInDays: 100, status: 'REVOKED', revokedAt: new Date(rule.createdAt.getTime() + 1_000) });
    expect(await evaluateRule(db.prisma, rule, new Date(Date.now() + 5_000))).toMatchObject({ raised: 1 });
    const [alert] = await alertsOf(rule.id);
    expect(alert).toMatchObject({ subjectId: fresh.id, state: 'RESOLVED', severity: 'INFO', resolution: 'event: nothing to clear' });
    expect(alert!.dedupeKey).not.toBeNull();
    expect(await evaluateRule(db.prisma, rule, new Date(Date.now() + 10_000))).toMatchObject({ raised: 0, resolved: 0 });
  });

  it('revocation failed: the edge accepting a revoked certificate, and a revocation stuck pending', async () => {
    const group = `revf-${make.unique()}`;
    const dev = await make.device(db.prisma, { group });
    const accepted = await make.certificate(db.prisma, { deviceId: dev.id, expiresInDays: 100, status: 'REVOKED', revokedAt: new Date(Date.now() - 60_000) });
    const refused = await make.certificate(db.prisma, { deviceId: dev.id, expiresInDays: 100, status: 'REVOKED', revokedAt: new Date(Date.now() - 60_000) });
    const stuck = await make.certificate(db.prisma, { deviceId: dev.id, expiresInDays: 100, status: 'PENDING_REVOCATION', revokedAt: new Date(Date.now() - 3_600_000) });
    await make.certificate(db.prisma, { deviceId: dev.id, expiresInDays: 100, status: 'PENDING_REVOCATION', revokedAt: new Date() });
    for (const [cert, action] of [
      [accepted, 'certificate.edge_accepted'],
      [refused, 'certificate.edge_refused'],
    ] as const) {
      await db.prisma.auditEvent.create({ data: { actorEmail: 'system:edge-proof', action, targetType: 'certificate', targetId: cert.id, details: { status: action.endsWith('accepted') ? 201 : 403 } } });
    }
    const rule = await make.rule(db.prisma, { condition: 'REVOCATION_FAILED', params: { pendingMinutes: 30 }, group });
    await evaluateRule(db.prisma, rule);
    const alerts = await alertsOf(rule.id);
    expect(alerts.map((a) => a.subjectId).sort()).toEqual([accepted.id, stuck.id].sort());
    expect(alerts.find((a) => a.subjectId === accepted.id)!.summary).toMatch(/The edge still accepts .* after its revocation \(answered 201\)/);
    // A later proof that the edge refuses it clears the alert.
    await db.prisma.auditEvent.create({ data: { actorEmail: 'system:edge-proof', action: 'certificate.edge_refused', targetType: 'certificate', targetId: accepted.id, details: { status: 403 } } });
    expect(await evaluateRule(db.prisma, rule)).toMatchObject({ resolved: 1 });
  });

  it('drift, enforcement, bulk jobs and the Cloudflare lock-out', async () => {
    const missing = await make.certificate(db.prisma, { deviceId: null, expiresInDays: 100, missingAtCloudflareAt: new Date() });
    const untracked = await make.certificate(db.prisma, { deviceId: null, expiresInDays: 100, source: 'RECONCILED' });
    const drift = await make.rule(db.prisma, { condition: 'RECONCILE_DRIFT' });
    await evaluateRule(db.prisma, drift);
    expect((await alertsOf(drift.id)).map((a) => a.subjectId).sort()).toEqual([missing.id, untracked.id].sort());

    const host = `h-${make.unique()}.example.com`;
    await db.prisma.enforcementCheck.create({ data: { hostname: host, enforced: true, checkedAt: new Date(Date.now() - 60_000) } });
    await db.prisma.enforcementCheck.create({ data: { hostname: host, enforced: false, detail: 'answered 200 without a certificate' } });
    const enforcement = await make.rule(db.prisma, { condition: 'ENFORCEMENT_RED' });
    await evaluateRule(db.prisma, enforcement);
    expect((await alertsOf(enforcement.id)).map((a) => a.summary)).toEqual([`${host} does not enforce client certificates: answered 200 without a certificate`]);
    await db.prisma.enforcementCheck.create({ data: { hostname: host, enforced: true, checkedAt: new Date(Date.now() + 1_000) } });
    expect(await evaluateRule(db.prisma, enforcement, new Date(Date.now() + 2_000))).toMatchObject({ resolved: 1 });

    const bulkRule = await make.rule(db.prisma, { condition: 'BULK_FINISHED' });
    const job = await db.prisma.bulkJob.create({
      data: {
        createdById: 'admin',
        finishedAt: new Date(Date.now() + 1_000),
        rows: { create: [{ rowIndex: 0, name: 'a', group: 'g', csr: '', status: 'ISSUED' }, { rowIndex: 1, name: 'b', group: 'g', csr: '', status: 'FAILED' }] },
      },
    });
    await evaluateRule(db.prisma, bulkRule, new Date(Date.now() + 2_000));
    expect((await alertsOf(bulkRule.id)).map((a) => [a.subjectId, a.summary, a.state])).toEqual([[job.id, 'Bulk enrollment finished: 1 of 2 issued, 1 failed', 'RESOLVED']]);

    const lockout = await make.rule(db.prisma, { condition: 'CLOUDFLARE_LOCKOUT' });
    expect(await evaluateRule(db.prisma, lockout)).toMatchObject({ raised: 0 });
    const seen = await recordCloudflareLockout(db.prisma, { retryAfterSeconds: 300, operation: 'listClientCertificates', source: 'job reconcile-certificates' });
    expect(await evaluateRule(db.prisma, lockout)).toMatchObject({ raised: 1 });
    expect((await alertsOf(lockout.id))[0]!.summary).toContain(`until ${seen.until.slice(11, 16)} UTC (seen by job reconcile-certificates, listClientCertificates)`);
    expect(await evaluateRule(db.prisma, lockout, new Date(Date.now() + 301_000))).toMatchObject({ resolved: 1 });

    // A 429 a person's click met (no job involved) locks the shared rate budget: the alert sees that too.
    const budget = rateBudgetFor({ apiToken: 'alert-test-token', zoneId: 'zone', baseUrl: 'http://127.0.0.1:1/client/v4' }, { prisma: () => db.prisma });
    await budget.recordLockout(120);
    const later = new Date(Date.now() + 302_000);
    expect(await evaluateRule(db.prisma, lockout, later)).toMatchObject({ raised: 0 });
    await db.prisma.cloudflareRateBudget.updateMany({ data: { lockedUntil: new Date(later.getTime() + 60_000) } });
    expect(await evaluateRule(db.prisma, lockout, later)).toMatchObject({ raised: 1 });
    const fromBudget = (await alertsOf(lockout.id)).find((a) => a.state !== 'RESOLVED')!;
    expect(fromBudget.summary).toContain('(seen by the shared rate budget)');
    await budget.reset();
    expect(await evaluateRule(db.prisma, lockout, later)).toMatchObject({ resolved: 1 });
  });
});
