/**
 * The Providers and API keys pages in Chromium against the real app (GraphQL,
 * the provider webhooks and the built dashboard on one server): create the
 * Bolna URL, copy it with the page's button, post a realistic delivery to it
 * and see the call on the overview without a reload; rotate it (the old URL is
 * refused with a code); a failed delivery shows its plain error and replays
 * once its cause is fixed (counted once, rollups exact); bad Twilio
 * credentials are refused next to their field and nothing is stored; an API
 * key is created (secret shown once), works against /graphql, is revoked and
 * is then refused. Screenshots at 1440 and 390 px go to
 * test-artifacts/dashboard/ (git-ignored).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { ARTIFACTS_DIR, launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { createAgent, createTenant } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { bolnaSequence, randomHex, startWebhookApp, type WebhookApp, type WebhookBody } from '../helpers/webhooks.ts';

/** Browser globals used inside page callbacks (this file is checked without the DOM lib). */
declare const window: { __noReload?: boolean };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const document: { documentElement: { scrollWidth: number; clientWidth: number } };

const PASSWORD = 'providers-browser-password';
/** Pages refetch when the server pushes a change (about a second): generous for a loaded machine. */
const WAIT_MS = 30_000;
// Its own build directory: other browser tests may be building dashboard/dist at the same time.
const DIST = path.join(ARTIFACTS_DIR, 'providers-dashboard-dist');

let app: WebhookApp;
let browser: ChromiumSession;
let page: Page;
let userId: string;
let email: string;
const bolnaAgentId = 'bolna-agent-browser';
/** The URL copied from the page (the current token's). */
let copiedUrl = '';

async function post(url: string, payload: unknown): Promise<{ status: number; body: WebhookBody }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return { status: response.status, body: (await response.json()) as WebhookBody };
}

async function postSequence(url: string, agentId: string): Promise<Array<{ status: number; body: WebhookBody }>> {
  const answers = [];
  for (const payload of bolnaSequence({ agentId })) answers.push(await post(url, payload));
  return answers;
}

async function count(sql: string, values: unknown[]): Promise<number> {
  const { rows } = await app.pool.query<{ n: number }>(sql, values);
  return rows[0]?.n ?? 0;
}

/** Opens a page of the dashboard, signing in first when the session has none. */
async function open(pathname: string, heading: string): Promise<void> {
  await page.goto(`${app.url}${pathname}`);
  const signIn = page.getByRole('button', { name: 'Sign in' });
  await Promise.race([signIn.waitFor({ timeout: WAIT_MS }), page.getByRole('heading', { name: heading }).waitFor({ timeout: WAIT_MS })]);
  if (await signIn.isVisible()) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await signIn.click();
  }
  await page.getByRole('heading', { name: heading }).waitFor({ timeout: WAIT_MS });
}

