/**
 * The call log in Chromium, on the KPI data set (New York tenant, a browser in
 * another time zone): a figure clicked on the overview (KPI cards, a heatmap
 * cell, a leaderboard cell) opens the call log whose total equals the figure; a
 * filter, a sort and paging (all in the URL); the CSV export downloads the whole
 * filtered set; rows link to /calls/<id>. Screenshots at 1440 and 390 px, and no
 * sideways page scroll at 390 px.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import { startWebhookApp, type WebhookApp } from '../helpers/webhooks.ts';

declare const document: { documentElement: { scrollWidth: number; clientWidth: number } };

const PASSWORD = 'call-log-password';
const WAIT_MS = 20_000;

let api: WebhookApp;
let browser: ChromiumSession;
let page: Page;
let data: KpiDataset;
let tenant: KpiTenant;

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild();
  api = await startWebhookApp({ graphql: true, env: { RATE_LIMIT_BURST: '5000' } });
  data = await seedKpiDataset(api.pool);
  tenant = data.tenants.find((t) => t.key === 'newyork')!;
  await api.pool.query(
    `insert into app_private.member_secrets (member_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))
     on conflict (member_id) do update set password_hash = excluded.password_hash`,
    [tenant.userId, PASSWORD],
  );
  browser = await launchChromium({ viewport: { width: 1440, height: 900 }, timezoneId: 'Asia/Tokyo' });
  page = await browser.context.newPage();
  await page.goto(`${api.url}/`);
  await page.getByLabel('Email').fill(tenant.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="kpi-calls"][data-value]', { timeout: WAIT_MS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function callLogTotal(): Promise<string> {
  await page.waitForURL(/\/calls\?/, { timeout: WAIT_MS });
  // the totals arrive in their own request, after or before the page
  const totals = page.locator('[data-testid="call-log-totals"][data-state="ready"]');
  await totals.waitFor({ timeout: WAIT_MS });
  return (await totals.getAttribute('data-calls')) ?? '';
}

async function backToOverview(): Promise<void> {
  await page.goto(`${api.url}/`);
  await page.waitForSelector('[data-testid="kpi-calls"][data-value]', { timeout: WAIT_MS });
}

async function rowsOnPage(): Promise<Array<{ id: string; duration: number; href: string }>> {
  return page.$$eval('[data-testid="call-log"] tbody tr', (trs) =>
    trs.map((tr) => ({
      id: tr.getAttribute('data-call-id') ?? '',
      duration: Number(tr.querySelector('[data-label="Duration"]')?.getAttribute('data-value') ?? 'NaN'),
      href: tr.querySelector('a')?.getAttribute('href') ?? '',
    })),
  );
}

describe('drill-down from the overview', () => {
  for (const card of ['calls', 'hotLeads', 'leads', 'creditsUsed']) {
    it(`the ${card} card opens the calls behind it`, async () => {
      await backToOverview();
      const value = await page.getByTestId(`kpi-${card}`).getAttribute('data-value');
      await page.getByTestId(`kpi-${card}`).getByRole('link').click();
      if (card === 'creditsUsed') {
        // a sum: the call log lists the charged calls and its credits total is the figure
        await callLogTotal();
        await expect.poll(() => page.getByTestId('call-log-totals').textContent(), { timeout: WAIT_MS }).toContain(Number(value).toLocaleString('en-US'));
      } else {
        await expect.poll(callLogTotal, { timeout: WAIT_MS }).toBe(value);
      }
    });
  }

  it('a heatmap cell and a leaderboard cell open exactly their calls', async () => {
    await backToOverview();
    const cell = page.locator('td.heat[data-calls]:not([data-calls="0"])').first();
    const calls = await cell.getAttribute('data-calls');
    await cell.click();
    await expect.poll(callLogTotal, { timeout: WAIT_MS }).toBe(calls);
    expect(page.url()).toMatch(/weekday=\d&hour=\d+/);

    await backToOverview();
    const leaderboardCell = page.locator('[data-testid="leaderboard"] td[data-col="leads"]').first();
    const leads = await leaderboardCell.getAttribute('data-value');
    await leaderboardCell.getByRole('link').click();
    await expect.poll(callLogTotal, { timeout: WAIT_MS }).toBe(leads);
    await screenshot(page, 'dashboard/call-log-drilldown-1440');
  });
});

describe('the call log page', () => {
  it('filters (in the URL), sorts, pages, links rows to their call page, and exports the whole filtered set', async () => {
    await page.goto(`${api.url}/calls?from=2020-01-01&to=2028-12-31`);
    const all = Number(await callLogTotal());
    expect(all).toBeGreaterThan(100);

    // a filter
    await page.getByTestId('filter-outcomes').selectOption('successful');
    await page.waitForURL(/outcome=successful/, { timeout: WAIT_MS });
    const { rows } = await api.pool.query<{ n: string }>(
      `select count(*) n from app_public.calls where user_id = $1 and outcome = 'successful'`, [tenant.userId]);
    await expect.poll(callLogTotal, { timeout: WAIT_MS }).toBe(rows[0]!.n);

    // a sort
    await page.getByTestId('sort-duration').click();
    await page.waitForURL(/sort=duration/, { timeout: WAIT_MS });
    await expect.poll(async () => {
      const r = await rowsOnPage();
      return r.length > 1 && r.every((row, i) => i === 0 || r[i - 1]!.duration >= row.duration);
    }, { timeout: WAIT_MS }).toBe(true);

    // paging
    const first = await rowsOnPage();
    expect(first).toHaveLength(50);
    expect(first[0]!.href).toBe(`/calls/${first[0]!.id}`);
    await page.getByTestId('page-next').click();
    await page.waitForURL(/after=/, { timeout: WAIT_MS });
    // (while the next page loads there are no rows: wait for rows that are not the first page's)
    await expect.poll(async () => (await rowsOnPage())[0]?.id ?? first[0]!.id, { timeout: WAIT_MS }).not.toBe(first[0]!.id);
    const second = await rowsOnPage();
    expect(second.some((r) => first.some((f) => f.id === r.id))).toBe(false);
    expect(second[0]!.duration).toBeLessThanOrEqual(first.at(-1)!.duration);
    await page.getByTestId('page-previous').click();
    await expect.poll(async () => (await rowsOnPage())[0]?.id, { timeout: WAIT_MS }).toBe(first[0]!.id);

    // the export: every call of the filter, not only the page
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('call-log-export').click()]);
    const text = await readFile((await download.path())!, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^callId,startedAt,/);
    expect(lines.length - 1).toBe(Number(rows[0]!.n));
    await screenshot(page, 'dashboard/call-log-1440');
  });

  it('fits a 390 px phone: no sideways page scroll, the table scrolls in its own box', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${api.url}/calls?from=2020-01-01&to=2028-12-31`);
    await callLogTotal();
    await page.waitForSelector('[data-testid="call-log"] tbody tr', { timeout: WAIT_MS });
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    await screenshot(page, 'dashboard/call-log-390');
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
