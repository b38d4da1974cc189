/**
 * Self-serve in Chromium on the real server (issue 14, items 1, 2 and 5):
 * sign up from the sign-in page (each field's bad input shows the API's own
 * plain message next to the field and stores nothing; the time zone is the
 * browser's, chosen from a searchable list) → the onboarding checklist follows
 * the real state → "send a test call" → the call shows without a reload →
 * "remove test calls" → the KPIs are back (verify_rollups clean). /admin is
 * refused for a business; an operator opens a business read-only and the
 * audit log has the entry. Screenshots at 1440 and 390 px in test-artifacts/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { randomHex, startWebhookApp, type WebhookApp } from '../helpers/webhooks.ts';

declare const window: { localStorage: { getItem(key: string): string | null }; __noReload?: string };

const WAIT_MS = 20_000;
const PASSWORD = 'sign-up-password';
const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { jwtToken userId } }`;

let api: WebhookApp;
let browser: ChromiumSession;
let page: Page;
let email: string;
let userId: string;

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild();
  api = await startWebhookApp({ graphql: true, compactEveryMs: 250, env: { RATE_LIMIT_BURST: '5000' } });
  email = `owner-${randomHex(4)}@example.com`;
  // The browser lives in Kolkata: the sign-up form preselects that zone.
  browser = await launchChromium({ viewport: { width: 1440, height: 900 }, timezoneId: 'Asia/Kolkata' });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await api.db.pool.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? -1;
}

/** The API's own answer to the same input (what the form must show). */
async function apiMessage(input: Record<string, string>): Promise<{ field: unknown; message: string }> {
  const answer = await api.graphql(REGISTER, { input });
  const [first] = answer.errors ?? [];
  if (!first) throw new Error(`expected an error for ${JSON.stringify(input)}`);
  return { field: first.extensions?.field, message: first.message };
}

async function fillSignUp(values: { name: string; email: string; password: string; timezone?: string }): Promise<void> {
  await page.getByLabel('Business name').fill(values.name);
  await page.getByLabel('Email').fill(values.email);
  await page.getByLabel('Password').fill(values.password);
  if (values.timezone !== undefined) {
    await page.getByRole('combobox', { name: 'Time zone' }).fill(values.timezone);
    await page.keyboard.press('Escape');
  }
}

