import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { deliverDueAlerts, type DeliverOptions } from './deliver';
import { sendDueDigests } from './digest';
import { evaluateRule } from './evaluate';
import * as make from './testing/factories';
import { startSmtpSink, startWebhookReceiver, type Respond } from './testing/receivers';
import { generateSigningSecret } from './webhook-signature';

// Delivery against a real SMTP server (smtp-server) and a real HTTP receiver that verifies signatures as
// docs/alerts.md says, including the faults: SMTP down, a webhook answering 500 or hanging, and workers
// killed between evaluation and delivery or in the middle of a send. Waits are for events, not time.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let db: TestDatabase;
const fast: DeliverOptions = { workerId: 'test', retryDelaysMs: [200, 200, 200], timeoutMs: 5_000 };

beforeAll(async () => {
  process.env.CERTFLEET_SECRETS_KEY ??= 'alerts-test-key';
  db = await createTestDatabase();
});
afterAll(() => db?.stop());

/** A rule raising `n` alerts (silent devices in a group of their own) to `channelIds`. */
async function raise(n: number, channelIds: string[]) {
  const group = `deliver-${make.unique()}`;
  for (let i = 0; i < n; i++) await make.device(db.prisma, { group, lastSeenAt: null });
  const rule = await make.rule(db.prisma, { condition: 'DEVICE_UNHEALTHY', params: { states: ['silent'] }, group, channelIds });
  return { rule, evaluate: () => evaluateRule(db.prisma, rule) };
}

const deliveriesOf = (channelId: string) =>
  db.prisma.alertDelivery.findMany({ where: { channelId }, include: { log: { orderBy: { number: 'asc' } } }, orderBy: { createdAt: 'asc' } });

