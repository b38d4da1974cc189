/**
 * The settings pages "Agents and numbers", "Targets" and "Account" in Chromium
 * against the real server: add, edit and deactivate an agent and find it in
 * the overview's agent filter without a reload; set a target and see its
 * pacing (the figures of app_public.target_pacing); change the time zone and
 * see the rebuild finish (verify_rollups clean); bad input shows the API's
 * message next to the field and stores nothing. Screenshots at 1440 and 390 px
 * go to test-artifacts/dashboard/ (git-ignored).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { ARTIFACTS_DIR, launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { createAgent, createCalls, createTenant, type TenantRow } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';

const PASSWORD = 'settings-browser-password';
const WAIT_MS = 30_000;
// Its own build directory: other browser tests may be building dashboard/dist at the same time.
const DIST = path.join(ARTIFACTS_DIR, 'settings-dashboard-dist');

let api: ApiServer;
let browser: ChromiumSession;
let page: Page;
let tenant: TenantRow;
/** Content-Security-Policy violations reported by the page, over every test. */
const cspViolations: string[] = [];

async function scalar<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await api.db.pool.query<T[]>({ text: sql, values: params, rowMode: 'array' });
  return rows[0]![0]!;
}

async function horizontalOverflow(): Promise<number> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

/** Opens a settings section through the app's own navigation (no reload). */
async function openSection(label: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor({ timeout: WAIT_MS });
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild({ distDir: DIST });
  api = await startApi({ dashboardDistDir: DIST });
  tenant = await createTenant(api.db.pool, { name: 'Settings Co', timezone: 'America/New_York', credits: 100 });
  await api.db.pool.query(
    `insert into app_private.user_secrets (user_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))`,
    [tenant.id, PASSWORD],
  );
  const agent = await createAgent(api.db.pool, tenant.id, { name: 'Existing agent', providerAgentId: 'existing-1' });
  const now = Date.now();
  await createCalls(api.db.pool, Array.from({ length: 24 }, (_, i) => ({
    userId: tenant.id, agentId: agent.id, status: i % 3 === 0 ? 'no_answer' as const : 'completed' as const,
    durationSeconds: i % 3 === 0 ? 0 : 60 + i, startedAt: new Date(now - i * 5 * 3_600_000),
  })));
  browser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
  await browser.context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  });
  page = await browser.context.newPage();
  page.on('console', (message) => {
    if (/content security policy|CSP violation/i.test(message.text())) cspViolations.push(message.text());
  });
  await page.goto(`${api.url}/settings/agents`);
  await page.getByLabel('Email').fill(tenant.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Agents and numbers', level: 1 }).waitFor({ timeout: WAIT_MS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('Agents and numbers page', () => {
  it('shows the API\'s message next to the field for a bad number and a duplicate provider id, storing nothing', async () => {
    const form = page.getByRole('form', { name: 'Add an agent' });
    await form.getByLabel('Provider agent id', { exact: true }).fill('new-bot-1');
    await form.getByLabel('Name', { exact: true }).fill('Night shift');
    await form.getByLabel('Phone number', { exact: true }).fill('555-0100');
    await form.getByRole('button', { name: 'Add agent' }).click();
    await expect.poll(() => page.locator('#new-agent-phone-error').textContent(), { timeout: WAIT_MS }).toContain('international format');

    await form.getByLabel('Provider agent id', { exact: true }).fill('existing-1');
    await form.getByLabel('Phone number', { exact: true }).fill('');
    await form.getByRole('button', { name: 'Add agent' }).click();
    await expect.poll(() => page.locator('#new-agent-pid-error').textContent(), { timeout: WAIT_MS }).toContain('"Existing agent" already has this provider agent id');
    expect(await scalar<string>('select count(*) from app_public.agents where user_id = $1', [tenant.id])).toBe('1');
    expect(await scalar<string>('select count(*) from app_public.phone_numbers where user_id = $1', [tenant.id])).toBe('0');
  });

  it('adds, edits and deactivates an agent; the overview\'s agent filter follows without a reload', async () => {
    const form = page.getByRole('form', { name: 'Add an agent' });
    await form.getByLabel('Provider', { exact: true }).selectOption('twilio');
    await form.getByLabel('Provider agent id', { exact: true }).fill('new-bot-1');
    await form.getByLabel('Name', { exact: true }).fill('Night shift');
    await form.getByLabel('Phone number', { exact: true }).fill('+1 415 555 0100');
    await form.getByRole('button', { name: 'Add agent' }).click();
    const row = page.locator('tr[data-agent="new-bot-1"]');
    await row.waitFor({ timeout: WAIT_MS });
    expect(await row.textContent()).toContain('+14155550100');
    expect(await row.textContent()).toContain('Twilio');

    await row.getByRole('button', { name: 'Edit Night shift' }).click();
    const edit = page.getByRole('form', { name: 'Edit Night shift' });
    await edit.getByLabel('Name', { exact: true }).fill('Night owl');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('tr[data-agent="new-bot-1"]').textContent(), { timeout: WAIT_MS }).toContain('Night owl');
    await screenshot(page, 'dashboard/settings-agents-1440');

    await page.getByRole('button', { name: 'Deactivate Night owl' }).click();
    await expect.poll(() => page.locator('tr[data-agent="new-bot-1"]').textContent(), { timeout: WAIT_MS }).toContain('Inactive');
    expect(await scalar<boolean>(`select is_active from app_public.agents where provider_agent_id = 'new-bot-1' and user_id = $1`, [tenant.id])).toBe(false);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const filter = page.locator('#agent-filter');
    await filter.waitFor({ timeout: WAIT_MS });
    await expect.poll(() => filter.locator('option').allTextContents(), { timeout: WAIT_MS }).toContain('Night owl (inactive)');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await openSection('Agents and numbers', 'Agents and numbers');
    await page.getByRole('button', { name: 'Reactivate Night owl' }).click();
    await expect.poll(() => page.locator('tr[data-agent="new-bot-1"]').textContent(), { timeout: WAIT_MS }).toContain('Active');

    // Only an agent without calls can be deleted (after a confirmation); one with calls offers no Delete.
    expect(await page.locator('tr[data-agent="existing-1"]').getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Delete Night owl' }).click();
    await page.getByRole('button', { name: 'Delete Night owl for good' }).click();
    await page.locator('tr[data-agent="new-bot-1"]').waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(await scalar<string>(`select count(*) from app_public.agents where provider_agent_id = 'new-bot-1' and user_id = $1`, [tenant.id])).toBe('0');
  });
});