describe('sign up', () => {
  it('opens from the sign-in page with the browser time zone preselected', async () => {
    await page.goto(`${api.url}/sign-in`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your Switchboard account' }).waitFor({ timeout: WAIT_MS });
    expect(new URL(page.url()).pathname).toBe('/sign-up');
    expect(await page.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe('Asia/Kolkata');
  });

  const bad: Array<{ field: string; input: { name: string; email: string; password: string; timezone: string } }> = [
    { field: 'name', input: { name: '', email: 'x1@example.com', password: PASSWORD, timezone: 'Asia/Kolkata' } },
    { field: 'email', input: { name: 'Acme', email: 'someone@', password: PASSWORD, timezone: 'Asia/Kolkata' } },
    { field: 'password', input: { name: 'Acme', email: 'x2@example.com', password: 'short', timezone: 'Asia/Kolkata' } },
    { field: 'timezone', input: { name: 'Acme', email: 'x3@example.com', password: PASSWORD, timezone: 'Mars/Olympus' } },
  ];
  for (const { field, input } of bad) {
    it(`a bad ${field} shows the API's plain message next to the field, and nothing is stored`, async () => {
      await fillSignUp(input);
      await page.getByRole('button', { name: 'Create account' }).click();
      const shown = page.getByTestId(`sign-up-error-${field}`);
      await shown.waitFor({ timeout: WAIT_MS });
      const expected = await apiMessage(input);
      expect(expected.field).toBe(field);
      expect(await shown.textContent()).toBe(expected.message);
      expect(expected.message).not.toMatch(/rule|constraint|violates|syntax/);
      expect(await count('select count(*)::int as n from app_public.users where email = $1', [input.email])).toBe(0);
      expect(new URL(page.url()).pathname).toBe('/sign-up');
    });
  }

  it('an email already taken is refused next to the email field', async () => {
    const taken = `taken-${randomHex(3)}@example.com`;
    await api.graphql(REGISTER, { input: { name: 'First', email: taken, password: PASSWORD } });
    await fillSignUp({ name: 'Second', email: taken, password: PASSWORD, timezone: 'Asia/Kolkata' });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('sign-up-error-email').waitFor({ timeout: WAIT_MS });
    expect(await page.getByTestId('sign-up-error-email').textContent()).toMatch(/already exists/i);
    expect(await count('select count(*)::int as n from app_public.users where email = $1', [taken])).toBe(1);
  });

  it('finds a time zone by typing and chooses it from the list with the keyboard', async () => {
    const box = page.getByRole('combobox', { name: 'Time zone' });
    await box.fill('new york');
    await page.getByRole('option', { name: 'America/New York' }).waitFor({ timeout: WAIT_MS });
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Enter');
    expect(await box.inputValue()).toBe('America/New_York');
    await box.fill('kolk');
    await page.getByRole('option', { name: 'Asia/Kolkata' }).click();
    expect(await box.inputValue()).toBe('Asia/Kolkata');
    await screenshot(page, 'dashboard/sign-up');
  });

  it('signs up and lands on the onboarding checklist instead of zeros', async () => {
    await fillSignUp({ name: 'Chai & Calls', email, password: PASSWORD });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('onboarding').waitFor({ timeout: WAIT_MS });
    const { rows } = await api.db.pool.query<{ id: string; timezone: string }>('select id, timezone from app_public.users where email = $1', [email]);
    expect(rows[0]?.timezone).toBe('Asia/Kolkata');
    userId = rows[0]?.id ?? '';
    expect(await page.locator('[data-step] [aria-hidden]').allTextContents()).toEqual(['', '', '']);
    expect(await page.locator('[data-kpi]').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Open Providers' }).getAttribute('href')).toBe('/settings/providers');
    expect(await page.getByRole('link', { name: 'Open Agents' }).getAttribute('href')).toBe('/settings/agents');
    await screenshot(page, 'dashboard/onboarding');
  });
});

describe('onboarding', () => {
  it('follows the real state: a provider connected and an agent added elsewhere show up without a reload', async () => {
    await page.evaluate(() => {
      window.__noReload = 'still here';
    });
    const token = await page.evaluate(() => window.localStorage.getItem('switchboard.jwt'));
    await api.graphql(`mutation { rotateBolnaIngestToken(input: {}) { clientMutationId } }`, {}, token ?? '');
    await api.graphql(`mutation { createAgent(input: { agent: { providerAgentId: "bolna-agent-1", name: "Asha", provider: "bolna" } }) { agent { rowId } } }`, {}, token ?? '');
    await expect.poll(() => page.locator('[data-step][data-done="true"]').count(), { timeout: WAIT_MS }).toBe(2);
    expect(await page.locator('[data-step="call"]').getAttribute('data-done')).toBe('false');
  });

  it('sends a test call through the webhook path: it appears without a reload, marked, in the KPIs', async () => {
    await page.getByRole('button', { name: 'Send a test call' }).click();
    await expect.poll(() => page.getByTestId('test-calls').textContent(), { timeout: WAIT_MS }).toMatch(/^1 test call received/);
    await expect.poll(() => page.getByTestId('kpi-calls').getAttribute('data-value'), { timeout: WAIT_MS }).toBe('1');
    expect(await page.getByTestId('test-calls-note').textContent()).toMatch(/include your test calls/);
    expect(await page.evaluate(() => window.__noReload)).toBe('still here');
    expect(await count(`select count(*)::int as n from app_public.calls where user_id = $1 and is_test`, [userId])).toBe(1);
    expect(await count(`select count(*)::int as n from app_private.webhook_events where user_id = $1 and provider = 'bolna' and status = 'processed'`, [userId])).toBe(1);
    expect(await verifyRollups(api.db.pool, userId)).toEqual([]);
    await screenshot(page, 'dashboard/onboarding-test-call');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'dashboard/onboarding-test-call-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('removes the test calls: the KPIs are back to nothing, exactly', async () => {
    await page.getByTestId('remove-test-calls').click();
    await expect.poll(() => page.locator('[data-kpi]').count(), { timeout: WAIT_MS }).toBe(0);
    await expect.poll(() => page.getByTestId('test-calls').textContent(), { timeout: WAIT_MS }).toMatch(/^A test call is/);
    expect(await count(`select count(*)::int as n from app_public.calls where user_id = $1`, [userId])).toBe(0);
    expect(await verifyRollups(api.db.pool, userId)).toEqual([]);
    const token = await page.evaluate(() => window.localStorage.getItem('switchboard.jwt'));
    const kpis = await api.graphql<{ kpiSummary: { current: { calls: string; creditsUsed: string } } }>(`{ kpiSummary { current { calls creditsUsed } } }`, {}, token ?? '');
    expect(kpis.data?.kpiSummary.current).toEqual({ calls: '0', creditsUsed: '0' });
    expect(await page.evaluate(() => window.__noReload)).toBe('still here');
  });

  it('/admin is refused to a business: the API refuses and the page says so', async () => {
    await page.goto(`${api.url}/admin`);
    await page.getByTestId('admin-refused').waitFor({ timeout: WAIT_MS });
    expect(await page.getByTestId('admin-refused').textContent()).toContain('Only platform operators can list all businesses.');
    expect(await page.getByRole('heading', { name: 'All businesses' }).count()).toBe(0);
  });
});

describe('admin', () => {
  it("opens a business's overview read-only, and the business's audit log has the entry", async () => {
    const adminEmail = `operator-${randomHex(3)}@example.com`;
    const registered = await api.graphql<{ register: { userId: string } }>(REGISTER, { input: { name: 'Operator', email: adminEmail, password: PASSWORD } });
    const adminId = registered.data?.register.userId ?? '';
    await api.db.pool.query(`update app_public.users set role = 'admin' where id = $1`, [adminId]);
    await api.db.pool.query('select app_hidden.refresh_kpi_summary()');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${api.url}/sign-in`);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'All businesses' }).waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'dashboard/admin-businesses');
    await page.getByRole('button', { name: 'View Chai & Calls read-only' }).click();

    await page.getByTestId('tenant-view-banner').waitFor({ timeout: WAIT_MS });
    expect(await page.getByTestId('tenant-view-banner').textContent()).toContain('Chai & Calls');
    await expect.poll(() => page.getByTestId('tenant-name').textContent(), { timeout: WAIT_MS }).toBe('Chai & Calls');
    await page.getByTestId('onboarding').waitFor({ timeout: WAIT_MS });
    // Read-only: no write controls (and PostgreSQL refuses writes: tests/api/onboarding.test.ts).
    expect(await page.getByRole('button', { name: 'Send a test call' }).count()).toBe(0);
    await screenshot(page, 'dashboard/admin-tenant-view');

    const { rows } = await api.db.pool.query<{ actor: string; actor_id: string }>(
      `select actor, actor_id from app_hidden.audit_log where user_id = $1 and action = 'tenant.view'`, [userId]);
    expect(rows).toEqual([{ actor: 'admin', actor_id: adminId }]);

    await page.getByRole('button', { name: 'Stop viewing' }).click();
    await page.getByRole('heading', { name: 'All businesses' }).waitFor({ timeout: WAIT_MS });
    await expect.poll(() => page.getByTestId('tenant-name').textContent(), { timeout: WAIT_MS }).toBe('Operator');
  });
});
