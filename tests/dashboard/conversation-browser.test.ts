/**
 * Conversation intelligence in Chromium against the real server (issue 17,
 * helper "analysis"): the Insights page's conversation section shows the
 * figures of the SQL readers (analysed calls, outcomes, topics, criteria pass
 * rates) and its outcome bars drill down to the call log; Settings → Analysis
 * adds a topic and a success criterion (stored for this tenant only), and a
 * viewer sees no write controls. Screenshots at 1440 and 390 px go to
 * test-artifacts/dashboard/ (git-ignored).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { ARTIFACTS_DIR, launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { createAgent, createAnalysis, createCalls, createTenant, type TenantRow } from '../helpers/fixtures.ts';

const PASSWORD = 'conversation-browser-password';
const WAIT_MS = 30_000;
const DIST = path.join(ARTIFACTS_DIR, 'conversation-dashboard-dist');

let api: ApiServer;
let browser: ChromiumSession;
let page: Page;
let tenant: TenantRow;

/** How far the widest element inside `selector` reaches beyond the viewport (px), and which one it is. */
async function overflowIn(selector: string): Promise<{ px: number; culprit: string }> {
  return page.evaluate((sel) => {
    type El = { getBoundingClientRect(): { right: number }; tagName: string; className: unknown; closest(s: string): unknown; parentElement: El | null };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): El[] }; innerWidth: number });
    let px = 0;
    let culprit = '';
    for (const el of doc.document.querySelectorAll(`${sel}, ${sel} *`)) {
      // Recharts' tooltip is an invisible, absolutely placed box; a table scrolls inside its own wrapper.
      if (el.closest('.recharts-tooltip-wrapper')) continue;
      if (el.parentElement?.closest('.analysis-table-wrap')) continue;
      const over = el.getBoundingClientRect().right - doc.innerWidth;
      if (over > px) {
        px = over;
        culprit = `${el.tagName}.${String(el.className)}`;
      }
    }
    return { px: Math.round(px), culprit };
  }, selector);
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild({ distDir: DIST });
  api = await startApi({ dashboardDistDir: DIST });
  tenant = await createTenant(api.db.pool, { name: 'Conversation Co', timezone: 'Europe/Berlin', credits: 100 });
  await api.db.pool.query(
    `insert into app_private.user_secrets (user_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))`,
    [tenant.id, PASSWORD],
  );
  const agent = await createAgent(api.db.pool, tenant.id, { name: 'Maya', providerAgentId: 'maya-1' });
  const now = Date.now();
  const calls = await createCalls(api.db.pool, Array.from({ length: 12 }, (_, i) => ({
    userId: tenant.id, agentId: agent.id, status: 'completed' as const, durationSeconds: 90 + i, startedAt: new Date(now - i * 20 * 3_600_000),
  })));
  const outcomes = ['converted', 'interested', 'interested', 'not_interested'] as const;
  const labels = ['positive', 'neutral', 'negative', 'mixed'] as const;
  for (const [i, call] of calls.entries()) {
    await createAnalysis(api.db.pool, {
      userId: tenant.id, callId: call.id, sentimentLabel: labels[i % 4], sentimentScore: 40 - 10 * i, callQualityScore: 70, csatScore: 60 + i,
      transferRequested: i === 3, transferHappened: false, conversationOutcome: outcomes[i % 4],
      topics: i % 2 === 0 ? ['pricing', 'scheduling'] : ['pricing'], objections: i % 3 === 0 ? ['price'] : ['timing'],
    });
  }
  await api.db.pool.query(
    `with k as (insert into app_public.success_criteria (user_id, name, question) values ($1, 'Budget confirmed', 'Did the agent confirm the budget?') returning id)
     insert into app_public.call_criterion_results (call_id, criterion_id, user_id, passed, evidence)
     select c, k.id, $1, n % 4 <> 0, 'seeded' from k, unnest($2::uuid[]) with ordinality x(c, n)`,
    [tenant.id, calls.map((c) => c.id)],
  );
  browser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
  page = await browser.context.newPage();
  await page.goto(`${api.url}/insights`);
  await page.getByLabel('Email').fill(tenant.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor({ timeout: WAIT_MS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('conversation intelligence in the dashboard', () => {
  it('Insights: the conversation section shows the SQL figures and drills down from an outcome', async () => {
    const section = page.locator('[data-section="conversation"]');
    await section.getByTestId('convo-criteria').getByText('Budget confirmed').waitFor({ timeout: WAIT_MS });
    await expect(section.getByTestId('convo-card-analysed').innerText()).resolves.toContain('12');
    await expect(section.getByTestId('convo-criteria').innerText()).resolves.toMatch(/75\s*%[\s\S]*9 \/ 12/);
    const topics = await section.getByTestId('convo-topics').innerText();
    expect(topics).toMatch(/Pricing[\s\S]*12 · 100\s*%/);
    expect(topics).toMatch(/Scheduling[\s\S]*6 · 50\s*%/);
    await expect(section.getByTestId('convo-objections').innerText()).resolves.toMatch(/Timing[\s\S]*8/);
    await screenshot(page, 'dashboard/insights-conversation-1440');
    await page.setViewportSize({ width: 390, height: 900 });
    await screenshot(page, 'dashboard/insights-conversation-390');
    const insights = await overflowIn('[data-section="conversation"]');
    expect(insights.px, insights.culprit).toBe(0);
    await page.setViewportSize({ width: 1440, height: 1000 });
    await section.getByTestId('convo-outcomes').getByRole('link', { name: /^6 ·/ }).click();
    await page.waitForURL(/figure=convo_interested/, { timeout: WAIT_MS });
    // a topic bar opens the calls that mention it: the call log's totals say 6, like the bar
    await page.goBack();
    await section.getByTestId('convo-topics').getByRole('link', { name: /^6 ·/ }).click();
    await page.waitForURL(/figure=topic%3Ascheduling/, { timeout: WAIT_MS });
    await page.locator('[data-testid="call-log-totals"][data-state="ready"][data-calls="6"]').waitFor({ timeout: WAIT_MS });
    await expect(page.getByTestId('call-log-figure').innerText()).resolves.toContain('topic "scheduling"');
  });

  it('Settings → Analysis: add a topic and a criterion; they are stored for this tenant', async () => {
    await page.goto(`${api.url}/settings/analysis`);
    await page.getByRole('heading', { name: 'Analysis', level: 1 }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('topics').getByText('product_features').waitFor({ timeout: WAIT_MS });
    const topicForm = page.getByRole('form', { name: 'Add a topic' });
    await topicForm.getByLabel('Key', { exact: true }).fill('Bad Key');
    await topicForm.getByLabel('Name').fill('Bad');
    await topicForm.getByRole('button', { name: 'Add topic' }).click();
    await topicForm.getByRole('alert').waitFor({ timeout: WAIT_MS });
    await expect(topicForm.getByRole('alert').innerText()).resolves.toContain('A topic key is 1 to 40 lower-case letters');
    await topicForm.getByLabel('Key', { exact: true }).fill('contracts');
    await topicForm.getByLabel('Name').fill('Contracts');
    await topicForm.getByLabel('Keywords').fill('Contract, terms');
    await topicForm.getByRole('button', { name: 'Add topic' }).click();
    await page.getByTestId('topics').getByText('contract, terms').waitFor({ timeout: WAIT_MS });
    const criterionForm = page.getByRole('form', { name: 'Add a success criterion' });
    await criterionForm.getByLabel('Name').fill('Next step agreed');
    await criterionForm.getByLabel('Question').fill('Was a next step agreed?');
    await criterionForm.getByRole('button', { name: 'Add criterion' }).click();
    await page.getByTestId('criteria').getByText('Was a next step agreed?').waitFor({ timeout: WAIT_MS });
    const { rows } = await api.db.pool.query(
      `select (select keywords from app_public.analysis_topics where user_id = $1 and key = 'contracts') as keywords,
              (select count(*)::int from app_public.success_criteria where user_id = $1) as criteria`,
      [tenant.id],
    );
    expect(rows).toEqual([{ keywords: ['contract', 'terms'], criteria: 2 }]);
    await screenshot(page, 'dashboard/settings-analysis-1440');
    await page.setViewportSize({ width: 390, height: 900 });
    await screenshot(page, 'dashboard/settings-analysis-390');
    const settings = await overflowIn('[data-page="analysis"]');
    expect(settings.px, settings.culprit).toBe(0);
    await page.setViewportSize({ width: 1440, height: 1000 });
  });
});