/** Runs delivery until `check` holds (a retry's wait passes, a lease runs out): bounded by the test's timeout. */
async function deliverUntil(prisma: PrismaClient, check: () => Promise<boolean>, opts: DeliverOptions = fast): Promise<void> {
  while (!(await check())) {
    await deliverDueAlerts(prisma, opts);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function child(mode: string, env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--import', path.join(root, 'scripts/server-only.mjs'), path.join(root, 'lib/alerts/testing/deliver-child.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, CHILD_MODE: mode, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, exited, output: () => out };
}

describe('delivery', () => {
  it('sends an email to a real SMTP server once, with the alert, a link and a stable Message-ID', async () => {
    const sink = await startSmtpSink();
    try {
      const channel = await make.emailChannel(db.prisma, sink.port, { to: ['oncall@test.local', 'ops@test.local'] });
      const { evaluate } = await raise(1, [channel.id]);
      await evaluate();
      expect(await deliverDueAlerts(db.prisma, fast)).toMatchObject({ claimed: 1, sent: 1 });
      expect(await deliverDueAlerts(db.prisma, fast)).toMatchObject({ claimed: 0 });
      expect(sink.messages).toHaveLength(1);
      const [mail] = sink.messages;
      const [delivery] = await deliveriesOf(channel.id);
      expect(mail!.subject).toMatch(/^\[certfleet\] CRITICAL: alert-dev-.* is silent: it has never reported$/);
      expect(mail!.messageId).toBe(`<${delivery!.id}@certfleet.alerts>`);
      expect([mail!.to].flat().map((a) => a?.text)).toEqual(['oncall@test.local, ops@test.local']);
      expect(mail!.text).toMatch(/Open the alert: http:\/\/.*\/alerts\//);
      expect(delivery).toMatchObject({ status: 'SENT', attempts: 1, lastStatusCode: 250, lastError: null });
      expect(delivery!.log.map((a) => a.outcome)).toEqual(['sent']);
    } finally {
      await sink.stop();
    }
  });

  it('signs webhooks so a receiver following docs/alerts.md verifies them; the Slack format carries text and blocks', async () => {
    const secret = generateSigningSecret();
    const receiver = await startWebhookReceiver({ secret });
    try {
      const standard = await make.webhookChannel(db.prisma, receiver.url, secret);
      const slack = await make.webhookChannel(db.prisma, receiver.url, secret, { format: 'slack' });
      const { evaluate } = await raise(1, [standard.id, slack.id]);
      await evaluate();
      await deliverDueAlerts(db.prisma, fast);
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.requests.every((r) => r.verified)).toBe(true);
      const bodies = receiver.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
      const event = bodies.find((b) => b.type) as { type: string; data: { severity: string; subject: { type: string }; url: string } };
      expect(event.type).toBe('alert.raised');
      expect(event.data).toMatchObject({ severity: 'critical', subject: { type: 'device' } });
      const slackBody = bodies.find((b) => b.blocks) as { text: string; blocks: unknown[] };
      expect(slackBody.text).toMatch(/^Alert \(critical\): /);
      expect(slackBody.blocks.length).toBeGreaterThan(0);
      // A tampered body or a stale timestamp does not verify.
      const { documentedVerify } = await import('./testing/receivers');
      const r = receiver.requests[0]!;
      expect(documentedVerify(secret, r.headers, `${r.body} `)).toBe(false);
      expect(documentedVerify(secret, r.headers, r.body, Date.now() + 301_000)).toBe(false);
    } finally {
      await receiver.stop();
    }
  });

  it('SMTP server down: logs the refused attempt, retries with backoff, and sends once when it is up', async () => {
    const port = await freePort();
    const channel = await make.emailChannel(db.prisma, port);
    const { evaluate } = await raise(1, [channel.id]);
    await evaluate();
    expect(await deliverDueAlerts(db.prisma, { ...fast, retryDelaysMs: [60_000] })).toMatchObject({ claimed: 1, sent: 0, retrying: 1 });
    let [delivery] = await deliveriesOf(channel.id);
    expect(delivery).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(delivery!.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
    expect(delivery!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(delivery!.log.map((a) => a.outcome)).toEqual(['failed']);

    const sink = await startSmtpSink({ port });
    try {
      await db.prisma.alertDelivery.update({ where: { id: delivery!.id }, data: { nextAttemptAt: new Date() } }); // the backoff's wait, skipped
      await deliverUntil(db.prisma, async () => sink.messages.length > 0);
      await deliverDueAlerts(db.prisma, fast);
      [delivery] = await deliveriesOf(channel.id);
      expect(delivery).toMatchObject({ status: 'SENT', attempts: 2, lastStatusCode: 250 });
      expect(delivery!.log.map((a) => a.outcome)).toEqual(['failed', 'sent']);
      expect(sink.messages).toHaveLength(1);
    } finally {
      await sink.stop();
    }
  });

  it('a webhook answering 500 is retried until it takes the message; the log keeps each answer', async () => {
    const secret = generateSigningSecret();
    const respond: Respond = ({ n }) => (n === 0 ? 500 : 200);
    const receiver = await startWebhookReceiver({ secret, respond });
    try {
      const channel = await make.webhookChannel(db.prisma, receiver.url, secret);
      const { evaluate } = await raise(1, [channel.id]);
      await evaluate();
      await deliverUntil(db.prisma, async () => receiver.processed.length === 1);
      const [delivery] = await deliveriesOf(channel.id);
      expect(delivery).toMatchObject({ status: 'SENT', attempts: 2, lastStatusCode: 200 });
      expect(delivery!.log.map((a) => [a.outcome, a.statusCode])).toEqual([
        ['failed', 500],
        ['sent', 200],
      ]);
      expect(receiver.requests.map((r) => r.id)).toEqual([delivery!.id, delivery!.id]);
    } finally {
      await receiver.stop();
    }
  });

  it('a webhook that hangs times out and is sent again with the same webhook-id; the receiver acts once', async () => {
    const secret = generateSigningSecret();
    const receiver = await startWebhookReceiver({ secret, respond: ({ n }) => (n === 0 ? 'hang' : 200) });
    try {
      const channel = await make.webhookChannel(db.prisma, receiver.url, secret);
      const { evaluate } = await raise(1, [channel.id]);
      await evaluate();
      await deliverUntil(db.prisma, async () => receiver.processed.length === 1, { ...fast, timeoutMs: 500 });
      const [delivery] = await deliveriesOf(channel.id);
      expect(delivery!.log.map((a) => a.outcome)).toEqual(['timeout', 'sent']);
      expect(delivery!.log[0]!.error).toBe('no answer within 1 s');
      expect(new Set(receiver.requests.map((r) => r.id))).toEqual(new Set([delivery!.id]));
      expect(receiver.processed).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });

  it('a worker killed between evaluation and delivery loses nothing: another worker sends each message once', async () => {
    const sink = await startSmtpSink();
    const secret = generateSigningSecret();
    const receiver = await startWebhookReceiver({ secret });
    try {
      const email = await make.emailChannel(db.prisma, sink.port);
      const hook = await make.webhookChannel(db.prisma, receiver.url, secret);
      await raise(3, [email.id, hook.id]);
      const doomed = child('evaluate-then-die');
      expect((await doomed.exited).signal).toBe('SIGKILL');
      expect(doomed.output()).toContain('EVALUATED');
      // Everything the dead worker decided is in the database, nothing was sent.
      expect(sink.messages).toHaveLength(0);
      expect(await db.prisma.alertDelivery.count({ where: { channelId: { in: [email.id, hook.id] }, status: 'PENDING' } })).toBe(6);

      await deliverDueAlerts(db.prisma, fast);
      expect(sink.messages).toHaveLength(3);
      expect(receiver.processed).toHaveLength(3);
      expect(receiver.requests).toHaveLength(3);
      expect(await db.prisma.alertDelivery.count({ where: { channelId: { in: [email.id, hook.id] }, status: 'SENT', attempts: 1 } })).toBe(6);
    } finally {
      await sink.stop();
      await receiver.stop();
    }
  });

  it('a worker killed mid-send: its claim runs out, another sends again with the same id, the log says "interrupted"', async () => {
    const secret = generateSigningSecret();
    let hung!: () => void;
    const arrived = new Promise<void>((resolve) => (hung = resolve));
    const receiver = await startWebhookReceiver({
      secret,
      respond: ({ n }) => {
        if (n === 0) {
          hung();
          return 'hang';
        }
        return 200;
      },
    });
    try {
      const channel = await make.webhookChannel(db.prisma, receiver.url, secret);
      const { evaluate } = await raise(1, [channel.id]);
      await evaluate();
      const doomed = child('deliver', { LEASE_MS: '1500' });
      await arrived;
      doomed.proc.kill('SIGKILL');
      await doomed.exited;
      await deliverUntil(db.prisma, async () => receiver.processed.length === 1);
      const [delivery] = await deliveriesOf(channel.id);
      expect(delivery).toMatchObject({ status: 'SENT', attempts: 2 });
      expect(delivery!.log.map((a) => [a.workerId, a.outcome])).toEqual([
        ['doomed', 'interrupted'],
        ['test', 'sent'],
      ]);
      expect(receiver.requests.map((r) => r.id)).toEqual([delivery!.id, delivery!.id]);
      expect(receiver.processed).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });

  it('keeps channel secrets out of the delivery log', async () => {
    const port = await freePort();
    const secret = generateSigningSecret();
    const channel = await make.webhookChannel(db.prisma, `http://127.0.0.1:${port}/services/T0KEN-s3cr3t-path?key=abc123def`, secret);
    const { evaluate } = await raise(1, [channel.id]);
    await evaluate();
    await deliverDueAlerts(db.prisma, { ...fast, retryDelaysMs: [60_000] });
    const [delivery] = await deliveriesOf(channel.id);
    expect(delivery!.status).toBe('PENDING');
    expect(delivery!.lastError).toMatch(/fetch failed|ECONNREFUSED/);
    const logged = JSON.stringify(delivery, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    expect(logged).not.toContain('T0KEN');
    expect(logged).not.toContain('abc123def');
    expect(logged).not.toContain(secret.slice(6, 20));
  });

  it('a digest channel gets one daily message carrying every batched alert', async () => {
    const sink = await startSmtpSink();
    try {
      const channel = await make.emailChannel(db.prisma, sink.port, { digest: true });
      const { evaluate } = await raise(2, [channel.id]);
      await evaluate();
      expect(await deliverDueAlerts(db.prisma, fast)).toMatchObject({ claimed: 0 });
      const first = await sendDueDigests(db.prisma);
      expect(first).toMatchObject({ digests: 1, carried: 2 });
      expect((await sendDueDigests(db.prisma)).digests).toBe(0); // one a day
      await deliverDueAlerts(db.prisma, fast);
      expect(sink.messages).toHaveLength(1);
      expect(sink.messages[0]!.subject).toBe('[certfleet] Daily digest: 2 raised, 0 escalated, 0 resolved');
      const rows = await deliveriesOf(channel.id);
      expect(rows.map((d) => `${d.event}:${d.status}`).sort()).toEqual(['DIGEST:SENT', 'RAISED:SENT', 'RAISED:SENT']);
    } finally {
      await sink.stop();
    }
  });

  it('does not send through a disabled channel: what waited is cancelled, and says why', async () => {
    const channel = await make.emailChannel(db.prisma, 9);
    const { evaluate } = await raise(1, [channel.id]);
    await evaluate();
    await db.prisma.alertChannel.update({ where: { id: channel.id }, data: { enabled: false } });
    await deliverDueAlerts(db.prisma, fast);
    const [delivery] = await deliveriesOf(channel.id);
    expect(delivery).toMatchObject({ status: 'CANCELLED', lastError: 'the channel is disabled' });
  });
});
