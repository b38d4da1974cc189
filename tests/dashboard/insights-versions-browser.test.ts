/**
 * The insights sections "Agent versions" and "Calibration" in Chromium: a business whose agent changed its
 * configuration (version 2 answers far more calls) compares the two versions side by side with the change and a
 * "significant" verdict on the answer rate; the calibration charts show conversion per score band and temperature
 * with the counts; without customers the section explains why it is empty. Screenshots at 1440 and 390 px go to
 * test-artifacts/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { createAnalysis, createCall, phoneNumber } from '../helpers/fixtures.ts';
import { randomHex, startWebhookApp, type WebhookApp } from '../helpers/webhooks.ts';

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

const PASSWORD = 'versions-page-password';
const WAIT_MS = 20_000;
const DAY = 86_400_000;

let api: WebhookApp;
let browser: ChromiumSession;
let page: Page;
let email: string;
let userId: string;

async function gql(query: string, variables: Record<string, unknown>, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(JSON.stringify(body.errors ?? body));
  return body.data;
}

beforeAll(async () => {
  requireChromium();
  await ensureDashboardBuild();
  api = await startWebhookApp({ graphql: true, env: { RATE_LIMIT_BURST: '5000' } });
  email = `versions-page-${randomHex(4)}@example.com`;
  const registered = (await gql(
    `mutation ($email: String!, $password: String!) { register(input: { email: $email, password: $password, name: "Solar Calls", timezone: "UTC" }) { jwtToken userId } }`,
    { email, password: PASSWORD },
  )) as { register: { jwtToken: string; userId: string } };
  userId = registered.register.userId;
  const created = (await gql(
    `mutation { createAgent(input: { agent: { providerAgentId: "versions-page-agent", name: "Priya" } }) { agent { rowId } } }`, {}, registered.register.jwtToken,
  )) as { createAgent: { agent: { rowId: string } } };
  const agentId = created.createAgent.agent.rowId;
  // The configuration changed 10 days ago: version 1 before, version 2 since (versions backdated; the trigger stamps now()).
  await gql(`mutation ($id: UUID!, $config: JSON!) { updateAgentByRowId(input: { rowId: $id, agentPatch: { config: $config } }) { agent { rowId } } }`,
    { id: agentId, config: { prompt: 'shorter opener' } }, registered.register.jwtToken);
  const now = Date.now();
  await api.pool.query(`update app_public.agent_versions set created_at = $2 where agent_id = $1 and version = 1`, [agentId, new Date(now - 60 * DAY)]);
  await api.pool.query(`update app_public.agent_versions set created_at = $2 where agent_id = $1 and version = 2`, [agentId, new Date(now - 10 * DAY)]);
  // Version 1: 60 calls, 24 answered; version 2: 60 calls, 42 answered. Every answered call is scored; some contacts became customers.
  for (const [version, answered] of [[1, 24], [2, 42]] as const) {
    for (let i = 0; i < 60; i += 1) {
      const startedAt = version === 1 ? new Date(now - (25 - (i % 14)) * DAY) : new Date(now - (9 - (i % 8)) * DAY - 3_600_000);
      const ok = i < answered;
      const n = version * 100 + i;
      const call = await createCall(api.pool, {
        userId, agentId, status: ok ? 'completed' : 'no_answer', durationSeconds: ok ? 60 + (i % 5) * 30 : 0, startedAt, phoneNumber: phoneNumber(n),
      });
      if (ok) {
        const score = (i * 37) % 101;
        await createAnalysis(api.pool, { userId, callId: call.id, totalScore: score, leadStatusTag: score >= 70 ? 'hot' : score >= 45 ? 'warm' : 'cold' });
        if (score >= 60 ? i % 2 === 0 : i % 7 === 0) {
          await api.pool.query(
            `insert into app_public.customers (user_id, contact_id, name, conversion_date)
             select user_id, id, 'Customer ' || $2, now() from app_public.contacts where user_id = $1 and phone_number = $3`,
            [userId, n, phoneNumber(n)],
          );
        }
      }
    }
  }
  browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function overflowing(): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-scroll'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
  });
}

describe('insights: agent versions and calibration', () => {
  it('compares two versions side by side with the change and the significance of the answer rate', async () => {
    await page.goto(`${api.url}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('nav');
    await page.goto(`${api.url}/insights`);
    const table = page.getByTestId('versions-table');
    await table.waitFor({ timeout: WAIT_MS });
    const header = await table.locator('thead').textContent();
    expect(header).toContain('Version 1');
    expect(header).toContain('Version 2');
    const answer = page.locator('[data-testid="versions-table"] tr[data-kpi="answerRate"]');
    // 24/60 = 40.0% vs 42/60 = 70.0%: +30.0 pts, z = 3.29, p = 0.001.
    await expect.poll(() => answer.textContent(), { timeout: WAIT_MS }).toContain('40.0%');
    const text = await answer.textContent();
    expect(text).toContain('70.0%');
    expect(text).toContain('+30.0 pts');
    expect(await answer.locator('[data-verdict]').getAttribute('data-verdict')).toBe('significant');
    expect(await page.locator('[data-testid="versions-table"] tr[data-kpi="calls"]').textContent()).toMatch(/60.*60/);
    expect(await page.locator('.versions-notes').textContent()).toContain('Significant at 95%');

    const summary = page.getByTestId('calibration-summary');
    await summary.waitFor({ timeout: WAIT_MS });
    expect(await summary.textContent()).toMatch(/^\d+ of 66 scored contacts became customers/);
    expect(await page.locator('[data-section="scores"] .recharts-bar-rectangle').count()).toBeGreaterThan(5);
    await page.locator('[data-section="scores"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard/insights-versions-calibration');
  });

  it('is readable on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(overflowing, { timeout: WAIT_MS }).toEqual([]);
    await page.locator('[data-section="versions"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard/insights-versions-calibration-phone');
  });

  it('explains an empty calibration when no contact became a customer', async () => {
    await api.pool.query('delete from app_public.customers where user_id = $1', [userId]);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.reload();
    const empty = page.locator('[data-section="scores"] [data-state="empty"]');
    await empty.waitFor({ timeout: WAIT_MS });
    expect(await empty.textContent()).toContain('None of the 66 scored contacts of this period has become a customer yet');
  });
});
