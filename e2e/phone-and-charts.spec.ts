import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { NAV_BY_ROLE, signIn } from './helpers';
import { sql } from './inventory';

/*
 * What a person meets at phone width and on the readings charts (issue 14): each test failed on the code
 * before its fix. Devices read here (greenhouse-05, warehouse-05) are picked by no other spec.
 */

const PHONE = { width: 390, height: 844 } as const;

const HREF: Record<string, string> = {
  Overview: '/',
  Alerts: '/alerts',
  Devices: '/devices',
  Certificates: '/certificates',
  'Certificate doctor': '/doctor',
  Reconcile: '/reconcile',
  'EST enrollment': '/est',
  'Renewal planner': '/est/planner',
  'mTLS hosts': '/mtls',
  'Custom CSRs': '/custom-csrs',
  Readings: '/readings',
  'Audit log': '/audit',
  Settings: '/settings',
  Users: '/users',
};

async function deviceId(name: string): Promise<string> {
  const [row] = await sql<{ id: string }>(`SELECT id FROM "Device" WHERE name = $1`, [name]);
  if (!row) throw new Error(`no device ${name}`);
  return row.id;
}

/** How far the page itself scrolls sideways (a table may scroll inside its own box; the page must not). */
const pageOverflow = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

test.describe('phone width', () => {
  test.use({ viewport: PHONE });

  test('[ADMIN][PHONE]: no dashboard page scrolls sideways at 390 px', async ({ page }) => {
    await signIn(page, 'ADMIN');
    const paths = [...NAV_BY_ROLE.ADMIN.map((label) => HREF[label]!), `/devices/${await deviceId('warehouse-05')}`, `/readings/${await deviceId('warehouse-05')}`];
    const wide: string[] = [];
    for (const path of paths) {
      await page.goto(path);
      await expect(page.locator('main h1').first()).toBeVisible();
      const overflow = await pageOverflow(page);
      if (overflow > 0) wide.push(`${path} by ${overflow} px`);
    }
    expect(wide).toEqual([]);
  });

  test('[SUPPORT][PHONE NAV]: the cut-off strip shows which way it scrolls, scrolls on a tap, and shows the current page', async ({ page }) => {
    await signIn(page, 'SUPPORT');
    const strip = page.getByTestId('mobile-nav');
    const nav = page.getByRole('navigation', { name: 'Main (compact)', exact: true });
    const right = strip.getByRole('button', { name: 'Scroll navigation right', exact: true });
    const left = strip.getByRole('button', { name: 'Scroll navigation left', exact: true });

    // At the start: more to the right only.
    await expect(right).toBeVisible();
    await expect(left).toHaveCount(0);
    await right.click();
    await expect.poll(() => nav.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    await expect(left).toBeVisible();

    // A page far down the list: its link is in the strip's visible part, not cut off.
    await page.goto('/audit');
    const active = nav.getByRole('link', { name: 'Audit log', exact: true });
    await expect(active).toHaveAttribute('aria-current', 'page');
    await expect
      .poll(async () => {
        const [a, n] = await Promise.all([active.boundingBox(), nav.boundingBox()]);
        return a && n ? a.x >= n.x && a.x + a.width <= n.x + n.width : false;
      })
      .toBe(true);
    await expect(left).toBeVisible();
  });

  test('[MANAGER][PHONE CHART]: the fleet chart spends its height on the plot: one legend, outside it, shorter than it', async ({ page }) => {
    await signIn(page, 'MANAGER');
    await page.goto('/readings');
    const chart = page.getByTestId('fleet-chart');
    await expect(chart.locator('.recharts-cartesian-grid')).toBeVisible();
    await expect(chart.locator('.recharts-legend-wrapper')).toHaveCount(0);
    const legend = page.getByTestId('fleet-legend');
    await expect(legend.getByText('Average of cold-storage', { exact: true })).toBeVisible();
    const [legendBox, plotBox] = await Promise.all([legend.boundingBox(), chart.locator('.recharts-cartesian-grid').boundingBox()]);
    expect(legendBox!.height).toBeLessThan(plotBox!.height);
    expect(plotBox!.height).toBeGreaterThan(250);
  });
});

test.describe('phone width, dark', () => {
  test.use({ viewport: PHONE, colorScheme: 'dark' });

  // A few pages of the opt-in sweep (e2e/accessibility.spec.ts) on every run: a table wider than the phone is a
  // focusable region, a red button keeps its contrast in dark mode, links in running text are underlined.
  test('[SUPPORT][PHONE A11Y]: axe finds nothing serious on the planner, a certificate and a device in dark mode at 390 px', async ({ page }) => {
    await signIn(page, 'SUPPORT');
    const [cert] = await sql<{ id: string; deviceId: string }>(
      `SELECT c.id, c."deviceId" FROM "Certificate" c JOIN "Device" d ON d.id = c."deviceId" WHERE d.name = 'warehouse-05' AND c.status = 'ACTIVE'`,
    );
    for (const path of ['/est/planner', `/certificates/${cert!.id}`, `/devices/${cert!.deviceId}`]) {
      await page.goto(path);
      await expect(page.locator('main h1').first()).toBeVisible();
      const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${path} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect(serious).toEqual([]);
    }
  });
});

test.describe('charts', () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test('[MANAGER][FLEET CHART]: one legend, x ticks evenly spaced on round times, and the summary says why max is above the lines', async ({ page }) => {
    await signIn(page, 'MANAGER');
    for (const range of ['24h', '7d']) {
      await page.goto(`/readings?range=${range}`);
      const chart = page.getByTestId('fleet-chart');
      await expect(chart.locator('.recharts-cartesian-grid')).toBeVisible();
      // One legend: the list above the chart, none inside it.
      await expect(chart.locator('.recharts-legend-wrapper')).toHaveCount(0);
      await expect(page.getByRole('list', { name: 'Drawn devices', exact: true }).getByRole('link', { name: 'cold-storage-01', exact: true })).toBeVisible();

      const xs = await chart.locator('.recharts-xAxis .recharts-cartesian-axis-tick-line').evaluateAll((lines) => lines.map((l) => Number(l.getAttribute('x1'))));
      expect(xs.length, `${range} ticks`).toBeGreaterThanOrEqual(3);
      const gaps = xs.slice(1).map((x, i) => x - xs[i]!);
      for (const gap of gaps) expect(Math.abs(gap - gaps[0]!), `${range} tick gaps ${gaps.join(', ')}`).toBeLessThan(1.5);
      const labels = await chart.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
      expect(labels).toHaveLength(xs.length);
      // Round times: whole hours (the 12-hour clock of en-US or a 24-hour one).
      for (const label of labels) expect(label, `${range} tick ${label}`).toMatch(/\d:00(\s?[AP]M)?$/);
    }

    const summary = page.getByTestId('fleet-summary');
    await expect(summary).toContainText('Each line is an average per');
    const match = /average runs (-?[\d.]+) °C to (-?[\d.]+) °C, single readings (-?[\d.]+) °C \(lowest\) to (-?[\d.]+) °C \(highest\)/.exec(await summary.innerText());
    expect(match, await summary.innerText()).not.toBeNull();
    const [avgLow, avgHigh, low, high] = match!.slice(1).map(Number) as [number, number, number, number];
    expect(low).toBeLessThanOrEqual(avgLow);
    expect(high).toBeGreaterThanOrEqual(avgHigh);
  });

  test('[MANAGER][SPARKLINE]: the device sparkline has clock and temperature axes and gives the true last reading with its time', async ({ page }) => {
    await signIn(page, 'MANAGER');
    const id = await deviceId('greenhouse-05');
    // The newest reading committed before the page is asked for (read first: a pull's receivedAt is its transaction's
    // start, so "received before the page load" could name a reading its render could not yet see).
    const [newest] = await sql<{ time: Date | null }>(`SELECT max(time) AS time FROM "Reading" WHERE "deviceId" = $1`, [id]);
    await page.goto(`/devices/${id}`);
    const spark = page.getByTestId('device-sparkline');
    await expect(spark.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').first()).toBeVisible();
    const xLabels = await spark.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
    expect(xLabels.length).toBeGreaterThanOrEqual(3);
    for (const label of xLabels) expect(label).toMatch(/^\d{2}:00$/);
    expect(await spark.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').count()).toBeGreaterThanOrEqual(2);

    // The newest single reading, not the last 15-minute average: its time is a reading's time in the database,
    // no older than the newest one stored before the page was asked for.
    const last = page.getByTestId('last-reading');
    await expect(last).toContainText('Last reading');
    const shownAt = await last.locator('time').getAttribute('datetime');
    const [row] = await sql<{ temperature: number }>(`SELECT temperature FROM "Reading" WHERE "deviceId" = $1 AND time = $2`, [id, shownAt]);
    expect(row, `a reading at ${shownAt}`).toBeDefined();
    await expect(last).toContainText(`${row!.temperature.toFixed(2)} °C`);
    expect(Date.parse(shownAt!)).toBeGreaterThanOrEqual(newest!.time!.getTime());
  });

  test('[ADMIN][DATES]: the audit filter and the custom range write the chosen date as the app does ("Dec 6, 2026")', async ({ page }) => {
    await signIn(page, 'ADMIN');
    await page.goto('/audit');
    const from = page.getByLabel('From', { exact: true });
    await from.fill('2026-12-06');
    await expect(page).toHaveURL(/from=2026-12-06/);
    await expect(from).toHaveAccessibleDescription('Dec 6, 2026');

    await page.goto('/readings');
    await page.getByText('Custom range', { exact: true }).click();
    const start = page.getByLabel('From', { exact: true });
    await expect(start).toHaveAccessibleDescription(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/);
    await start.fill('2026-12-01T08:30');
    await expect(start).toHaveAccessibleDescription(/^Dec 1, 2026, 8:30\sAM$/);
  });
});
