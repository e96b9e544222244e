import type { EmailConfig } from '@/lib/alerts/channel-config';
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';

/** The demo's "Local inbox" channel: fixed id, so every `npm start` points it at that run's mail catcher. */
export const DEMO_CHANNEL_ID = 'demo-local-inbox';
const SEEDED_SETTING = 'demo.alertsSeeded';
const ACTOR = { id: null, email: 'system:demo' };

/**
 * The demo's alerting: a "Local inbox" email channel to the mail catcher, and (once, on first start) a
 * few fleet-wide rules so the demo fleet raises alerts and mail arrives. An ADMIN changes or deletes
 * them like any others; they are not seeded again. Each change is audited as `system:demo`.
 */
export async function seedDemoAlerts(prisma: PrismaClient, mail: { smtpPort: number }): Promise<string | undefined> {
  const config: EmailConfig = {
    host: '127.0.0.1',
    port: mail.smtpPort,
    security: 'none',
    username: null,
    from: 'certfleet@certfleet.local',
    to: ['ops@certfleet.local'],
  };
  const audit = (tx: Prisma.TransactionClient, action: string, targetType: string, targetId: string, targetLabel: string, details: Prisma.InputJsonObject) =>
    tx.auditEvent.create({ data: { actorId: ACTOR.id, actorEmail: ACTOR.email, action, targetType, targetId, targetLabel, details } });

  return prisma.$transaction(async (tx) => {
    const existing = await tx.alertChannel.findUnique({ where: { id: DEMO_CHANNEL_ID }, select: { config: true, name: true } });
    if (existing) {
      if ((existing.config as unknown as EmailConfig).port !== mail.smtpPort) {
        await tx.alertChannel.update({ where: { id: DEMO_CHANNEL_ID }, data: { config: { ...config } } });
        await audit(tx, 'alert_channel.update', 'alert_channel', DEMO_CHANNEL_ID, existing.name, { reason: 'npm start moved the mail catcher', port: mail.smtpPort });
      }
    }
    if (await tx.setting.findUnique({ where: { key: SEEDED_SETTING } })) return undefined;
    if (!existing) {
      await tx.alertChannel.create({ data: { id: DEMO_CHANNEL_ID, name: 'Local inbox (npm start)', kind: 'EMAIL', config: { ...config } } });
      await audit(tx, 'alert_channel.create', 'alert_channel', DEMO_CHANNEL_ID, 'Local inbox (npm start)', { kind: 'EMAIL', host: config.host, port: config.port, to: config.to });
    }
    const rules: { name: string; condition: 'CERT_EXPIRING' | 'DEVICE_UNHEALTHY' | 'REVOCATION_FAILED' | 'ENFORCEMENT_RED' | 'CLOUDFLARE_LOCKOUT'; params: Prisma.InputJsonObject }[] = [
      { name: 'Certificates expiring within 30 days', condition: 'CERT_EXPIRING', params: { withinDays: 30, renewalWindowDays: 7 } },
      { name: 'Devices missing or silent', condition: 'DEVICE_UNHEALTHY', params: { states: ['missing', 'silent'] } },
      { name: 'Revocation failed', condition: 'REVOCATION_FAILED', params: { pendingMinutes: 30 } },
      { name: 'mTLS not enforced', condition: 'ENFORCEMENT_RED', params: {} },
      { name: 'Cloudflare rate-limit lock-out', condition: 'CLOUDFLARE_LOCKOUT', params: {} },
    ];
    for (const rule of rules) {
      const created = await tx.alertRule.create({
        data: { ...rule, createdByEmail: ACTOR.email, channels: { create: [{ channelId: DEMO_CHANNEL_ID }] } },
        select: { id: true },
      });
      await audit(tx, 'alert_rule.create', 'alert_rule', created.id, rule.name, { condition: rule.condition, params: rule.params, channelIds: [DEMO_CHANNEL_ID] });
    }
    await tx.setting.create({ data: { key: SEEDED_SETTING, value: true } });
    return `${rules.length} alert rules to the local inbox`;
  });
}
