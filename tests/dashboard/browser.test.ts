/**
 * The dashboard in a real browser: the real app (GraphQL + the built
 * dashboard at `/`) on a test database seeded with the KPI dataset, driven
 * with headless Chromium (playwright-core; tests/helpers/browser.ts). Signs in through the form and
 * checks that the KPI cards and the leaderboard show exactly the oracle's
 * figures (tests/helpers/kpi-oracle.ts: raw calls, never the rollups), that
 * the date range and the agent filter (both in the URL) change them
 * correctly, that a call posted to the Bolna webhook appears without a reload,
 * mark-as-read, the agent page and the admin page. Screenshots of each page
 * go to test-artifacts/dashboard/ (git-ignored).
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, formatInteger, formatPercent } from '../../dashboard/src/format.ts';
import { DOCUMENT_IDS } from '../../dashboard/src/api/document-ids.ts';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { inTransaction, withClient } from '../helpers/db.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import { addDays, canonical, hourlyMatrix, leaderboard, loadSnapshot, resolveRange, summary, type Range, type Summary } from '../helpers/kpi-oracle.ts';
import { bolnaSequence, startWebhookApp, type WebhookApp } from '../helpers/webhooks.ts';

/** The browser globals the page callbacks use (this file is checked without the DOM lib; they run in Chromium). */
interface PageElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
}
interface BoxElement {
  tagName: string;
  className: unknown;
  getBoundingClientRect(): { right: number };
  closest(selector: string): unknown;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<BoxElement>;
  documentElement: { clientWidth: number };
};
declare const window: { __noReload?: boolean };

const PASSWORD = 'browser-test-password';
/** Cards checked against the oracle: the value field of `current` and of `change`. */
const CARDS = ['calls', 'answerRate', 'successRate', 'averageDurationSeconds', 'leads', 'hotLeads', 'conversionRate', 'ctaRate', 'creditsUsed'] as const;
const LEADERBOARD_COLUMNS = ['calls', 'successRate', 'leads', 'qualifiedLeads', 'conversionRate', 'averageDurationSeconds'] as const;
/** A new figure shows about a second after it changed (compaction, then the pushed event); generous for a loaded machine. */
const WAIT_MS = 20_000;

let api: WebhookApp;
let data: KpiDataset;
let tenant: KpiTenant;
let browser: ChromiumSession;
let page: Page;
/** Bodies of the dashboard's POST /graphql requests, in order. */
const graphqlBodies: Array<Record<string, unknown>> = [];
/** Content-Security-Policy violations reported by the page (events and console), over every test. */
const cspViolations: string[] = [];

async function setPassword(userId: string): Promise<void> {
  await api.pool.query(
    // The business's founding owner login (member id = business id).
    `insert into app_private.member_secrets (member_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))
     on conflict (member_id) do update set password_hash = excluded.password_hash`,
    [userId, PASSWORD],
  );
}

/** The tenant's Bolna ingest token (rotated as its own session would). */
async function bolnaToken(userId: string): Promise<string> {
  return withClient(api.pool, (client) =>
    inTransaction(
      client,
      async () => {
        await client.query(`select set_config('jwt.claims.user_id', $1, true)`, [userId]);
        const { rows } = await client.query<{ token: string }>('select app_public.rotate_bolna_ingest_token() as token');
        if (!rows[0]) throw new Error('no Bolna token');
        return rows[0].token;
      },
      { commit: true },
    ),
  );
}

async function expectedSummary(range?: Partial<Range>, agentId?: string): Promise<{ range: Range; summary: Summary }> {
  const snapshot = await loadSnapshot(api.pool, tenant.userId);
  const resolved = resolveRange(snapshot, range?.fromDate, range?.toDate);
  return { range: resolved, summary: summary(snapshot, resolved, agentId) };
}

/** Every card's exact values as on screen. */
async function readCards(): Promise<Record<string, { value: string | null; change: string | null; text: string }>> {
  return page.evaluate((ids) => {
    const read = (id: string): string | null => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value') || null;
    return Object.fromEntries(
      ids.map((id) => [id, { value: read(`kpi-${id}`), change: read(`kpi-${id}-change`), text: document.querySelector(`[data-testid="kpi-${id}"]`)?.textContent ?? '' }]),
    );
  }, [...CARDS]);
}

