/**
 * The insights page's outcomes and cost section in a real browser (issue 17 items 2, 3, 8): the real app on
 * the KPI data set, headless Chromium. Every card and disposition / hang-up number equals the oracle
 * (tests/helpers/kpi-oracle.ts, raw calls) for the page's range, for all agents and for one agent; a bar's
 * link opens the call log of exactly those calls; the "?" shows the SQL definition. Screenshots at 1440
 * and 390 px go to test-artifacts/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { seedKpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import { addDays, canonical, figures, loadSnapshot, type Figures } from '../helpers/kpi-oracle.ts';
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

const PASSWORD = 'outcomes-browser-password';
const WAIT_MS = 20_000;

let api: WebhookApp;
let tenant: KpiTenant;
let browser: ChromiumSession;
let page: Page;

const CARD_FIELDS: ReadonlyArray<keyof Figures> = [
  'averageTimeToAnswerSeconds', 'providerCostCents', 'costPerCallCents', 'costPerConnectedMinuteCents', 'costPerLeadCents',
  'costPerQualifiedLeadCents', 'ctaInteractions', 'ctaRate', 'ctaCallConversionRate',
];
const BAR_FIELDS: ReadonlyArray<keyof Figures> = [
  'successfulCalls', 'voicemailCalls', 'noConversationCalls', 'busyCalls', 'noAnswerCalls', 'canceledCalls', 'erroredCalls',
  'agentHangupCalls', 'callerHangupCalls', 'otherHangupCalls',
];

const value = async (testId: string): Promise<string | null> => {
  const raw = await page.getByTestId(testId).first().getAttribute('data-value');
  return raw === null || raw === '' ? null : canonical(raw);
};
const text = (testId: string): Promise<string> => page.getByTestId(testId).first().innerText();

async function widerThanScreen(): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-scroll, .heatmap-scroll'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
  });
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild();
  api = await startWebhookApp({ graphql: true, env: { RATE_LIMIT_BURST: '5000' } });
  const data = await seedKpiDataset(api.pool);
  const kolkata = data.tenants.find((t) => t.key === 'kolkata');
  if (!kolkata) throw new Error('dataset without the Kolkata tenant');
  tenant = kolkata;
  await api.pool.query(
    `insert into app_private.member_secrets (member_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))
     on conflict (member_id) do update set password_hash = excluded.password_hash`,
    [tenant.userId, PASSWORD],
  );
  browser = await launchChromium({ viewport: { width: 1440, height: 900 }, timezoneId: 'America/Los_Angeles' });
  page = await browser.context.newPage();
  await page.goto(`${api.url}/`);
  await page.getByLabel('Email').fill(tenant.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="kpi-calls"][data-value]', { timeout: WAIT_MS });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('insights: outcomes and cost in Chromium', () => {
  it('cards and bars equal the oracle for the range, for all agents and for one agent', async () => {
    const s = await loadSnapshot(api.pool, tenant.userId);
    const from = addDays(s.today, -29);
    for (const agentId of [null, tenant.agents[1]?.id ?? null]) {
      await page.goto(`${api.url}/insights${agentId ? `?agent=${agentId}` : ''}`);
      const expected = figures(s, from, s.today, agentId);
      expect(Number(expected.costedCalls)).toBeGreaterThan(0);
      await expect.poll(() => value('kpi-providerCostCents'), { timeout: WAIT_MS }).toBe(expected.providerCostCents);
      for (const field of CARD_FIELDS) expect(await value(`kpi-${field}`), field).toBe(expected[field]);
      for (const field of BAR_FIELDS) expect((await text(`oc-${field}`)).replaceAll(',', ''), field).toBe(expected[field]);
      expect(await text('oc-coverage')).toContain(`${Number(expected.costedCalls).toLocaleString('en-US')} of ${Number(expected.calls).toLocaleString('en-US')} calls`);
    }
  });

  it('a disposition opens the call log of exactly those calls; the "?" shows the definition', async () => {
    const s = await loadSnapshot(api.pool, tenant.userId);
    const expected = figures(s, addDays(s.today, -29), s.today, null);
    await page.goto(`${api.url}/insights`);
    await page.getByTestId('oc-voicemailCalls').waitFor({ timeout: WAIT_MS });
    await page.getByRole('button', { name: 'What Cost per lead counts' }).hover();
    await expect.poll(() => page.locator('#oc-costPerLeadCents-definition').innerText(), { timeout: WAIT_MS }).toContain('Provider cost / leads');
    await page.locator('[data-figure="voicemail_calls"]').click();
    await page.waitForURL((url) => url.pathname === '/calls' && url.searchParams.get('figure') === 'voicemail_calls');
    await expect.poll(() => page.getByTestId('call-log-totals').getAttribute('data-calls'), { timeout: WAIT_MS }).toBe(expected.voicemailCalls);
  });

  it('looks right at 1440 and 390 px (nothing wider than a phone)', async () => {
    await page.goto(`${api.url}/insights`);
    await page.getByTestId('oc-credits-chart').locator('.recharts-surface').first().waitFor({ timeout: WAIT_MS });
    await page.locator('[data-section="outcomes-cost"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard/insights-outcomes-cost');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(widerThanScreen, { timeout: WAIT_MS }).toEqual([]);
    await screenshot(page, 'dashboard/insights-outcomes-cost-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
