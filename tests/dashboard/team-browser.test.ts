/**
 * Team access in Chromium against the real app: the owner invites a viewer on
 * the Team page (the link is shown once); the viewer joins in another browser,
 * sees the same KPIs as the owner on the overview and no write controls on the
 * Team page, and the API refuses its writes with a code; a manager is refused
 * API keys and provider secrets; removing the viewer signs its browser out
 * (its token stops working); a reset link works once. Screenshots at 1440 and
 * 390 px go to test-artifacts/dashboard/ (git-ignored).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { errorCodes, startApi, type ApiServer } from '../helpers/api.ts';
import { ARTIFACTS_DIR, launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { withClient } from '../helpers/db.ts';
import { compactPostAndRefresh, seedTenant, type Tenant } from '../helpers/tenants.ts';

const OWNER_PASSWORD = 'team-browser-owner';
const WAIT_MS = 20_000;
const DIST = path.join(ARTIFACTS_DIR, 'team-dashboard-dist');
const CARDS = ['calls', 'answerRate', 'successRate', 'leads', 'conversionRate', 'creditsUsed'] as const;

let api: ApiServer;
let business: Tenant;
let ownerEmail: string;
let ownerBrowser: ChromiumSession;
let memberBrowser: ChromiumSession;
let owner: Page;
let member: Page;

async function signIn(page: Page, email: string, password: string, path = '/'): Promise<void> {
  await page.goto(`${api.url}${path}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function kpis(page: Page): Promise<Record<string, string | null>> {
  await page.waitForSelector('[data-testid="kpi-calls"][data-value]', { timeout: WAIT_MS });
  return Object.fromEntries(
    await Promise.all(CARDS.map(async (id) => [id, await page.getByTestId(`kpi-${id}`).getAttribute('data-value')] as const)),
  );
}

async function tokenOf(page: Page): Promise<string> {
  const token = await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('switchboard.jwt'));
  if (!token) throw new Error('no session token in the page');
  return token;
}

/** On the Team page as the owner: invite, and read the link shown once. */
async function invite(email: string, role: 'Viewer' | 'Manager' | 'Owner'): Promise<string> {
  await owner.goto(`${api.url}/settings/team`);
  const form = owner.getByTestId('invite');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption({ label: role });
  await form.getByRole('button', { name: 'Create invitation link' }).click();
  const url = await form.getByTestId('one-time-link-url').inputValue({ timeout: WAIT_MS });
  expect(url).toMatch(new RegExp(`^${api.url}/invite/sbi_`));
  return url;
}

async function join(page: Page, url: string, name: string, password: string): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear()).catch(() => undefined);
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Join and sign in' }).click();
  await page.waitForSelector('[data-testid="kpi-calls"]', { timeout: WAIT_MS });
}

beforeAll(async () => {
  await requireChromium();
  await ensureDashboardBuild({ distDir: DIST });
  api = await startApi({ dashboardDistDir: DIST, secretsKey: createHash('sha256').update('team-browser').digest() });
  business = await withClient(api.db.pool, async (client) => {
    const tenant = await seedTenant(client, { tag: 7, name: 'Team Browser Co', calls: 12 });
    await compactPostAndRefresh(client);
    return tenant;
  });
  ownerEmail = (await api.db.pool.query<{ email: string }>('select email::text from app_public.users where id = $1', [business.userId])).rows[0]?.email ?? '';
  await api.db.pool.query(`insert into app_private.member_secrets (member_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))`, [
    business.userId,
    OWNER_PASSWORD,
  ]);
  ownerBrowser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
  memberBrowser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
  owner = await ownerBrowser.context.newPage();
  member = await memberBrowser.context.newPage();
  await signIn(owner, ownerEmail, OWNER_PASSWORD);
}, 180_000);

afterAll(async () => {
  await ownerBrowser?.close();
  await memberBrowser?.close();
  await api?.close();
});