/**
 * Waits until the cards show the expected figures (a pushed refetch may first show a state in between,
 * e.g. a call counted while its later statuses are still being delivered), then checks what a human reads.
 */
async function expectCards(expected: Summary): Promise<void> {
  await page.waitForFunction(
    (calls) => document.querySelector('[data-testid="kpi-calls"]')?.getAttribute('data-value') === calls,
    canonical(expected.current.calls) ?? '0',
    { timeout: WAIT_MS },
  );
  const want = CARDS.map((id) => ({ id, value: canonical(expected.current[id]), change: canonical(expected.change[id]) }));
  const onScreen = async (): Promise<typeof want> => {
    const cards = await readCards();
    return CARDS.map((id) => ({ id, value: canonical(cards[id]?.value), change: canonical(cards[id]?.change) }));
  };
  await expect.poll(onScreen, { timeout: WAIT_MS }).toEqual(want);
  const cards = await readCards();
  // what a human reads: the same figures, formatted
  expect(cards.calls?.text).toBe(formatInteger(expected.current.calls));
  expect(cards.successRate?.text).toBe(formatPercent(expected.current.successRate));
  expect(cards.averageDurationSeconds?.text).toBe(formatDuration(expected.current.averageDurationSeconds));
}

async function signIn(email: string): Promise<void> {
  await page.goto(`${api.url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="kpi-calls"][data-value]', { timeout: WAIT_MS });
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild();
  // the real app with GraphQL, the provider webhooks and the dashboard
  // compactEveryMs: the worker's compaction tick, which pushes "changed" to the open dashboard
  api = await startWebhookApp({ graphql: true, compactEveryMs: 250, env: { RATE_LIMIT_BURST: '5000' } });
  data = await seedKpiDataset(api.pool);
  const newYork = data.tenants.find((t) => t.key === 'newyork');
  if (!newYork) throw new Error('dataset without the New York tenant');
  tenant = newYork;
  await setPassword(tenant.userId);
  await setPassword(data.admin.userId);
  // a browser far from the tenant (New York): days and times must follow the tenant's time zone
  browser = await launchChromium({ timezoneId: 'Pacific/Kiritimati' });
  // Report every CSP violation (a blocked script, style, image or request) through the console.
  await browser.context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  });
  page = await browser.context.newPage();
  page.on('console', (message) => {
    if (/content security policy|CSP violation/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return;
    const body: unknown = JSON.parse(request.postData() ?? 'null');
    if (typeof body === 'object' && body !== null) graphqlBodies.push(body as Record<string, unknown>);
  });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('the dashboard in Chromium', () => {
  it('serves the SPA at / and deep links, and keeps API 404s as JSON', async () => {
    for (const path of ['/', '/agents/some-id', '/admin']) {
      const response = await fetch(`${api.url}${path}`, { headers: { accept: 'text/html' } });
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toMatchObject({ path, status: 200 });
      expect(await response.text()).toContain('<div id="root"></div>');
      expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'.*frame-ancestors 'none'/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
    const missing = await fetch(`${api.url}/no-such-api`, { headers: { accept: 'application/json' } });
    expect(missing.status).toBe(404);
  });

  it('refuses a wrong password with a message', async () => {
    await page.goto(`${api.url}/`);
    await page.getByLabel('Email').fill(tenant.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('sign-in-error').textContent(), { timeout: WAIT_MS }).toBe('Wrong email or password.');
    await screenshot(page, 'dashboard/sign-in');
  });

  it('signs in and shows the oracle figures on the cards and in the leaderboard (default: last 30 days)', async () => {
    await signIn(tenant.email);
    const { range, summary: expected } = await expectedSummary();
    await expectCards(expected);
    // the dashboard's documents travel as persisted-document ids, and the server knew them (no retry with text)
    const overviews = graphqlBodies.filter((body) => body.operationName === 'Overview');
    expect(overviews.length).toBeGreaterThan(0);
    expect(overviews.every((body) => body.documentId === DOCUMENT_IDS.Overview && body.query === undefined)).toBe(true);
    await page.waitForSelector('[data-testid="leaderboard"] tbody tr');
    const rows = await page.$$eval('[data-testid="leaderboard"] tbody tr', (trs, columns) =>
      trs.map((tr) => ({
        agentId: tr.getAttribute('data-agent-id'),
        rank: tr.querySelector('[data-col="rank"]')?.textContent ?? null,
        ...Object.fromEntries(columns.map((c) => [c, tr.querySelector(`[data-col="${c}"]`)?.getAttribute('data-value') || null])),
      })), [...LEADERBOARD_COLUMNS]);
    const snapshot = await loadSnapshot(api.pool, tenant.userId);
    const oracle = leaderboard(snapshot, range).map((row) => ({
      agentId: row.agentId,
      rank: row.rank,
      ...Object.fromEntries(LEADERBOARD_COLUMNS.map((c) => [c, canonical(row.figures[c])])),
    }));
    expect(rows.map((row) => ({ ...row, ...Object.fromEntries(LEADERBOARD_COLUMNS.map((c) => [c, canonical(row[c as keyof typeof row])])) }))).toEqual(oracle);
    expect(await page.getByTestId('tenant-name').textContent()).toBe(tenant.name);
    // The heatmap: every weekday x hour cell holds the oracle's count (the API sends weekday-major arrays).
    const heat = await page.$$eval('.heatmap-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-calls'))));
    const cells = hourlyMatrix(snapshot, range);
    expect(heat).toEqual(Array.from({ length: 7 }, (_, w) => cells.slice(w * 24, w * 24 + 24).map((cell) => cell.calls)));
    expect(cells.some((cell) => cell.calls !== '0')).toBe(true);
    await screenshot(page, 'dashboard/overview');
    // The overview (Recharts charts included) rendered under the dashboard's CSP without breaking it.
    expect(await page.locator('.recharts-surface').count()).toBeGreaterThan(0);
    expect(cspViolations).toEqual([]);
  });

  it('exports the leaderboard on screen as CSV with the exact figures', async () => {
    const snapshot = await loadSnapshot(api.pool, tenant.userId);
    const range = resolveRange(snapshot);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Export CSV: leaderboard-${range.fromDate}-${range.toDate}.csv` }).click(),
    ]);
    const file = await download.path();
    const lines = (await readFile(file, 'utf8')).trim().split('\r\n').map((line) => line.split(','));
    expect(lines[0]?.slice(0, 5)).toEqual(['rank', 'agent_id', 'agent', 'active', 'calls']);
    expect(lines.slice(1).map((cells) => [cells[1], cells[4]])).toEqual(
      leaderboard(snapshot, range).map((row) => [row.agentId, canonical(row.figures.calls)]),
    );
  });

  it('changes the figures with the date range and the agent filter, both kept in the URL', async () => {
    await page.getByText('7 days', { exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('range') === '7');
    const snapshot = await loadSnapshot(api.pool, tenant.userId);
    const week = { fromDate: addDays(snapshot.today, -6), toDate: snapshot.today };
    const { summary: weekly } = await expectedSummary(week);
    await expectCards(weekly);

    const agent = tenant.agents[0];
    if (!agent) throw new Error('tenant without agents');
    await page.getByLabel('Agent', { exact: true }).selectOption(agent.id);
    await page.waitForURL((url) => url.searchParams.get('agent') === agent.id && url.searchParams.get('range') === '7');
    const { summary: agentWeek } = await expectedSummary(week, agent.id);
    expect(agentWeek.current.calls).not.toBe(weekly.current.calls); // the filter must make a difference
    await expectCards(agentWeek);

    // custom range from the URL (a shared link), for the same agent
    const custom = { fromDate: addDays(snapshot.today, -40), toDate: addDays(snapshot.today, -20) };
    await page.goto(`${api.url}/?range=custom&from=${custom.fromDate}&to=${custom.toDate}&agent=${agent.id}`);
    const { summary: agentCustom } = await expectedSummary(custom, agent.id);
    await expectCards(agentCustom);
    await screenshot(page, 'dashboard/overview-agent-filter');
  });

  it('opens the agent page with its KPIs, targets and latest calls', async () => {
    await page.getByText('90 days', { exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('range') === '90');
    const agent = tenant.agents[1];
    if (!agent) throw new Error('tenant without a second agent');
    await page.locator(`[data-agent-id="${agent.id}"] a`).first().click();
    await page.waitForURL((url) => url.pathname === `/agents/${agent.id}` && url.searchParams.get('range') === '90');
    const snapshot = await loadSnapshot(api.pool, tenant.userId);
    const { summary: expected } = await expectedSummary({ fromDate: addDays(snapshot.today, -89), toDate: snapshot.today }, agent.id);
    await expectCards(expected);
    await page.waitForSelector('[data-testid="recent-calls"] li');
    await page.locator('[data-testid="recent-calls"] button').first().click();
    await page.waitForSelector('.call-detail [data-state], .call-detail dl, .call-detail details', { timeout: WAIT_MS });
    await screenshot(page, 'dashboard/agent');
  });

  it('shows a call posted to the webhook without a reload, and marks a hot lead read', async () => {
    // back to the overview and the default range, in the page (no reload from here on)
    await page.getByRole('link', { name: '← Overview' }).click();
    await page.getByText('30 days', { exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/' && url.search === '');
    const before = await expectedSummary();
    await expectCards(before.summary);
    await page.evaluate(() => {
      window.__noReload = true;
    });
    // a Bolna execution posted to the webhook, status by status, as Bolna sends it
    const token = await bolnaToken(tenant.userId);
    const { rows: agents } = await api.pool.query<{ provider_agent_id: string }>(
      `select provider_agent_id from app_public.agents where id = $1`,
      [tenant.agents[0]?.id],
    );
    const providerAgentId = agents[0]?.provider_agent_id;
    if (!providerAgentId) throw new Error('tenant without agents');
    for (const event of bolnaSequence({ agentId: providerAgentId, createdAt: new Date(Date.now() - 5 * 60_000), conversationSeconds: 125 })) {
      const { status, body } = await api.postBolna(token, event);
      expect({ status, outcome: body.status }).toEqual({ status: 200, outcome: 'processed' });
    }
    const after = await expectedSummary();
    expect(BigInt(after.summary.current.calls)).toBe(BigInt(before.summary.current.calls) + 1n);
    await expectCards(after.summary);
    expect(await page.evaluate(() => window.__noReload)).toBe(true);

    const unread = async (): Promise<string | null> => page.getByTestId('unread-count').getAttribute('data-value');
    const first = page.locator('.lead-item').first();
    const leadId = await first.getAttribute('data-lead-id');
    expect(leadId).toBeTruthy();
    const unreadBefore = await unread();
    await first.getByRole('button', { name: /as read/ }).click();
    await expect.poll(unread, { timeout: WAIT_MS }).toBe(String(BigInt(unreadBefore ?? '0') - 1n));
    const { rows } = await api.pool.query<{ is_read: boolean }>('select is_read from app_public.lead_analytics where id = $1', [leadId]);
    expect(rows[0]?.is_read).toBe(true);
  });

  it('is readable on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForSelector('[data-testid="kpi-calls"][data-value]', { timeout: WAIT_MS });
    // nothing wider than the screen (wide tables scroll inside their own box); charts resize on the next frame
    const wider = async (): Promise<string[]> => page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-scroll, .heatmap-scroll'))
        .slice(0, 5)
        .map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
    });
    await expect.poll(wider, { timeout: WAIT_MS }).toEqual([]);
    await screenshot(page, 'dashboard/overview-phone');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('shows every tenant to a platform admin on the admin page', async () => {
    await api.pool.query('select app_hidden.refresh_kpi_summary()');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(data.admin.email);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.waitForSelector('[data-testid="tenants"] tbody tr', { timeout: WAIT_MS });
    const ids = await page.$$eval('[data-testid="tenants"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-tenant-id')));
    expect(new Set(ids)).toEqual(new Set([...data.tenants, data.admin].map((t) => t.userId)));
    await screenshot(page, 'dashboard/admin');
  });

  it('broke no Content-Security-Policy rule on any page', () => {
    expect(cspViolations).toEqual([]);
  });
});
