import { request as playwrightRequest, type Request } from '@playwright/test';
import { expect, test } from './fixtures';
import pg from 'pg';
import { startSmtpSink, startWebhookReceiver, type SmtpSink, type WebhookReceiver } from '../lib/alerts/testing/receivers';
import { signIn } from './helpers';
import { readStack } from './stack';

// The "done when", in Chromium: an ADMIN adds an email channel (to a real SMTP server this spec
// starts) and a webhook channel (to a real receiver that verifies signatures as docs/alerts.md says),
// sends a test through each, sets an expiry rule for one group, and the demo fleet's certificates in
// that group raise alerts: the mail arrives, the webhook verifies. SUPPORT acknowledges one with a note;
// a MANAGER sees the alerts but can neither acknowledge nor configure.

test.describe.configure({ mode: 'serial' });

let sink: SmtpSink;
let receiver: WebhookReceiver;
let signingSecret = '';
/** The demo group the ADMIN's expiry rule watches (chosen where certificates expire soon). */
let group = 'cold-storage';
/** SUPPORT's acknowledge request as the browser sent it, replayed as MANAGER below. */
let ackRequest: Request | undefined;
const ruleName = `Expiring in cold storage ${Date.now().toString(36)}`;
const emailName = `On-call email ${Date.now().toString(36)}`;
const hookName = `Ops webhook ${Date.now().toString(36)}`;

/** Demo certificates of the group that expire within 30 days (the seed gives some 5 and 25 days). */
async function expiringInGroup(group: string): Promise<{ id: string; device: string }[]> {
  const client = new pg.Client({ connectionString: readStack().databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; device: string }>(
      `SELECT c.id, d.name AS device FROM "Certificate" c JOIN "Device" d ON d.id = c."deviceId"
        WHERE d."group" = $1 AND d.status = 'ACTIVE' AND c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."supersededAt" IS NULL
          AND c."expiresOn" < now() AT TIME ZONE 'UTC' + interval '31 days' ORDER BY d.name`,
      [group],
    );
    return rows;
  } finally {
    await client.end();
  }
}

test.beforeAll(async () => {
  sink = await startSmtpSink();
  receiver = await startWebhookReceiver({ secret: () => signingSecret });
});
test.afterAll(async () => {
  await sink?.stop();
  await receiver?.stop();
});