describe('team access in the browser', () => {
  it('a viewer joins by the invitation link, sees the same KPIs as the owner and no write controls; the API refuses its writes', async () => {
    const ownerKpis = await kpis(owner);
    await owner.getByRole('button', { name: 'Mark these read' }).waitFor({ timeout: WAIT_MS });
    const url = await invite('viewer@teambrowser.example.com', 'Viewer');
    await screenshot(owner, 'dashboard/team-invite-1440');

    await join(member, url, 'Vic Viewer', 'viewer-password-1');
    expect(await kpis(member)).toEqual(ownerKpis);
    expect(Number(ownerKpis.calls)).toBeGreaterThan(0);
    // The overview's only write controls (mark as read) are there for the owner, not for the viewer.
    expect(await member.getByRole('button', { name: /^Mark / }).count()).toBe(0);

    await member.goto(`${api.url}/settings/team`);
    await member.getByTestId('members').waitFor({ timeout: WAIT_MS });
    await expect.poll(() => member.getByTestId('member-row').count(), { timeout: WAIT_MS }).toBe(2);
    expect(await member.getByTestId('invite').count()).toBe(0);
    expect(await member.getByTestId('member-role').count()).toBe(0);
    expect(await member.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    expect(await member.getByText('Only owners invite').count()).toBe(1);
    await member.getByTestId('change-password').waitFor();

    const token = await tokenOf(member);
    const write = await api.graphql(`mutation { createAgent(input: { agent: { providerAgentId: "viewer-try", name: "Nope" } }) { agent { rowId } } }`, {}, token);
    expect(errorCodes(write.body)).toEqual(['READ_ONLY_MEMBER']);
    const agents = await api.db.pool.query(`select 1 from app_public.agents where provider_agent_id = 'viewer-try'`);
    expect(agents.rowCount).toBe(0);
  });

  it('the owner sees the members with their roles and last sign-in; phone width fits', async () => {
    await owner.goto(`${api.url}/settings/team`);
    const row = owner.locator('[data-testid="member-row"][data-email="viewer@teambrowser.example.com"]');
    await row.waitFor({ timeout: WAIT_MS });
    expect(await row.textContent()).toContain('Viewer');
    expect(await row.textContent()).not.toContain('never');
    await screenshot(owner, 'dashboard/team-1440');
    await owner.setViewportSize({ width: 390, height: 900 });
    await owner.reload();
    await row.waitFor({ timeout: WAIT_MS });
    const overflow = await owner.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    await screenshot(owner, 'dashboard/team-390');
    await owner.setViewportSize({ width: 1440, height: 1000 });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('a manager is refused API keys and provider secrets, and sees no member controls', async () => {
    const managerBrowser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
    try {
      const manager = await managerBrowser.context.newPage();
      await join(manager, await invite('manager@teambrowser.example.com', 'Manager'), 'Mia Manager', 'manager-password-1');
      await manager.goto(`${api.url}/settings/team`);
      await manager.getByTestId('members').waitFor({ timeout: WAIT_MS });
      expect(await manager.getByTestId('invite').count()).toBe(0);
      const token = await tokenOf(manager);
      for (const document of [
        `mutation { createApiKey(input: { name: "m", scopes: ["read"] }) { result { secret } } }`,
        `{ allApiKeys(first: 10) { nodes { rowId keyPrefix } } }`,
        `mutation { setBolnaSigningSecret(input: { secret: "a-signing-secret-of-length" }) { bolnaSigningSecretSet } }`,
        `mutation { rotateBolnaIngestToken(input: {}) { result } }`,
      ]) {
        expect(errorCodes((await api.graphql(document, {}, token)).body), document).toEqual(['FORBIDDEN']);
      }
      // A manager writes everything else.
      const agent = await api.graphql(`mutation { createAgent(input: { agent: { providerAgentId: "manager-made", name: "By manager" } }) { agent { rowId } } }`, {}, token);
      expect(agent.body.errors).toBeUndefined();
    } finally {
      await managerBrowser.close();
    }
  });

  it("removing the viewer signs its browser out: its token stops working", async () => {
    const token = await tokenOf(member);
    await owner.goto(`${api.url}/settings/team`);
    const row = owner.locator('[data-testid="member-row"][data-email="viewer@teambrowser.example.com"]');
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByTestId('remove-confirm').getByRole('button', { name: 'Remove member' }).click();
    await expect.poll(() => row.count(), { timeout: WAIT_MS }).toBe(0);

    const refused = await api.graphql(`{ currentMember { role } }`, {}, token);
    expect(refused.status).toBe(401);
    expect(errorCodes(refused.body)).toEqual(['MEMBERSHIP_REVOKED']);
    await member.reload();
    await member.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: WAIT_MS });
  });

  it('a password-reset link works once', async () => {
    await owner.goto(`${api.url}/settings/team`);
    const row = owner.locator('[data-testid="member-row"][data-email="manager@teambrowser.example.com"]');
    await row.getByRole('button', { name: 'Reset link' }).click();
    const url = await row.getByTestId('one-time-link-url').inputValue({ timeout: WAIT_MS });
    expect(url).toMatch(new RegExp(`^${api.url}/reset-password/sbr_`));

    await member.goto(url);
    await member.locator('input[name="password"]').fill('reset-password-1');
    await member.getByRole('button', { name: 'Save and sign in' }).click();
    await member.waitForSelector('[data-testid="kpi-calls"]', { timeout: WAIT_MS });
    expect(await member.getByTestId('tenant-name').textContent()).toBe('Team Browser Co');

    await member.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
    await member.goto(url);
    await member.locator('input[name="password"]').fill('reset-password-2');
    await member.getByRole('button', { name: 'Save and sign in' }).click();
    await expect.poll(() => member.getByTestId('reset-error').textContent(), { timeout: WAIT_MS }).toMatch(/already used/);
    await screenshot(member, 'dashboard/reset-used-1440');

    await signIn(member, 'manager@teambrowser.example.com', 'reset-password-1');
    await member.waitForSelector('[data-testid="kpi-calls"]', { timeout: WAIT_MS });
  });
});
