/**
 * Debian's Chromium driven by playwright-core, for the dashboard's browser
 * tests and benchmark: a fresh profile per launch, headless, no sandbox (CI
 * containers run as root), removed on close.
 *
 *   const browser = await launchChromium();
 *   const page = await browser.context.newPage();
 *   await browser.close();
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Throws a one-line instruction when Chromium is not installed. */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  return CHROMIUM_PATH;
}

export interface ChromiumSession {
  context: BrowserContext;
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  /** The browser's own time zone (default UTC); pages must not depend on it. */
  timezoneId?: string;
}

export async function launchChromium({ viewport = { width: 1366, height: 900 }, timezoneId = 'UTC' }: LaunchOptions = {}): Promise<ChromiumSession> {
  const executablePath = requireChromium();
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport,
    timezoneId,
    acceptDownloads: true,
    locale: 'en-US',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  let closing: Promise<void> | undefined;
  return {
    context,
    close() {
      closing ??= (async () => {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../test-artifacts');

/** Saves a full-page screenshot under test-artifacts/<name>.png (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await mkdir(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
