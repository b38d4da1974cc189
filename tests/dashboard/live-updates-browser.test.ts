/**
 * Live updates in a real browser (issue 18, item 3): the overview open in
 * Chromium sends no GraphQL request while nothing changes (it used to poll
 * every 5 s), and a call posted to the Bolna webhook shows on screen without a
 * reload once the compactor (run here as the worker's tick does) pushes
 * "changed" through GET /api/events. GraphQL requests are counted from the
 * page's own network events.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { ARTIFACTS_DIR, launchChromium, requireChromium, type ChromiumSession } from '../helpers/browser.ts';
import { bolnaSequence, seedIngestTenant, startWebhookApp, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';

declare const window: { __noReload?: boolean };

const PASSWORD = 'live-updates-browser-password';
const WAIT_MS = 30_000;
/** Longer than the old polling interval (5 s): a polling page would send at least one request. */
const IDLE_WINDOW_MS = 7_000;
const DIST = path.join(ARTIFACTS_DIR, 'live-updates-dashboard-dist');

let app: WebhookApp;
let browser: ChromiumSession;
let page: Page;
let tenant: IngestTenant;
/** performance.now() of every POST /graphql the page sent. */
const graphqlRequests: number[] = [];

async function callsOnScreen(): Promise<string | null> {
  return page.getByTestId('kpi-calls').getAttribute('data-value');
}

async function postCall(): Promise<void> {
  for (const event of bolnaSequence({ agentId: tenant.bolnaAgentId, createdAt: new Date(Date.now() - 5 * 60_000) })) {
    const { status } = await app.postBolna(tenant.bolnaToken, event);
    expect(status).toBe(200);
  }
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild({ distDir: DIST });
  app = await startWebhookApp({ graphql: true, compactEveryMs: 250, dashboardDistDir: DIST, env: { RATE_LIMIT_BURST: '5000' } });
  tenant = await seedIngestTenant(app.pool);
  await app.pool.query(`insert into app_private.user_secrets (user_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))`, [tenant.userId, PASSWORD]);
  // one call, so the overview shows figures rather than the onboarding checklist
  await postCall();
  const { rows } = await app.pool.query<{ email: string }>('select email from app_public.users where id = $1', [tenant.userId]);
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') graphqlRequests.push(performance.now());
  });
  await page.goto(`${app.url}/`);
  await page.getByLabel('Email').fill(rows[0]?.email ?? '');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="kpi-calls"][data-value="1"]', { timeout: WAIT_MS });
  await page.waitForSelector('[data-testid="live-state"][data-state="live"]', { timeout: WAIT_MS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('live updates in Chromium', () => {
  it('an idle open dashboard sends no GraphQL request', async () => {
    // let the first answers settle, then watch a window longer than the old polling interval
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const from = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    expect(graphqlRequests.filter((at) => at >= from)).toEqual([]);
    expect(await page.getByTestId('live-state').getAttribute('data-state')).toBe('live');
    // the page head with the "live" badge, wide and on a phone
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.locator('.page-head').screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard', `live-head-${width}.png`) });
    }
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('shows a call accepted by the webhook without a reload, keeping the figures on screen meanwhile', async () => {
    await page.evaluate(() => {
      window.__noReload = true;
    });
    const before = graphqlRequests.length;
    await postCall();
    // the old figure stays on screen until the refetch answers (never blank)
    expect(await callsOnScreen()).toMatch(/^[12]$/);
    await page.waitForSelector('[data-testid="kpi-calls"][data-value="2"]', { timeout: WAIT_MS });
    expect(await page.evaluate(() => window.__noReload)).toBe(true);
    // refetched because of the pushed event (a handful of queries: the overview and what else is on screen)
    expect(graphqlRequests.length).toBeGreaterThan(before);
    expect(graphqlRequests.length - before).toBeLessThanOrEqual(10);
  });
});
