/**
 * Chromium driven by playwright-core, for the dashboard's browser tests and
 * benchmark: a fresh profile per launch, headless, no sandbox (CI containers
 * run as root), removed on close.
 *
 * The browser arrives with `npm install`: `@sparticuz/chromium` ships a
 * compressed headless Chromium inside the npm package, unpacked to the
 * system's temporary folder (`/tmp/chromium`) on first use. `CHROMIUM_PATH`
 * selects another build instead (e.g. Debian's `/usr/bin/chromium`).
 *
 *   const browser = await launchChromium();
 *   const page = await browser.context.newPage();
 *   await browser.close();
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import npmChromium from '@sparticuz/chromium';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Another Chromium build to drive instead of the npm package's; unset: the npm package's. */
export const CHROMIUM_PATH: string | undefined = process.env.CHROMIUM_PATH || undefined;

/** The flags every build gets (headless, no sandbox: CI runs as root). */
const COMMON_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'];

export interface ChromiumBuild {
  executablePath: string;
  args: string[];
  /** Extra environment for the browser process (fonts of the npm build where the system has none). */
  env?: Record<string, string>;
  /** Where it comes from, for error messages. */
  source: string;
}

let npmBuild: Promise<ChromiumBuild> | undefined;

/** Unpacks (once per machine) the npm package's Chromium and returns how to launch it. */
function unpackNpmChromium(): Promise<ChromiumBuild> {
  npmBuild ??= (async () => {
    const executablePath = await npmChromium.executablePath();
    // The package unpacks Open Sans and a fontconfig file beside the binary;
    // a machine without fontconfig of its own (a bare container) uses them.
    const fonts = path.join(path.dirname(executablePath), 'fonts');
    const systemFonts = existsSync('/etc/fonts/fonts.conf');
    return {
      executablePath,
      // the package's own flags (its build is chrome-headless-shell: `--headless='shell'`)
      args: [...npmChromium.args, ...COMMON_ARGS],
      env: !systemFonts && !process.env.FONTCONFIG_PATH && existsSync(fonts) ? { FONTCONFIG_PATH: fonts } : undefined,
      source: `@sparticuz/chromium, unpacked at ${executablePath} (delete it to unpack again)`,
    };
  })();
  npmBuild.catch(() => {
    npmBuild = undefined;
  });
  return npmBuild;
}

/**
 * The Chromium to drive: `CHROMIUM_PATH` when set (throws a one-line
 * instruction when nothing is there), otherwise the one shipped by the
 * `@sparticuz/chromium` dev dependency.
 */
export async function requireChromium(): Promise<ChromiumBuild> {
  if (CHROMIUM_PATH !== undefined) {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`Chromium not found at CHROMIUM_PATH=${CHROMIUM_PATH}: unset CHROMIUM_PATH to use the one \`npm install\` brings (@sparticuz/chromium)`);
    }
    return { executablePath: CHROMIUM_PATH, args: ['--headless', ...COMMON_ARGS], source: `CHROMIUM_PATH=${CHROMIUM_PATH}` };
  }
  return unpackNpmChromium();
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
  const build = await requireChromium();
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: build.executablePath,
      headless: true,
      viewport,
      timezoneId,
      acceptDownloads: true,
      locale: 'en-US',
      args: build.args,
      ...(build.env ? { env: { ...process.env, ...build.env } } : {}),
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`Chromium did not start (${build.source})`, { cause: error });
  }
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
