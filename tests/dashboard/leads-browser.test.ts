/**
 * Leads in a real browser (issue 15 item 4): the real app on the KPI data set,
 * headless Chromium. The overview's hot-lead inbox against the Hot leads card
 * and the oracle (all agents and one agent); the leads page (filters in the
 * URL, cursor paging, mark read one and all, a follow-up); the contact page
 * (every call, the score chart, follow-ups, not found). Screenshots at 1440 and
 * 390 px go to test-artifacts/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import { addDays, callsIn, figures, loadSnapshot, type Snapshot } from '../helpers/kpi-oracle.ts';
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

const PASSWORD = 'leads-browser-password';
const WAIT_MS = 20_000;

let api: WebhookApp;
let data: KpiDataset;
let tenant: KpiTenant;
let browser: ChromiumSession;
let page: Page;

async function snapshot(): Promise<Snapshot> {
  return loadSnapshot(api.pool, tenant.userId);
}

/** Hot leads of a range (and agent) in the oracle, and how many are unread. */
function hotOf(s: Snapshot, from: string, to: string, agentId: string | null): { hot: string; unread: string } {
  const hot = callsIn(s, from, to, agentId).filter((c) => c.lead?.tag === 'hot');
  return { hot: String(hot.length), unread: String(hot.filter((c) => !c.lead?.read).length) };
}

/** An attribute of each element (callbacks run in Chromium; this file is checked without the DOM lib). */
type Attributed = { getAttribute(name: string): string | null };
const attrs = (selector: string, name: string): Promise<Array<string | null>> =>
  page.locator(selector).evaluateAll((rows, n) => rows.map((row) => (row as unknown as Attributed).getAttribute(n)), name);

const attr = (testId: string, name = 'data-value'): Promise<string | null> => page.getByTestId(testId).first().getAttribute(name);

async function widerThanScreen(): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-scroll, .heatmap-scroll'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
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
  data = await seedKpiDataset(api.pool);
  const kolkata = data.tenants.find((t) => t.key === 'kolkata');
  if (!kolkata) throw new Error('dataset without the Kolkata tenant');
  tenant = kolkata;
  // some leads read already, so "unread" differs from "all"
  await api.pool.query(
    `update app_public.lead_analytics set is_read = true
      where user_id = $1 and analysis_type = 'individual' and ('x' || substr(md5(id::text), 1, 2))::bit(8)::int % 4 = 0`,
    [tenant.userId],
  );
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