async function noOverflow(): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild({ distDir: DIST });
  app = await startWebhookApp({ graphql: true, compactEveryMs: 250, dashboardDistDir: DIST, env: { RATE_LIMIT_BURST: '5000' } });
  const tenant = await createTenant(app.pool, { credits: 100, timezone: 'Asia/Kolkata' });
  userId = tenant.id;
  email = tenant.email;
  await createAgent(app.pool, userId, { provider: 'bolna', providerAgentId: bolnaAgentId, name: 'Sales agent' });
  await app.pool.query(`insert into app_private.user_secrets (user_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))`, [
    userId,
    PASSWORD,
  ]);
  browser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  page = await browser.context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('Providers page', () => {
  it('creates the Bolna URL, copies it, and a delivery posted to it shows on the overview without a reload', async () => {
    await open('/settings/providers', 'Providers');
    const bolna = page.getByTestId('bolna');
    expect(await bolna.getByTestId('last-delivery').textContent()).toBe('No deliveries yet.');

    await bolna.getByRole('button', { name: 'Create webhook URL' }).click();
    const shown = await page.getByTestId('bolna-url').inputValue({ timeout: WAIT_MS });
    expect(shown).toMatch(new RegExp(`^${app.url}/webhooks/bolna/sbw_[A-Za-z0-9_-]{43}$`));
    await bolna.getByRole('button', { name: 'Copy' }).click();
    await bolna.getByRole('button', { name: 'Copied' }).waitFor({ timeout: WAIT_MS });
    copiedUrl = await page.evaluate(() => navigator.clipboard.readText());
    expect(copiedUrl).toBe(shown);
    await screenshot(page, 'dashboard/providers-1440');

    // To the overview inside the app (no reload), then the delivery arrives.
    await page.evaluate(() => {
      window.__noReload = true;
    });
    await page.getByRole('link', { name: 'Overview' }).click();
    // A business without calls sees the onboarding checklist instead of zeros.
    await page.getByTestId('onboarding').waitFor({ timeout: WAIT_MS });
    const answers = await postSequence(copiedUrl, bolnaAgentId);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    await page.waitForSelector('[data-testid="kpi-calls"][data-value="1"]', { timeout: WAIT_MS });
    expect(await page.evaluate(() => window.__noReload)).toBe(true);

    // Back on Providers: the last delivery, and only the masked URL (the token was shown once).
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('heading', { name: 'Providers' }).waitFor({ timeout: WAIT_MS });
    await expect.poll(() => bolna.getByTestId('last-delivery').textContent(), { timeout: WAIT_MS }).toContain('Last delivery');
    const masked = (await page.getByTestId('bolna-url-masked').textContent()) ?? '';
    expect(copiedUrl.startsWith(masked.replace('…', ''))).toBe(true);
    expect(masked).not.toContain(copiedUrl.split('/').at(-1));
    expect(await page.getByTestId('bolna-url').count()).toBe(0);
  });

  it('rotating asks first, then the old URL is refused with UNKNOWN_TOKEN and the new one works', async () => {
    const bolna = page.getByTestId('bolna');
    await bolna.getByRole('button', { name: 'Rotate…' }).click();
    const confirm = page.getByTestId('rotate-confirm');
    expect(await confirm.textContent()).toContain('The current URL stops working at once');
    await confirm.getByRole('button', { name: 'Rotate URL' }).click();
    const fresh = await page.getByTestId('bolna-url').inputValue({ timeout: WAIT_MS });
    expect(fresh).not.toBe(copiedUrl);

    const old = await post(copiedUrl, bolnaSequence({ agentId: bolnaAgentId })[0]);
    expect([old.status, old.body.error?.code]).toEqual([401, 'UNKNOWN_TOKEN']);
    expect(old.body.error?.message).toContain('Settings → Providers');
    copiedUrl = fresh;
    const accepted = await postSequence(copiedUrl, bolnaAgentId);
    expect(accepted.map((a) => a.status)).toEqual(accepted.map(() => 200));
  });

  it('a failed delivery shows its plain error, and replays once the agent exists (counted once)', async () => {
    const missing = 'bolna-agent-added-later';
    const answers = await postSequence(copiedUrl, missing);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 422));
    const failed = page.getByTestId('bolna-failed');
    await failed.getByTestId('failed-delivery').first().waitFor({ timeout: WAIT_MS });
    expect(await failed.getByTestId('failed-delivery').count()).toBe(answers.length);
    const first = (await failed.getByTestId('failed-delivery').first().textContent()) ?? '';
    expect(first).toContain('UNKNOWN_AGENT');
    expect(first).toContain(answers.at(-1)?.body.error?.message ?? 'no message');
    await screenshot(page, 'dashboard/providers-failed-1440');

    // Not fixed yet: replaying says so and keeps them.
    await failed.getByRole('button', { name: 'Replay' }).first().click();
    await expect.poll(() => page.getByTestId('bolna-replay-outcome').textContent(), { timeout: WAIT_MS }).toContain('still failing');

    await createAgent(app.pool, userId, { provider: 'bolna', providerAgentId: missing, name: 'Added later' });
    await failed.getByRole('button', { name: 'Replay all' }).click();
    await expect.poll(() => page.getByTestId('bolna-replay-outcome').textContent(), { timeout: WAIT_MS }).toContain(`${answers.length} applied`);
    await expect.poll(() => failed.getByTestId('failed-delivery').count(), { timeout: WAIT_MS }).toBe(0);
    const calls = await count(`select count(*)::int as n from app_public.calls where user_id = $1`, [userId]);
    expect(calls).toBe(3);
    expect(await verifyRollups(app.pool, userId)).toEqual([]);
  });

  it('refuses a bad Twilio account SID next to its field and stores nothing; good credentials connect', async () => {
    const twilio = page.getByTestId('twilio');
    expect(await page.getByTestId('twilio-url').inputValue()).toBe(`${app.url}/webhooks/twilio/status`);
    await twilio.getByLabel('Account SID').fill('AC123');
    await twilio.getByLabel('Auth token').fill(randomHex(16));
    await twilio.getByRole('button', { name: 'Connect Twilio' }).click();
    const error = twilio.locator('label', { hasText: 'Account SID' }).getByRole('alert');
    await expect.poll(() => error.textContent(), { timeout: WAIT_MS }).toContain('AC followed by 32 hexadecimal digits');
    expect(await count(`select count(*)::int as n from app_private.provider_credentials where user_id = $1 and twilio_account_sid is not null`, [userId])).toBe(0);

    const sid = `AC${randomHex(16)}`;
    await twilio.getByLabel('Account SID').fill(sid);
    await twilio.getByRole('button', { name: 'Connect Twilio' }).click();
    await expect.poll(() => page.getByTestId('twilio-state').textContent(), { timeout: WAIT_MS }).toContain(sid);
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    await page.reload();
    await page.getByRole('heading', { name: 'Providers' }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('last-delivery').first().waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'dashboard/providers-390');
    expect(await noOverflow()).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1440, height: 1000 });
  });
});

