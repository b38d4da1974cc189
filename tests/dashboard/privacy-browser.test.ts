/**
 * The "Data & privacy" page in Chromium against the real app and worker:
 * request an export and watch it finish, download it (the file is the
 * archive the API describes), erase a caller after the confirmation that
 * names what goes, and a retention value outside the limits refused with the
 * API's message. Screenshots at 1440 and 390 px go to
 * test-artifacts/dashboard/ (git-ignored).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { ARTIFACTS_DIR, launchChromium, requireChromium, screenshot, type ChromiumSession } from '../helpers/browser.ts';
import { createBusiness, sha256, type Business } from '../privacy/support.ts';
import { count } from '../worker/support.ts';

const PASSWORD = 'privacy-browser-password';
const WAIT_MS = 30_000;
// Its own build directory: the other browser test may be building dashboard/dist at the same time.
const DIST = path.join(ARTIFACTS_DIR, 'privacy-dashboard-dist');

let api: ApiServer;
let worker: WorkerHandle | undefined;
let browser: ChromiumSession;
let page: Page;
let business: Business;

async function signIn(email: string): Promise<void> {
  await page.goto(`${api.url}/settings/privacy`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Data & privacy' }).waitFor({ timeout: WAIT_MS });
}

beforeAll(async () => {
  requireChromium();
  await ensureDashboardBuild({ distDir: DIST });
  api = await startApi({ dashboardDistDir: DIST });
  business = await createBusiness(api.db.pool, { seed: 3 });
  await api.db.pool.query(
    `insert into app_private.user_secrets (user_id, password_hash) values ($1, public.crypt($2, public.gen_salt('bf', 4)))`,
    [business.userId, PASSWORD],
  );
  worker = await startWorker({ connectionString: api.db.connectionString, concurrency: 1, cron: false, pollInterval: 50, openai: null, sms: null });
  browser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
  page = await browser.context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await api?.close();
});

describe('Data & privacy page', () => {
  it('requests an export, shows it finish, and downloads the archive', async () => {
    await signIn(business.email);
    await page.getByRole('button', { name: 'Request an export' }).click();
    const download = page.getByRole('button', { name: 'Download' });
    await download.waitFor({ timeout: WAIT_MS });
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    const saved = await file.path();
    const bytes = await readFile(saved);
    const { rows } = await api.db.pool.query<{ archive_sha256: string; archive_bytes: string }>(
      `select archive_sha256, archive_bytes from app_public.privacy_requests where user_id = $1 and kind = 'export'`,
      [business.userId],
    );
    expect(sha256(bytes)).toBe(rows[0]?.archive_sha256);
    expect(bytes.length).toBe(Number(rows[0]?.archive_bytes));
    expect(file.suggestedFilename()).toMatch(/^switchboard-export-.*\.tar\.gz$/);
  });

  it('erases a caller after a confirmation that names what will be removed', async () => {
    const calls = await count(api.db.pool, 'select count(*) from app_public.calls where user_id = $1 and phone_number = $2', [business.userId, business.erased]);
    await page.getByLabel('Phone number').fill(business.erased);
    await page.getByRole('button', { name: 'Review' }).click();
    const confirm = page.getByTestId('erase-confirm');
    await confirm.waitFor({ timeout: WAIT_MS });
    const text = (await confirm.textContent()) ?? '';
    expect(text).toContain(`Permanently erase ${business.erased}`);
    expect(text).toContain(`${calls} calls`);
    expect(text).toContain('1 follow-up');
    await screenshot(page, 'dashboard/privacy-1440');
    await page.getByRole('button', { name: 'Erase permanently' }).click();
    await page.getByTestId('erase-done').waitFor({ timeout: WAIT_MS });
    expect(await page.getByTestId('erase-done').textContent()).toContain(`${calls} calls`);
    expect(await count(api.db.pool, 'select count(*) from app_public.calls where user_id = $1 and phone_number = $2', [business.userId, business.erased])).toBe(0);
  });

  it('refuses a retention outside the platform limits with the API\'s message', async () => {
    const input = page.getByLabel('Transcripts');
    await input.fill('5000');
    const row = page.getByRole('row', { name: /Transcripts/ });
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.getByRole('alert').textContent(), { timeout: WAIT_MS }).toContain('between 1 and 730 days');
    // Nothing changed in the database.
    expect(await count(api.db.pool, `select count(*) from app_private.tenant_retention where user_id = $1 and data_type = 'transcripts'`, [business.userId])).toBe(0);
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    await page.reload();
    await page.getByRole('heading', { name: 'Data & privacy' }).waitFor({ timeout: WAIT_MS });
    await page.getByLabel('Phone number').fill(business.kept[0] ?? '');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('erase-confirm').waitFor({ timeout: WAIT_MS });
    const overflow = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    await screenshot(page, 'dashboard/privacy-390');
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