describe('Targets page', () => {
  it('sets a target and shows its pacing as target_pacing computes it', async () => {
    await openSection('Targets', 'Targets');
    const form = page.getByRole('form', { name: 'Set a target' });
    await form.getByLabel('Agent', { exact: true }).selectOption({ label: 'Existing agent' });
    await form.getByLabel('Metric', { exact: true }).selectOption('success_rate');
    await form.getByLabel('Target (%)', { exact: true }).fill('150');
    await form.getByRole('button', { name: 'Set target' }).click();
    await expect.poll(() => page.locator('#target-value-error').textContent(), { timeout: WAIT_MS }).toContain('percentage from 0 to 100');
    expect(await scalar<string>('select count(*) from app_public.agent_targets where user_id = $1', [tenant.id])).toBe('0');

    await form.getByLabel('Metric', { exact: true }).selectOption('calls');
    await form.getByLabel('Period', { exact: true }).selectOption('month');
    await form.getByLabel('Target', { exact: true }).fill('1000');
    await form.getByRole('button', { name: 'Set target' }).click();
    const row = page.locator('tr[data-metric="calls"][data-period="month"]');
    await row.waitFor({ timeout: WAIT_MS });
    const text = (await row.textContent()) ?? '';
    const { rows } = await api.db.pool.query<{ actual: string }>(
      `select sum(d.calls)::text as actual
         from app_public.agent_daily_stats d join app_public.agent_targets t on t.agent_id = d.agent_id
        where t.user_id = $1 and d.day >= t.period_start and d.day < (t.period_start + interval '1 month')::date`,
      [tenant.id],
    );
    expect(text).toContain('1,000');
    expect(text).toContain(rows[0]!.actual);
    expect(text).toMatch(/Behind|On pace/);
    expect(text).toMatch(/of period/);
    await screenshot(page, 'dashboard/settings-targets-1440');
  });
});