describe('API keys page', () => {
  it('refuses a nameless key next to the field, creates one (secret shown once) that works, revokes it and it is refused', async () => {
    await open('/settings/api-keys', 'API keys');
    const form = page.getByTestId('create-key');
    await form.getByRole('button', { name: 'Create key' }).click();
    const nameError = form.locator('label', { hasText: 'Name' }).getByRole('alert');
    await expect.poll(() => nameError.textContent(), { timeout: WAIT_MS }).toBe('Give the key a name of 1 to 100 characters.');
    expect(await count(`select count(*)::int as n from app_public.api_keys where user_id = $1`, [userId])).toBe(0);

    await form.getByLabel('Name').fill('CRM sync');
    await form.getByLabel('Write (includes read)').check();
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('api-key-secret').inputValue({ timeout: WAIT_MS });
    expect(secret).toMatch(/^sbk_[0-9a-f]{8}_/);
    await form.getByRole('button', { name: 'Copy' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const row = page.getByTestId('api-key-row').filter({ hasText: 'CRM sync' });
    await row.waitFor({ timeout: WAIT_MS });
    expect(await row.textContent()).toContain(`sbk_${secret.slice(4, 12)}_…`);
    expect(await row.textContent()).toContain('read, write');
    expect(await row.getByTestId('last-used').textContent()).toBe('never');
    await screenshot(page, 'dashboard/api-keys-1440');

    const works = await app.graphql<{ currentUserId: string }>(`{ currentUserId }`, {}, secret);
    expect(works.data?.currentUserId).toBe(userId);

    await row.getByRole('button', { name: 'Revoke…' }).click();
    await row.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: WAIT_MS }).toBe('revoked');
    // The list (refetched after revoking) shows the use made of the key above.
    expect(await row.getByTestId('last-used').textContent()).not.toBe('never');
    const refused = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: '{ currentUserId }' }),
    });
    expect(refused.status).toBe(401);
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    await page.reload();
    await page.getByRole('heading', { name: 'API keys' }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId('api-key-row').first().waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'dashboard/api-keys-390');
    expect(await noOverflow()).toBeLessThanOrEqual(0);
  });
});
