import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import { expect, test } from './fixtures';
import { generateKeyAndCsr, parseCertificate } from '../lib/pki';
import { csvField } from '../lib/validation/bulk-csv';
import { signIn } from './helpers';
import { configureCloudflare, sql } from './inventory';
import { type E2EStack, readStack } from './stack';

/*
 * An ADMIN uploads a CSV: a dry run lists every problem of a bad file without issuing anything; a
 * 200-row file then enrolls with a progress bar against the local Cloudflare with a small rate limit
 * (so certfleet's pacing is what keeps it from being locked out), and every row is issued exactly once.
 */

const ROWS = 200;
/** 100 requests per 20 s, then a 2-minute lock-out: 200 issuances cannot take less than ~20 s. */
const RATE_LIMIT = { limit: 100, windowMs: 20_000, lockoutMs: 120_000 };

function ourStack(baseURL: string | undefined): E2EStack {
  const stack = readStack();
  expect(stack.baseURL, 'e2e-stack.json was written by another e2e server (another E2E_PORT)').toBe(baseURL);
  return stack;
}

const csvOf = (rows: string[][]) => `name,group,csr\r\n${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;

/** Every client certificate the local Cloudflare lists (its rate limit must be off). */
async function cloudflareCommonNames(stack: E2EStack): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; ; page++) {
    const response = await fetch(`${stack.cloudflare.apiBaseUrl}/zones/${stack.cloudflare.zoneId}/client_certificates?per_page=50&page=${page}`, {
      headers: { authorization: `Bearer ${stack.cloudflare.apiToken}` },
    });
    const body = (await response.json()) as { result: { common_name: string }[] };
    if (!body.result.length) return names;
    names.push(...body.result.map((c) => c.common_name));
  }
}

test('[ADMIN][BULK]: a bad CSV is reported row by row; a 200-row CSV enrolls with progress under a small rate limit', async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const stack = ourStack(baseURL);
  const run = randomBytes(3).toString('hex');
  // Named to sort after the demo fleet: other specs sharing this server look for the demo devices on the first
  // page of the devices table and for the demo's first group in the fleet view.
  const group = `zz-bulk-e2e-${run}`;
  const names = Array.from({ length: ROWS }, (_, i) => `zz-bulk-${run}-${String(i + 1).padStart(3, '0')}`);
  const csrs = await Promise.all(names.map(async (name) => (await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: name } })).csrPem));

  await signIn(page, 'ADMIN');
  await page.goto('/devices/bulk');
  const fileInput = page.getByLabel('CSV file');
  // The page's form hydrates behind the route's loading boundary, after the shell's hydration mark: a file chosen
  // before React attached the input's handler is lost (seen once on a busy machine: no dry run was ever asked for).
  await expect(fileInput).toHaveAttribute('data-ready', 'true');

  // A bad file: every problem, per row, and nothing to start.
  const bad = csvOf([
    [`bad-${run}-1`, group, csrs[0]!],
    [`bad-${run}-1`, group, csrs[1]!],
    [`bad-${run}-3`, group, 'not a CSR'],
    ['lab-01', group, csrs[2]!],
    [`bad-${run}-5`, '', csrs[3]!],
  ]);
  await fileInput.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  const dryRun = page.getByTestId('dry-run');
  await expect(dryRun).toContainText('4 of 5 rows have problems');
  await expect(page.getByTestId('problem-row-2')).toContainText('also used by row 1');
  await expect(page.getByTestId('problem-row-3')).toContainText('not a certificate signing request');
  await expect(page.getByTestId('problem-row-4')).toContainText('"lab-01" exists already');
  await expect(page.getByTestId('problem-row-5')).toContainText('group is missing');
  await expect(page.getByRole('button', { name: /^Enroll \d+ devices$/ })).toHaveCount(0);
  expect(await sql(`SELECT 1 FROM "Device" WHERE name LIKE $1`, [`bad-${run}-%`])).toEqual([]);

  // The good file, against a rate-limited Cloudflare.
  const processAnswers: { waitSeconds?: number; message?: string; issued: number }[] = [];
  page.on('response', async (response) => {
    if (response.url().endsWith('/process') && response.request().method() === 'POST') processAnswers.push(await response.json().catch(() => ({ issued: -1 })));
  });
  const previous = await configureCloudflare({ rateLimit: RATE_LIMIT });
  let elapsed = 0;
  try {
    await fileInput.setInputFiles({ name: 'fleet.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf(names.map((n, i) => [n, group, csrs[i]!]))) });
    await expect(dryRun).toContainText(`All ${ROWS} rows are ready`);
    const started = Date.now();
    await page.getByRole('button', { name: `Enroll ${ROWS} devices` }).click();

    const bar = page.getByRole('progressbar', { name: 'Bulk enrollment progress' });
    await expect(bar).toHaveAttribute('aria-valuemax', String(ROWS));
    // Progress shows on the way, not only at the end.
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 120_000 })
      .toBeGreaterThan(0);
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(ROWS);
    await expect(page).toHaveURL(/\/devices\/bulk\?job=/);

    await expect(page.getByRole('status').filter({ hasText: `All ${ROWS} devices enrolled.` })).toBeVisible({ timeout: 240_000 });
    elapsed = Date.now() - started;
    await expect(bar).toHaveAttribute('aria-valuenow', String(ROWS));
    await expect(page.getByTestId('bulk-progress')).toContainText(`${ROWS} issued, 0 failed`);
  } finally {
    await configureCloudflare(previous);
  }
  // Paced: at 100 requests per 20 s, 200 issuances need at least 20 s…
  expect(elapsed).toBeGreaterThan(20_000);
  // …and the queue was never refused for going too fast.
  expect(processAnswers.length).toBeGreaterThan(1);
  expect(processAnswers.filter((a) => a.waitSeconds && /rate limit/i.test(a.message ?? ''))).toEqual([]);

  // Every row has its device and exactly one certificate, here and at Cloudflare.
  const rows = await sql<{ name: string; status: string; certificates: string; source: string }>(
    `SELECT d.name, d.status, count(c.id)::text AS certificates, min(c.source::text) AS source
       FROM "Device" d LEFT JOIN "Certificate" c ON c."deviceId" = d.id WHERE d."group" = $1 GROUP BY d.name, d.status`,
    [group],
  );
  expect(rows).toHaveLength(ROWS);
  expect(rows.every((r) => r.status === 'ACTIVE' && r.certificates === '1' && r.source === 'BULK')).toBe(true);
  const atCloudflare = (await cloudflareCommonNames(stack)).filter((cn) => cn.startsWith(`zz-bulk-${run}-`));
  expect(atCloudflare).toHaveLength(ROWS);
  expect(new Set(atCloudflare).size).toBe(ROWS);
  await expect(page.getByTestId(`bulk-row-${ROWS}`)).toContainText('Issued');

  // One download for the whole job: a zip with every certificate and a manifest naming each one.
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: `Download all certificates (zip, ${ROWS})` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^certfleet-bulk-.+\.zip$/);
  const files = unzipSync(new Uint8Array(await readFile(await download.path())));
  const manifest = strFromU8(files['manifest.csv']).trim().split('\r\n');
  expect(manifest).toHaveLength(ROWS + 1);
  expect(manifest[0]).toBe('row,name,group,status,file,serial_number,ski,fingerprint_sha256,expires_on,error');
  const pems = Object.keys(files).filter((f) => f.startsWith('certificates/'));
  expect(pems).toHaveLength(ROWS);
  const first = manifest[1].split(',');
  expect(first.slice(0, 4)).toEqual(['1', `zz-bulk-${run}-001`, group, 'ISSUED']);
  const certificate = await parseCertificate(strFromU8(files[first[4]]));
  expect(certificate.subject.CN).toBe(`zz-bulk-${run}-001`);
  expect(certificate.serialNumber).toBe(first[5]);
});