describe('Account page', () => {
  it('refuses a bad time zone and a bad alert phone next to the field, storing nothing', async () => {
    await openSection('Account', 'Account');
    const business = page.getByRole('form', { name: 'Business' });
    await business.getByLabel('Time zone', { exact: true }).fill('Mars/Olympus_Mons');
    await business.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#account-timezone-error').textContent(), { timeout: WAIT_MS }).toContain('Choose a time zone from the list');
    expect(await scalar<string>('select timezone from app_public.users where id = $1', [tenant.id])).toBe('America/New_York');

    const alertForm = page.getByRole('form', { name: 'Alert phone' });
    await alertForm.getByLabel('Alert phone', { exact: true }).fill('12');
    await alertForm.getByRole('button', { name: 'Save alert phone' }).click();
    await expect.poll(() => page.locator('#alert-phone-error').textContent(), { timeout: WAIT_MS }).toContain('international format');
    expect(await scalar<string | null>('select alert_phone from app_public.users where id = $1', [tenant.id])).toBeNull();
  });

  it('changes the time zone and shows the rebuild finish; the rollups are exact in the new zone', async () => {
    const business = page.getByRole('form', { name: 'Business' });
    await business.getByLabel('Time zone', { exact: true }).fill('Asia/Tokyo');
    await business.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => business.getByRole('status').textContent(), { timeout: WAIT_MS }).toContain('Rollups rebuilt: every figure now uses Asia/Tokyo');
    expect(await scalar<string>('select timezone from app_public.users where id = $1', [tenant.id])).toBe('Asia/Tokyo');
    expect(await verifyRollups(api.db.pool, tenant.id)).toEqual([]);
  });

  it('saves the prompts (version goes up), the alert phone and a usage alert threshold', async () => {
    const version = Number(await page.getByTestId('prompt-version').textContent());
    const prompts = page.getByRole('form', { name: 'Analysis prompts' });
    await prompts.getByLabel('Prompt for one call', { exact: true }).fill('Rate the caller\'s interest from 0 to 100.');
    await prompts.getByRole('button', { name: 'Save prompts' }).click();
    await expect.poll(async () => Number(await page.getByTestId('prompt-version').textContent()), { timeout: WAIT_MS }).toBe(version + 1);

    const alertForm = page.getByRole('form', { name: 'Alert phone' });
    await alertForm.getByLabel('Alert phone', { exact: true }).fill('+44 20 7946 0000');
    await alertForm.getByRole('button', { name: 'Save alert phone' }).click();
    await expect.poll(() => alertForm.getByRole('status').textContent(), { timeout: WAIT_MS }).toContain('+442079460000');

    const add = page.getByRole('form', { name: 'Add an alert' });
    await add.getByLabel('New threshold (%)', { exact: true }).fill('150');
    await add.getByRole('button', { name: 'Add alert' }).click();
    await expect.poll(() => add.getByRole('alert').textContent(), { timeout: WAIT_MS }).toContain('from 1 to 99');
    await add.getByLabel('New threshold (%)', { exact: true }).fill('50');
    await add.getByRole('button', { name: 'Add alert' }).click();
    await page.getByRole('list', { name: 'Your alert thresholds' }).getByText('Below 50 %').waitFor({ timeout: WAIT_MS });
    expect(await scalar<number>('select threshold_percent from app_public.usage_alert_thresholds where user_id = $1', [tenant.id])).toBe(50);
    await screenshot(page, 'dashboard/settings-account-1440');
  });

  it('fits a phone-width screen (390 px) on all three pages', async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    for (const [label, heading, shot] of [['Account', 'Account', 'account'], ['Targets', 'Targets', 'targets'], ['Agents and numbers', 'Agents and numbers', 'agents']] as const) {
      await openSection(label, heading);
      await page.waitForLoadState('networkidle');
      await screenshot(page, `dashboard/settings-${shot}-390`);
      expect(await horizontalOverflow()).toBeLessThanOrEqual(0);
    }
  });
});

describe('all three pages', () => {
  it('broke no Content-Security-Policy rule', () => {
    expect(cspViolations).toEqual([]);
  });
});