test('[ADMIN][ALERTS]: adds an email and a webhook channel, tests both, sets an expiry rule; the mail arrives and the webhook verifies', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/alerts/channels');

  // Email through the spec's own SMTP server.
  await page.getByRole('button', { name: 'New channel' }).click();
  let dialog = page.getByRole('dialog', { name: 'New channel' });
  await dialog.getByLabel('Name', { exact: true }).fill(emailName);
  await dialog.getByLabel('SMTP server').fill('127.0.0.1');
  await dialog.getByLabel('Port', { exact: true }).fill(String(sink.port));
  await dialog.getByLabel('Connection security').selectOption('none');
  await dialog.getByLabel('From', { exact: true }).fill('certfleet@e2e.test');
  // Bad input first: nothing is saved, the field says why.
  await dialog.getByLabel('To (one or more, separated by commas)').fill('not-an-address');
  await dialog.getByRole('button', { name: 'Save channel' }).click();
  await expect(dialog.getByText('Enter valid email addresses.')).toBeVisible();
  await dialog.getByLabel('To (one or more, separated by commas)').fill('oncall@e2e.test, ops@e2e.test');
  await dialog.getByRole('button', { name: 'Save channel' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Saved channel “${emailName}”.`);
  await dialog.getByRole('button', { name: 'Close' }).last().click();

  // A webhook with a signing secret made in the browser.
  await page.getByRole('button', { name: 'New channel' }).click();
  dialog = page.getByRole('dialog', { name: 'New channel' });
  await dialog.getByLabel('Name', { exact: true }).fill(hookName);
  await dialog.getByLabel('Kind', { exact: true }).selectOption('WEBHOOK');
  await dialog.getByLabel('URL', { exact: true }).fill(receiver.url);
  await dialog.getByRole('button', { name: 'Generate' }).click();
  signingSecret = await dialog.getByLabel('Signing secret').inputValue();
  expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  await dialog.getByRole('button', { name: 'Save channel' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Saved channel “${hookName}”.`);
  await dialog.getByRole('button', { name: 'Close' }).last().click();

  // The secret and the URL's path never come back to a page.
  const table = page.getByRole('table', { name: 'Alert channels' });
  const hookRow = table.getByRole('row').filter({ hasText: hookName });
  await expect(hookRow).toContainText(`${new URL(receiver.url).origin}/…`);
  const html = await page.content();
  expect(html).not.toContain(signingSecret.slice(6, 30));
  expect(html).not.toContain(new URL(receiver.url).pathname);

  // "Send a test" through each: a real mail, a verified webhook.
  await table.getByRole('row').filter({ hasText: emailName }).getByRole('button', { name: `Send a test to ${emailName}` }).click();
  await expect(table.getByRole('row').filter({ hasText: emailName }).getByRole('status')).toContainText('Test sent (the server answered 250).');
  await sink.until((m) => m.some((mail) => mail.subject?.includes('(test)') ?? false));
  await hookRow.getByRole('button', { name: `Send a test to ${hookName}` }).click();
  await expect(hookRow.getByRole('status')).toContainText('Test sent (the server answered 200).');
  expect(receiver.processed.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(['alert.test']);

  // An expiry rule for a demo group with certificates expiring within 31 days (the demo seeds 5- and 25-day
  // ones; other specs running beside this one may renew or revoke some), told to both channels.
  group = 'cold-storage';
  let expected = await expiringInGroup(group);
  for (const other of ['greenhouse', 'lab', 'warehouse']) {
    if (expected.length) break;
    group = other;
    expected = await expiringInGroup(group);
  }
  expect(expected.length).toBeGreaterThan(0);
  await page.goto('/alerts/rules');
  await page.getByRole('button', { name: 'New rule' }).click();
  dialog = page.getByRole('dialog', { name: 'New alert rule' });
  await dialog.getByLabel('Name', { exact: true }).fill(ruleName);
  await dialog.getByLabel('Condition').selectOption('CERT_EXPIRING');
  await dialog.getByLabel('Devices').selectOption(group);
  await dialog.getByLabel('Days left or fewer').fill('30');
  await dialog.getByLabel(emailName).check();
  await dialog.getByLabel(hookName).check();
  await dialog.getByRole('button', { name: 'Save rule' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Saved “${ruleName}” (Certificate expiring). Evaluated now: ${expected.length} alert`);
  await dialog.getByRole('button', { name: 'Close' }).last().click();
  await expect(page.getByRole('table', { name: 'Alert rules' }).getByRole('row').filter({ hasText: ruleName })).toContainText(group);

  // The job worker delivers: one mail and one verified webhook per alert.
  await sink.until((m) => expected.every((c) => m.some((mail) => mail.subject?.includes(`Certificate of ${c.device} (`) ?? false)));
  await receiver.until((r) => r.processed.filter((p) => (JSON.parse(p.body) as { type: string }).type === 'alert.raised').length >= expected.length);
  const raised = receiver.processed.map((p) => JSON.parse(p.body) as { type: string; data: { rule: { name: string }; subject: { id: string } } }).filter((b) => b.type === 'alert.raised');
  expect(receiver.requests.every((r) => r.verified)).toBe(true);
  expect(raised.map((b) => b.data.subject.id).sort()).toEqual(expected.map((c) => c.id).sort());
  expect(raised.every((b) => b.data.rule.name === ruleName)).toBe(true);
  const mails = sink.messages.filter((m) => m.subject?.includes('Certificate of'));
  expect(mails.length).toBe(expected.length);
  expect(mails[0]!.text).toMatch(/Open the alert: http:\/\/127\.0\.0\.1:\d+\/alerts\//);

  // The Alerts page lists them, the bell counts, and the detail shows both deliveries sent.
  await page.goto(`/alerts?condition=CERT_EXPIRING&group=${group}`);
  const alerts = page.getByRole('table', { name: 'Alerts' });
  for (const c of expected) await expect(alerts.getByRole('row').filter({ hasText: `Certificate of ${c.device}` }).filter({ hasText: ruleName })).toBeVisible();
  await expect(page.getByTestId('alerts-bell')).not.toHaveAttribute('data-open', '0');
  await alerts.getByRole('row').filter({ hasText: ruleName }).first().getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Certificate of ${group}-`);
  await expect(page.getByTestId('delivery').filter({ hasText: emailName })).toHaveAttribute('data-status', 'SENT');
  await expect(page.getByTestId('delivery').filter({ hasText: hookName })).toHaveAttribute('data-status', 'SENT');
});

test('[SUPPORT][ALERTS]: acknowledges one alert with a note; it is audited and stays until its condition clears', async ({ page }) => {
  await signIn(page, 'SUPPORT');
  await page.getByTestId('alerts-bell').click();
  await expect(page).toHaveURL(/\/alerts$/);
  await page.getByLabel('Condition').selectOption('CERT_EXPIRING');
  await expect(page).toHaveURL(/condition=CERT_EXPIRING/);
  await page.getByLabel('Group').selectOption(group);
  await expect(page).toHaveURL(new RegExp(`group=${group}`));
  const alerts = page.getByRole('table', { name: 'Alerts' });
  await expect(alerts).not.toHaveAttribute('aria-busy', 'true');
  await expect(alerts.getByRole('row').filter({ hasText: 'rule “Certificates expiring within 30 days”' }).first()).toBeVisible();
  const row = alerts.getByRole('row').filter({ hasText: ruleName }).first();
  const summary = (await row.getByRole('link').first().textContent())!;
  await row.getByRole('button', { name: /^Acknowledge(:|$)/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Acknowledge alert' });
  await dialog.getByLabel('Note (optional)').fill('renewing on site tomorrow');
  [ackRequest] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']),
    dialog.getByRole('button', { name: 'Acknowledge', exact: true }).click(),
  ]);
  // The row shows it at once (the dialog goes with the row's Acknowledge button).
  await expect(alerts.getByRole('row').filter({ hasText: summary }).filter({ hasText: ruleName })).toContainText(/Acknowledged\s*by support@certfleet\.local/);
  await expect(dialog).toHaveCount(0);

  await page.getByRole('button', { name: 'Acknowledged', exact: true }).click();
  await expect(page).toHaveURL(/state=ACKNOWLEDGED/);
  await expect(alerts).not.toHaveAttribute('aria-busy', 'true');
  await expect(alerts.getByRole('row').filter({ hasText: 'Open' })).toHaveCount(0);
  const acked = alerts.getByRole('row').filter({ hasText: summary }).filter({ hasText: ruleName });
  await expect(acked).toContainText('by support@certfleet.local');
  await acked.getByRole('link', { name: summary }).click();
  await expect(page.getByTestId('alert-facts')).toContainText('renewing on site tomorrow');
  await expect(page.getByRole('button', { name: /^Acknowledge(:|$)/ })).toHaveCount(0);

  await page.goto('/audit');
  await expect(page.getByRole('table').getByRole('row').filter({ hasText: 'alert.acknowledge' }).first()).toContainText('support@certfleet.local');
});

test('[MANAGER][ALERTS]: sees the alerts and the bell, but cannot acknowledge or open the rules and channels', async ({ page }) => {
  await signIn(page, 'MANAGER');
  await page.goto('/alerts?state=all');
  await expect(page.getByRole('table', { name: 'Alerts' }).getByRole('row').filter({ hasText: ruleName }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: /^Acknowledge(:|$)/ })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Alerts sections' })).toHaveCount(0);
  for (const path of ['/alerts/rules', '/alerts/channels']) {
    await page.goto(path);
    await expect(page.getByText('You do not have permission to configure alert rules and channels.')).toBeVisible();
  }
  expect((await page.request.get('/api/alerts/summary')).status()).toBe(200);

  // SUPPORT's acknowledge action, replayed with a MANAGER's session on another open alert: refused, unchanged.
  const db = new pg.Client({ connectionString: readStack().databaseUrl });
  await db.connect();
  try {
    const ackedId = (await db.query<{ id: string }>(`SELECT id FROM "Alert" WHERE "acknowledgeNote" = 'renewing on site tomorrow'`)).rows[0]!.id;
    expect(ackRequest!.postDataBuffer()!.toString('utf8')).toContain(ackedId);
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM "Alert" WHERE state = 'OPEN' AND id <> $1 LIMIT 1`, [ackedId]);
    const target = rows[0]!.id;
    const headers = Object.fromEntries(['next-action', 'next-router-state-tree', 'content-type', 'accept', 'origin'].map((h) => [h, ackRequest!.headers()[h]]).filter(([, v]) => v));
    const body = ackRequest!.postDataBuffer()!.toString('utf8').replaceAll(ackedId, target);
    const replay = await page.request.post(ackRequest!.url(), { headers, data: Buffer.from(body, 'utf8') });
    expect(await replay.text()).toContain('You do not have permission to acknowledge alerts.');
    expect((await db.query<{ state: string }>(`SELECT state FROM "Alert" WHERE id = $1`, [target])).rows[0]!.state).toBe('OPEN');
  } finally {
    await db.end();
  }
  const anonymous = await playwrightRequest.newContext({ baseURL: readStack().baseURL });
  expect((await anonymous.get('/api/alerts/summary')).status()).toBe(401);
  await anonymous.dispose();
});

test('[ADMIN][ALERTS]: deletes the rule (its standing alerts are resolved, kept) and a channel, each after saying what it does', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/alerts/rules');
  const rules = page.getByRole('table', { name: 'Alert rules' });
  await rules.getByRole('button', { name: `Delete rule ${ruleName}`, exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Delete rule' });
  await expect(dialog).toContainText('Its standing alerts are resolved (nobody is told) and kept with their history.');
  await dialog.getByRole('button', { name: 'Delete rule', exact: true }).click();
  // The dialog belongs to the deleted rule's row: the answer removes the row, and the dialog with it.
  await expect(rules.getByRole('row').filter({ hasText: ruleName })).toHaveCount(0);
  await expect(dialog).toHaveCount(0);

  const db = new pg.Client({ connectionString: readStack().databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM "Alert" WHERE "ruleName" = $1 GROUP BY state`, [ruleName]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.state)).toEqual(['RESOLVED']);
  } finally {
    await db.end();
  }

  await page.goto('/alerts/channels');
  const channels = page.getByRole('table', { name: 'Alert channels' });
  await channels.getByRole('button', { name: `Delete channel ${hookName}`, exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Delete channel' });
  await expect(dialog).toContainText('Messages still waiting for it are cancelled');
  await dialog.getByRole('button', { name: 'Delete channel', exact: true }).click();
  await expect(channels.getByRole('row').filter({ hasText: hookName })).toHaveCount(0);
  await expect(dialog).toHaveCount(0);
  await expect(channels.getByRole('row').filter({ hasText: emailName })).toHaveCount(1);
});