describe('leads in Chromium', () => {
  it('the inbox agrees with the Hot leads card, for all agents and for one agent', async () => {
    const s = await snapshot();
    const from = addDays(s.today, -29);
    for (const agentId of [null, tenant.agents[1]?.id ?? null]) {
      await page.goto(`${api.url}/${agentId ? `?agent=${agentId}` : ''}`);
      const expected = hotOf(s, from, s.today, agentId);
      expect(expected.hot).toBe(figures(s, from, s.today, agentId).hotLeads);
      await expect.poll(() => attr('kpi-hotLeads'), { timeout: WAIT_MS }).toBe(expected.hot);
      await expect.poll(() => attr('inbox-summary', 'data-hot'), { timeout: WAIT_MS }).toBe(expected.hot);
      expect(await attr('unread-count')).toBe(expected.unread);
      // only hot leads are listed, at most 10
      const tags = await page.locator('.hot-leads .lead-item .badge-hot').count();
      expect(tags).toBe(Math.min(10, Number(expected.unread)));
      expect(await page.locator('.hot-leads .badge-warm, .hot-leads .badge-cold').count()).toBe(0);
    }
    await page.goto(`${api.url}/`);
    await expect.poll(() => attr('inbox-summary', 'data-hot'), { timeout: WAIT_MS }).toMatch(/^\d+$/);
    await bothWidths('overview-inbox');
  });

  it('the inbox links to the leads page with the same hot leads as the card; unread ones first to read', async () => {
    const s = await snapshot();
    const from = addDays(s.today, -29);
    await page.goto(`${api.url}/`);
    await page.getByTestId('inbox-all').click();
    await page.waitForURL((url) => url.pathname === '/leads');
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ temperature: 'hot', from, to: s.today });
    const expected = hotOf(s, from, s.today, null);
    await expect.poll(() => attr('leads-total'), { timeout: WAIT_MS }).toBe(expected.hot);
    expect(await attr('leads-unread')).toBe(expected.unread);
    expect(await page.locator('.leads-row[data-tag="hot"]').count()).toBe(Math.min(25, Number(expected.hot)));
    await page.getByTestId('filter-unread').check();
    await expect.poll(() => attr('leads-total'), { timeout: WAIT_MS }).toBe(expected.unread);
  });

  it('filters by temperature, unread and score; pages with the cursor', async () => {
    const s = await snapshot();
    const leads = s.calls.filter((c) => c.lead !== null);
    await page.goto(`${api.url}/leads`);
    await expect.poll(() => attr('leads-total'), { timeout: WAIT_MS }).toBe(String(leads.length));
    await page.getByTestId('filter-temperature').selectOption('warm');
    await page.waitForURL((url) => url.searchParams.get('temperature') === 'warm');
    const warm = leads.filter((c) => c.lead?.tag === 'warm');
    await expect.poll(() => attr('leads-total'), { timeout: WAIT_MS }).toBe(String(warm.length));
    await page.getByTestId('filter-unread').check();
    await expect.poll(() => attr('leads-total'), { timeout: WAIT_MS }).toBe(String(warm.filter((c) => !c.lead?.read).length));
    await page.getByTestId('filter-unread').uncheck();
    await page.getByTestId('filter-min').fill('50');
    await page.waitForURL((url) => url.searchParams.get('min') === '50');
    const scored = warm.filter((c) => (c.lead?.totalScore ?? -1) >= 50);
    await expect.poll(() => attr('leads-total'), { timeout: WAIT_MS }).toBe(String(scored.length));
    const scores = (await attrs('.leads-row', 'data-score')).map(Number);
    expect(scores.every((n) => n >= 50)).toBe(true);

    // paging: every lead once over the pages
    await page.goto(`${api.url}/leads`);
    await expect.poll(() => attr('leads-total'), { timeout: WAIT_MS }).toBe(String(leads.length));
    const first = await attrs('.leads-row', 'data-lead-id');
    expect(first).toHaveLength(25);
    await page.getByTestId('leads-next').click();
    await expect.poll(() => page.getByTestId('leads-page-number').textContent(), { timeout: WAIT_MS }).toBe('Page 2');
    await expect.poll(() => page.locator('.leads-row').first().getAttribute('data-lead-id'), { timeout: WAIT_MS }).not.toBe(first[0]);
    const second = await attrs('.leads-row', 'data-lead-id');
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await page.getByRole('button', { name: '← Newer' }).click();
    await expect.poll(() => page.locator('.leads-row').first().getAttribute('data-lead-id'), { timeout: WAIT_MS }).toBe(first[0]);
    await bothWidths('leads');
  });

  it('marks one lead read, then all of a filter; plans a follow-up', async () => {
    await page.goto(`${api.url}/leads?temperature=cold&unread=1`);
    await expect.poll(() => attr('leads-unread'), { timeout: WAIT_MS }).toMatch(/^\d+$/);
    const before = Number(await attr('leads-unread'));
    expect(before).toBeGreaterThan(1);
    const row = page.locator('.leads-row').first();
    const leadId = await row.getAttribute('data-lead-id');
    await row.getByRole('button', { name: 'Mark read' }).click();
    await expect.poll(() => attr('leads-unread'), { timeout: WAIT_MS }).toBe(String(before - 1));
    const { rows } = await api.pool.query<{ is_read: boolean }>('select is_read from app_public.lead_analytics where id = $1', [leadId]);
    expect(rows[0]?.is_read).toBe(true);

    // a follow-up with the first lead
    const target = page.locator('.leads-row').first();
    const phone = (await target.locator('a[href^="tel:"]').textContent()) ?? '';
    await target.getByRole('button', { name: 'Plan a follow-up' }).click();
    await target.getByTestId('follow-up-remark').fill('Send the cold-lead brochure');
    await target.getByTestId('follow-up-save').click();
    await expect.poll(() => page.getByTestId('leads-notice').textContent(), { timeout: WAIT_MS }).toMatch(/^Follow-up planned with/);
    const { rows: followUps } = await api.pool.query<{ lead_phone: string; contact_id: string | null }>(
      `select lead_phone, contact_id from app_public.follow_ups where user_id = $1 and remark = 'Send the cold-lead brochure'`,
      [tenant.userId],
    );
    expect(followUps).toHaveLength(1);
    expect(followUps[0]?.lead_phone).toBe(phone);
    expect(followUps[0]?.contact_id).not.toBeNull();

    await page.getByTestId('mark-all-read').click();
    await expect.poll(() => attr('leads-total'), { timeout: WAIT_MS }).toBe('0');
    const { rows: left } = await api.pool.query<{ n: string }>(
      `select count(*)::text as n from app_public.lead_analytics where user_id = $1 and analysis_type = 'individual' and lead_status_tag = 'cold' and not is_read`,
      [tenant.userId],
    );
    expect(left[0]?.n).toBe('0');
  });

  it('the contact page: every call, the score chart, follow-ups; not found for a bad or unknown id', async () => {
    const { rows } = await api.pool.query<{ id: string; calls: string; scored: string }>(
      `select ct.id, count(c.id)::text as calls, count(a.id)::text as scored
         from app_public.contacts ct
         join app_public.calls c on c.user_id = ct.user_id and c.phone_number = ct.phone_number
         left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual' and a.total_score is not null
        where ct.user_id = $1 group by ct.id order by count(a.id) desc, ct.id limit 1`,
      [tenant.userId],
    );
    const contact = rows[0];
    if (!contact) throw new Error('no contact');
    await page.goto(`${api.url}/contacts/${contact.id}`);
    await page.waitForSelector('[data-testid="contact-calls"]', { timeout: WAIT_MS });
    expect(await page.locator('[data-testid="contact-calls"] > li').count()).toBe(Number(contact.calls));
    const href = await page.locator('[data-testid="contact-calls"] > li a').first().getAttribute('href');
    expect(href).toMatch(/^\/calls\/[0-9a-f-]{36}$/);
    // One dot per scored call on the current-score line (earlier versions and the lead's score are other lines).
    await expect.poll(() => page.locator('.score-dot-current').count(), { timeout: WAIT_MS }).toBe(Number(contact.scored));
    await page.getByRole('button', { name: 'Plan a follow-up' }).click();
    await page.getByTestId('follow-up-remark').fill('Demo on Friday');
    await page.getByTestId('follow-up-save').click();
    await expect.poll(() => page.getByTestId('contact-follow-ups').textContent(), { timeout: WAIT_MS }).toContain('Demo on Friday');
    await bothWidths('contact');

    for (const bad of ['not-a-uuid', '0190a4a0-0000-7000-8000-00000000beef']) {
      await page.goto(`${api.url}/contacts/${bad}`);
      await page.getByRole('heading', { name: 'Contact not found' }).waitFor({ timeout: WAIT_MS });
    }
  });
});
