import { readFileSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import pg from 'pg';
import { classifyHealth } from '../lib/readings/health';
import { signIn } from './helpers';
import { readStack } from './stack';

// A MANAGER reads the demo fleet's temperatures: the fleet view and one device's chart drawn by Recharts from
// SQL buckets, range presets kept in the URL, the chart API's size and extremes checked against the database,
// and the CSV download checked against the raw rows.

const HOUR = 3_600_000;

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: readStack().databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function deviceId(name: string): Promise<string> {
  const [row] = await sql<{ id: string }>('SELECT id FROM "Device" WHERE name = $1', [name]);
  if (!row) throw new Error(`no demo device ${name}`);
  return row.id;
}

/** The `d` of every path Recharts drew for `selector` inside `chart`, empty ones left out. */
async function drawnPaths(page: Page, chart: string, selector: string): Promise<string[]> {
  const ds = await page.getByTestId(chart).locator(selector).evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? ''));
  return ds.filter((d) => d.length > 20);
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

test.describe('manager charts', () => {
  test('[MANAGER][VIEW]: the fleet view charts the demo fleet with health, limits and a legend', async ({ page }) => {
    await signIn(page, 'MANAGER');
    await page.goto('/readings');
    await expect(page.getByRole('heading', { name: 'Readings', level: 1 })).toBeVisible();

    // The first group is drawn: one line per device plus the average, each a real path.
    const chart = page.getByTestId('fleet-chart');
    await expect(chart.locator('svg.recharts-surface').first()).toBeVisible();
    await expect.poll(async () => (await drawnPaths(page, 'fleet-chart', 'path.recharts-line-curve')).length).toBe(11);
    // Its one legend is the list of drawn devices beside it.
    const legend = page.getByTestId('fleet-legend');
    await expect(legend.getByRole('link', { name: 'cold-storage-01', exact: true })).toBeVisible();
    await expect(legend.getByText('Average of cold-storage', { exact: true })).toBeVisible();

    // Each device's health follows its own reporting interval (lib/readings/health.ts), as the database has it
    // now (the simulated fleet keeps posting, so devices near a boundary may flip meanwhile: those are skipped).
    // The table shows the first page of 50 by group and name. Another spec may enroll a device meanwhile: read
    // the fleet, and the page again, until the two agree.
    const devices = page.getByTestId('fleet-devices');
    let loadedAt = Date.now();
    let rows: { name: string; lastSeenAt: Date | null; reportIntervalSec: number }[] = [];
    let fleet = 0;
    await expect(async () => {
      const listed = `FROM "Device" WHERE NOT "isCanary" AND status IN ('ACTIVE', 'INACTIVE')`;
      rows = await sql<{ name: string; lastSeenAt: Date | null; reportIntervalSec: number }>(`SELECT name, "lastSeenAt", "reportIntervalSec" ${listed} ORDER BY "group", name LIMIT 50`, []);
      fleet = (await sql<{ n: number }>(`SELECT count(*)::int AS n ${listed}`, []))[0]!.n;
      const shown = await devices.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device')));
      if (shown.join('\n') !== rows.map((r) => r.name).join('\n')) {
        await page.reload();
        loadedAt = Date.now();
      }
      await expect(devices.locator('tbody tr')).toHaveCount(rows.length);
      await expect(page.getByTestId('fleet-devices-range')).toHaveText(`1–${rows.length} of ${fleet.toLocaleString('en')}`);
    }).toPass();
    let compared = 0;
    for (const row of rows) {
      const age = row.lastSeenAt ? loadedAt - row.lastSeenAt.getTime() : Infinity;
      const edges = [2 * row.reportIntervalSec * 1000, 10 * row.reportIntervalSec * 1000, 24 * HOUR];
      if (edges.some((edge) => Math.abs(age - edge) < 30_000)) continue;
      const badge = devices.locator(`tr[data-device="${row.name}"] [data-health]`);
      await expect(badge, row.name).toHaveAttribute('data-health', classifyHealth(row.lastSeenAt, row.reportIntervalSec, new Date(loadedAt)));
      compared++;
    }
    expect(compared).toBeGreaterThan(rows.length / 2);
    const counts = await Promise.all(['live', 'late', 'missing', 'silent'].map(async (h) => Number((await page.getByTestId(`health-${h}`).locator('p').first().innerText()).replace(/,/g, ''))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(fleet);
    // A MANAGER sees limits but cannot change them.
    await expect(page.getByRole('button', { name: /Edit limits|Edit default limits/ })).toHaveCount(0);

    // The tooltip shows the values under the pointer.
    const plot = chart.locator('.recharts-cartesian-grid');
    await plot.scrollIntoViewIfNeeded();
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect(page.getByTestId('chart-tooltip')).toContainText('°C');
    await expect(page.getByTestId('chart-tooltip')).toContainText('cold-storage-');

    // Another group, chosen through the URL-driven form.
    await page.getByLabel('Group', { exact: true }).selectOption('lab');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(page).toHaveURL(/group=lab/);
    await expect(page.getByTestId('fleet-legend').getByRole('link', { name: 'lab-01', exact: true })).toBeVisible();
  });

  test('[MANAGER][VIEW]: the device table filters by health and name, and draws the ticked devices', async ({ page }) => {
    await signIn(page, 'MANAGER');
    await page.goto('/readings');
    const devices = page.getByTestId('fleet-devices');

    // A name fragment: only the matching devices, counted as the database counts them.
    const filter = page.getByRole('form', { name: 'Filter devices' });
    await filter.getByLabel('Name contains').fill('lab-0');
    await filter.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/q=lab-0/);
    const labs = await sql<{ name: string }>(`SELECT name FROM "Device" WHERE NOT "isCanary" AND status IN ('ACTIVE', 'INACTIVE') AND name LIKE '%lab-0%' ORDER BY "group", name`, []);
    expect(labs.length).toBeGreaterThan(1);
    await expect(page.getByTestId('fleet-devices-range')).toHaveText(`1–${labs.length} of ${labs.length}`);
    expect(await devices.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device')))).toEqual(labs.map((l) => l.name));

    // Tick two of them and draw them: the chart and its legend follow, the filter stays.
    await devices.getByRole('checkbox', { name: `Draw ${labs[0]!.name}` }).check();
    await devices.getByRole('checkbox', { name: `Draw ${labs[1]!.name}` }).check();
    await page.getByRole('button', { name: 'Draw ticked devices' }).click();
    await expect(page).toHaveURL(/device=.*device=/);
    await expect(page).toHaveURL(/q=lab-0/);
    const legend = page.getByTestId('fleet-legend');
    await expect(legend.getByRole('link')).toHaveText([labs[0]!.name, labs[1]!.name]);
    await expect(devices.getByRole('checkbox', { name: `Draw ${labs[0]!.name}` })).toBeChecked();

    // A health card lists the devices of that health: every row shown has it.
    await page.getByTestId('health-live').getByRole('link').click();
    await expect(page).toHaveURL(/health=live/);
    await expect(page.getByLabel('Health', { exact: true })).toHaveValue('live');
    await page.getByLabel('Name contains').fill('');
    await page.getByRole('form', { name: 'Filter devices' }).getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === '' && url.searchParams.get('health') === 'live', { waitUntil: 'load' });
    await expect(page.getByLabel('Name contains')).toHaveValue('');
    await expect(devices.locator('tbody tr [data-health]').first()).toBeVisible();
    const healths = await devices.locator('tbody tr [data-health]').evaluateAll((badges) => badges.map((b) => b.getAttribute('data-health')));
    expect(healths.length).toBeGreaterThan(0);
    expect(new Set(healths)).toEqual(new Set(['live']));
    // The card and the table of one page load count the same moment (other specs enroll devices: maybe more than a page).
    const live = Number((await page.getByTestId('health-live').getByRole('link').innerText()).replace(/,/g, ''));
    expect(healths.length).toBe(Math.min(50, live));
    await expect(page.getByTestId('fleet-devices-range')).toHaveText(`1–${healths.length} of ${live.toLocaleString('en')}`);
  });

  test('[MANAGER][VIEW]: a device chart with band, average and limits; presets and a custom range change the URL', async ({ page }) => {
    await signIn(page, 'MANAGER');
    await page.goto('/readings');
    await page.getByTestId('fleet-devices').getByRole('link', { name: 'cold-storage-03', exact: true }).click();
    await expect(page).toHaveURL(/\/readings\/[^/?]+$/);
    await expect(page.getByRole('heading', { name: 'cold-storage-03', level: 1 })).toBeVisible();

    await expect.poll(() => drawnPaths(page, 'device-chart', 'path.recharts-area-area').then((p) => p.length)).toBeGreaterThan(0);
    expect((await drawnPaths(page, 'device-chart', 'path.recharts-line-curve')).length).toBeGreaterThan(0);
    // The cold-storage limits (2–8 °C) as reference lines.
    await expect.poll(() => page.getByTestId('device-chart').locator('.recharts-reference-line').count()).toBeGreaterThanOrEqual(2);
    await expect(page.getByTestId('device-chart')).toContainText('max 8 °C');
    await expect(page.getByTestId('device-chart').locator('.recharts-legend-item-text').filter({ hasText: 'Average' })).toBeVisible();

    const plot = page.getByTestId('device-chart').locator('.recharts-cartesian-grid');
    await plot.scrollIntoViewIfNeeded();
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    const tooltip = page.getByTestId('chart-tooltip');
    await expect(tooltip).toContainText('Bucket 2 min');
    await expect(tooltip).toContainText(/Max\s*-?\d+\.\d{3} °C/);

    await page.getByRole('navigation', { name: 'Time range' }).getByRole('link', { name: '7 d' }).click();
    await expect(page).toHaveURL(/[?&]range=7d/);
    await expect(page.getByRole('link', { name: '7 d' })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId('range-summary')).toContainText('15 min');
    // The door left open two days ago (+6.5 °C) breaks the 8 °C limit.
    await expect.poll(async () => Number((await page.getByTestId('summary-max').innerText()).replace(/[^\d.-]/g, ''))).toBeGreaterThan(8);

    await page.getByRole('link', { name: '90 d' }).click();
    await expect(page).toHaveURL(/[?&]range=90d/);
    await expect(page.getByTestId('range-summary')).toContainText('3 h');

    await page.getByText('Custom range').click();
    const end = new Date(Date.now() - 24 * HOUR);
    const start = new Date(end.getTime() - 6 * HOUR);
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('From', { exact: true }).fill(local(start));
    await page.getByLabel('To', { exact: true }).fill(local(end));
    await page.getByRole('button', { name: 'Show range' }).click();
    await expect(page).toHaveURL(/[?&]from=.*&to=/);
    await expect(page).not.toHaveURL(/range=/);
    await expect(page.getByTestId('range-summary')).toContainText('30 s');
  });

  test('[MANAGER][API]: a 90-day chart has at most ~1,000 points carrying the range’s true min and max', async ({ page }) => {
    await signIn(page, 'MANAGER');
    const id = await deviceId('greenhouse-02');
    // Ends before the stack started, so readings pulled meanwhile cannot change the truth under the test.
    const to = new Date(Date.now() - 15 * 60_000);
    const from = new Date(to.getTime() - 90 * 24 * HOUR);
    const response = await page.request.get(`/api/readings/devices/${id}?from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(response.status()).toBe(200);
    const view = (await response.json()) as { points: { t: number; min: number; max: number; count: number }[]; summary: { min: number; max: number; count: number }; widthSeconds: number };
    expect(view.points.length).toBeGreaterThan(10);
    expect(view.points.length).toBeLessThanOrEqual(1000);
    expect(view.widthSeconds).toBe(10_800);

    const [truth] = await sql<{ min: number; max: number; n: number }>(
      'SELECT min(temperature) AS min, max(temperature) AS max, count(*)::int AS n FROM "Reading" WHERE "deviceId" = $1 AND "time" >= $2 AND "time" < $3',
      [id, from, to],
    );
    expect(Math.min(...view.points.map((p) => p.min))).toBe(truth!.min);
    expect(Math.max(...view.points.map((p) => p.max))).toBe(truth!.max);
    expect(view.summary).toMatchObject({ min: truth!.min, max: truth!.max, count: truth!.n });

    // The preset too, and the fleet's series.
    const preset = (await (await page.request.get(`/api/readings/devices/${id}?range=90d`)).json()) as { points: unknown[] };
    expect(preset.points.length).toBeLessThanOrEqual(1000);
    const fleet = (await (await page.request.get('/api/readings/fleet?group=greenhouse&range=90d')).json()) as { series: { points: unknown[] }[]; average: unknown[] };
    expect(fleet.series.length).toBe(9);
    for (const s of [...fleet.series.map((x) => x.points), fleet.average]) expect(s.length).toBeLessThanOrEqual(1000);
    expect((await page.request.get(`/api/readings/devices/${id}?range=2y`)).status()).toBe(400);
  });

  test('[MANAGER][CSV]: the download equals the raw readings of a device over a range', async ({ page }) => {
    await signIn(page, 'MANAGER');
    const id = await deviceId('lab-04');
    const to = new Date(Math.floor((Date.now() - 20 * HOUR) / 60_000) * 60_000);
    const from = new Date(to.getTime() - 8 * HOUR);
    await page.goto(`/readings/${id}?from=${from.toISOString()}&to=${to.toISOString()}`);
    await expect(page.getByRole('heading', { name: 'lab-04', level: 1 })).toBeVisible();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^readings_lab-04_\d{8}-\d{4}_\d{8}-\d{4}\.csv$/);
    const [header, ...rows] = parseCsv(readFileSync((await download.path())!, 'utf8'));
    expect(header).toEqual(['time', 'device_id', 'device_name', 'certificate_fingerprint', 'temperature', 'worker_seq', 'received_at']);

    const raw = await sql<{ time: Date; certificateFingerprint: string; temperature: number; workerSeq: string | null; receivedAt: Date }>(
      'SELECT "time", "certificateFingerprint", temperature, "workerSeq"::text AS "workerSeq", "receivedAt" FROM "Reading" WHERE "deviceId" = $1 AND "time" >= $2 AND "time" < $3 ORDER BY "time", id',
      [id, from, to],
    );
    expect(raw.length).toBeGreaterThan(50); // 8 h of 5-minute history
    expect(rows).toEqual(
      raw.map((r) => [r.time.toISOString(), id, 'lab-04', r.certificateFingerprint, String(r.temperature), r.workerSeq ?? '', r.receivedAt.toISOString()]),
    );
  });
});

test.describe('limits and pulls', () => {
  test('[MANAGER][API]: may pull now but not change limits', async ({ page }) => {
    await signIn(page, 'MANAGER');
    const id = await deviceId('lab-05');
    const device = await page.request.put(`/api/readings/devices/${id}/limits`, { data: { minTemperature: 0, maxTemperature: 1, reportIntervalSec: 5 } });
    expect(device.status()).toBe(403);
    expect(await device.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'You do not have permission to edit temperature thresholds.' } });
    expect((await page.request.put('/api/readings/groups/lab/limits', { data: { minTemperature: 0, maxTemperature: 1 } })).status()).toBe(403);
    const [row] = await sql<{ minTemperature: number; reportIntervalSec: number }>('SELECT "minTemperature", "reportIntervalSec" FROM "Device" WHERE id = $1', [id]);
    expect(row).toEqual({ minTemperature: 18, reportIntervalSec: 60 });

    const pull = await page.request.post('/api/readings/pull');
    expect(pull.status()).toBe(200);
    expect(await pull.json()).toMatchObject({ readings: expect.any(Number), ms: expect.any(Number) });
  });

  test('[ADMIN][EDIT]: sets and clears a group default in the fleet view, refused bad input', async ({ page }) => {
    await signIn(page, 'ADMIN');
    await page.goto('/readings');
    await page.getByRole('button', { name: 'Edit default limits of warehouse' }).click();
    const dialog = page.getByRole('dialog', { name: 'Default limits of warehouse' });
    await dialog.getByLabel('Minimum (°C)').fill('9');
    await dialog.getByLabel('Maximum (°C)').fill('3');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toContainText('The maximum must be above the minimum.');
    await dialog.getByLabel('Maximum (°C)').fill('31.5');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByRole('row', { name: /^warehouse 9/ });
    await expect(row).toContainText('9.0 °C');
    await expect(row).toContainText('31.5 °C');

    await page.getByRole('button', { name: 'Edit default limits of warehouse' }).click();
    await dialog.getByLabel('Minimum (°C)').fill('');
    await dialog.getByLabel('Maximum (°C)').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('row', { name: /^warehouse 9 — —/ })).toBeVisible();
    const events = await sql<{ actorEmail: string }>(`SELECT "actorEmail" FROM "AuditEvent" WHERE action = 'group.limits.update' AND "targetId" = 'warehouse'`, []);
    expect(events.map((e) => e.actorEmail)).toEqual(['admin@certfleet.local', 'admin@certfleet.local']);
  });
});
