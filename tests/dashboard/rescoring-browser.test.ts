/**
 * Re-scoring in a real browser: the settings page estimates a range, asks for
 * confirmation, starts a run that the real worker (built-in analyser) carries
 * out, shows it in the history, and compares the two prompt versions on the
 * same calls; the contact page charts the score history. Screenshots at 1440
 * and 390 px go to test-artifacts/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { seedRescorable, type RescorableTenant } from '../helpers/rescoring.ts';
import { startWebhookApp, type WebhookApp } from '../helpers/webhooks.ts';

interface BoxElement {
  tagName: string;
  className: unknown;
  getBoundingClientRect(): { right: number };
  closest(selector: string): unknown;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<BoxElement>;
  documentElement: { clientWidth: number };
};

const PASSWORD = 'rescoring-browser-password';
const WAIT_MS = 20_000;

let api: WebhookApp;
let worker: WorkerHandle | undefined;
let tenant: RescorableTenant;
let browser: ChromiumSession;
let page: Page;

async function widerThanScreen(): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-scroll, .heatmap-scroll'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${typeof element.className === "object" && element.className !== null && "baseVal" in element.className ? String(element.className.baseVal) : String(element.className)}`);
  });
}

/** Screenshots at 1440 and 390 px; at 390 nothing is wider than the screen. */
async function bothWidths(name: string): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await screenshot(page, `dashboard/${name}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(widerThanScreen, { timeout: WAIT_MS }).toEqual([]);
  await screenshot(page, `dashboard/${name}-phone`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild();
  api = await startWebhookApp({ graphql: true, env: { RATE_LIMIT_BURST: '5000' } });
  tenant = await seedRescorable(api.pool, { calls: 8, days: 5, phones: 2, timezone: 'Asia/Kolkata', score: (i) => 35 + 7 * i });
  await api.pool.query(`update app_public.users set analysis_prompt_individual = 'Score strictly: only a booked demo is hot.' where id = $1`, [tenant.userId]);
  await api.pool.query(
    `insert into app_private.member_secrets (member_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))
     on conflict (member_id) do update set password_hash = excluded.password_hash`,
    [tenant.userId, PASSWORD],
  );
  worker = await startWorker({ connectionString: api.db.connectionString, concurrency: 2, cron: false, pollInterval: 50, openai: null, sms: null });
  const { rows } = await api.pool.query<{ email: string }>('select email::text as email from app_public.users where id = $1', [tenant.userId]);
  browser = await launchChromium({ viewport: { width: 1440, height: 900 }, timezoneId: 'Asia/Kolkata' });
  page = await browser.context.newPage();
  await page.goto(`${api.url}/`);
  await page.getByLabel('Email').fill(rows[0]!.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="kpi-calls"][data-value]', { timeout: WAIT_MS });
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await api?.close();
});

describe('re-scoring in Chromium', () => {
  it('estimates, confirms, runs to completion, lists the run and compares the versions', async () => {
    await page.goto(`${api.url}/settings/rescoring`);
    const estimate = page.getByTestId('rescoring-estimate');
    await expect.poll(() => estimate.textContent(), { timeout: WAIT_MS }).toContain('Calls8');
    await expect.poll(() => page.getByTestId('estimated-cost').textContent(), { timeout: WAIT_MS }).toMatch(/^\$0\.\d+/);
    await page.getByRole('button', { name: 'Review and start…' }).click();
    const confirm = page.getByTestId('confirm-run');
    await expect.poll(() => confirm.textContent(), { timeout: WAIT_MS }).toMatch(/Re-score 8 calls from .* for about \$0\.\d+\?/);
    await screenshot(page, 'dashboard/rescoring-confirm');
    await page.getByRole('button', { name: 'Start the run' }).click();

    const firstRun = page.locator('[data-testid="run-history"] tr[data-run-id]').first();
    await expect.poll(() => firstRun.getAttribute('data-status'), { timeout: WAIT_MS }).toBe('completed');
    expect(await firstRun.textContent()).toContain('8 switched');
    const { rows } = await api.pool.query('select status, calls_applied, analyzer from app_public.rescoring_runs where user_id = $1', [tenant.userId]);
    expect(rows).toEqual([{ status: 'completed', calls_applied: 8, analyzer: 'builtin' }]);

    // The comparison: the seed's version before, the run's after, on the same 8 calls.
    await expect.poll(() => page.getByTestId('compare-summary').textContent(), { timeout: WAIT_MS }).toMatch(/^8 calls compared/);
    const leads = page.locator('[data-testid="compare-table"] tr[data-figure="leads"] td');
    expect(await leads.allTextContents()).toEqual(['Leads', '8', '8', '0']);
    await bothWidths('rescoring');
  });

  it('charts a contact\u2019s score history, earlier versions included', async () => {
    const { rows } = await api.pool.query<{ id: string }>('select contact_id as id from app_public.calls where id = $1', [tenant.callIds[0]]);
    await page.goto(`${api.url}/contacts/${rows[0]!.id}`);
    await page.waitForSelector('.recharts-legend-item', { timeout: WAIT_MS });
    await expect.poll(() => page.locator('.recharts-legend-item').allTextContents(), { timeout: WAIT_MS }).toContain('Earlier version');
    await bothWidths('contact-score-history');
  });
});
