/**
 * The "Audit log" page in Chromium: a business that signed up and changed
 * things over GraphQL (with its own user agent) reads the changes in the
 * dashboard, newest first, with when, who, where from and old -> new; secrets
 * appear only as "[redacted]"; the table filter and the pager (both in the
 * URL) work. Screenshots at 1440 and 390 px go to test-artifacts/dashboard/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { AUDIT_PAGE_SIZE } from '../../dashboard/src/api/operations/audit.ts';
import { ARTIFACTS_DIR, launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { randomHex, startWebhookApp, type WebhookApp } from '../helpers/webhooks.ts';

/** The browser globals the page callbacks use (this file is checked without the DOM lib; they run in Chromium). */
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

const PASSWORD = 'audit-page-password';
const USER_AGENT = 'AuditPageTest/1.0 (scripted client)';
const WAIT_MS = 20_000;
const RENAMES = AUDIT_PAGE_SIZE + 3;

let api: WebhookApp;
let browser: ChromiumSession;
let page: Page;
let email: string;

async function gql(query: string, variables: Record<string, unknown>, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': USER_AGENT, ...(token ? { authorization: `Bearer ${token}` } : {}) },
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
  email = `audit-page-${randomHex(4)}@example.com`;
  const registered = (await gql(
    `mutation ($email: String!, $password: String!) { register(input: { email: $email, password: $password, name: "Acme Calls", timezone: "Europe/Berlin" }) { jwtToken userId } }`,
    { email, password: PASSWORD },
  )) as { register: { jwtToken: string; userId: string } };
  const { jwtToken: token, userId } = registered.register;
  for (let i = 1; i <= RENAMES; i += 1) {
    await gql(`mutation ($id: UUID!, $name: String!) { updateUserByRowId(input: { rowId: $id, userPatch: { name: $name } }) { user { name } } }`, { id: userId, name: `Acme Calls ${i}` }, token);
  }
  await gql(`mutation { createAgent(input: { agent: { providerAgentId: "audit-page-agent", name: "Priya" } }) { agent { rowId } } }`, {}, token);
  await gql(`mutation { setBolnaSigningSecret(input: { secret: "a-very-secret-signing-key", requireSignature: true }) { bolnaRequireSignature } }`, {}, token);
  browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function entries(): Promise<Array<{ action: string | null; table: string | null; text: string }>> {
  return page.$$eval('[data-testid="audit-entries"] tbody tr', (trs) =>
    trs.map((tr) => ({ action: tr.getAttribute('data-action'), table: tr.getAttribute('data-table'), text: tr.textContent ?? '' })),
  );
}

describe('the audit log page', () => {
  it('shows the newest changes first with who, where from and old -> new; secrets only as redacted', async () => {
    await page.goto(`${api.url}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForSelector('[data-testid="audit-entries"] tbody tr', { timeout: WAIT_MS });
    expect(new URL(page.url()).pathname).toBe('/audit');

    const rows = await entries();
    expect(rows).toHaveLength(AUDIT_PAGE_SIZE);
    // newest first: the signing secret, the agent, then the last rename
    expect(rows.slice(0, 3).map((r) => [r.action, r.table])).toEqual([
      ['insert', 'provider_credentials'],
      ['insert', 'agents'],
      ['update', 'users'],
    ]);
    expect(rows[0]?.text).toContain('[redacted]');
    expect(rows[0]?.text).not.toContain('a-very-secret-signing-key');
    expect(rows[2]?.text).toContain(`Acme Calls ${RENAMES - 1}`);
    expect(rows[2]?.text).toContain(`Acme Calls ${RENAMES}`);
    expect(rows[2]?.text).toContain('127.0.0.1');
    expect(rows[2]?.text).toContain(USER_AGENT);
    expect(rows[2]?.text).toContain('Account user');
    // total: sign-up, the renames, the agent, the secret
    await expect.poll(() => page.getByTestId('audit-range').textContent()).toBe(`1–${AUDIT_PAGE_SIZE} of ${RENAMES + 3}`);
    await screenshot(page, 'dashboard/audit-log');
  });

  it('pages to older entries and filters by what changed (both in the URL)', async () => {
    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => page.getByTestId('audit-range').textContent(), { timeout: WAIT_MS }).toBe(`${AUDIT_PAGE_SIZE + 1}–${RENAMES + 3} of ${RENAMES + 3}`);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    const older = await entries();
    expect(older.at(-1)).toMatchObject({ action: 'insert', table: 'users' }); // the sign-up, oldest
    expect(older.at(-1)?.text).toContain('Sign-up');

    await page.getByLabel('What').selectOption('agents');
    await expect.poll(async () => (await entries()).map((r) => r.table), { timeout: WAIT_MS }).toEqual(['agents']);
    expect(new URL(page.url()).searchParams.get('table')).toBe('agents');
    expect(new URL(page.url()).searchParams.get('page')).toBeNull();
  });

  it('is readable on a phone', async () => {
    await page.getByLabel('What').selectOption('');
    await page.waitForSelector('[data-testid="audit-entries"] tbody tr:nth-child(3)', { timeout: WAIT_MS });
    await page.setViewportSize({ width: 390, height: 844 });
    const wider = async (): Promise<string[]> =>
      page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > width + 1 && !element.closest('.table-scroll'))
          .slice(0, 5)
          .map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
      });
    await expect.poll(wider, { timeout: WAIT_MS }).toEqual([]);
    await screenshot(page, 'dashboard/audit-log-phone');
    // the first screenful, as a phone shows it
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard/audit-log-phone-top.png') });
  });
});
