/**
 * The dashboard in headless Chromium: time to first meaningful paint of the
 * overview (navigation start -> the KPI cards hold the API's figures and the
 * calls-per-day chart is drawn) for a signed-in tenant, and the size of the
 * built bundle (every JS and CSS file in dashboard/dist/assets, raw and gzip).
 *
 * The real Express app (PostGraphile + the built dashboard at `/`) runs in
 * this process on the given database; the browser is the npm-shipped Chromium driven
 * by playwright-core with a fresh profile. The first load is cold (no cache);
 * the median is over the warm loads that follow (cached assets, fresh page).
 * Figures: `dashboard_first_paint_ms_1m` (the warm median at 1M calls),
 * `dashboard_bundle_kb`, and `dashboard_transfer_kb`: the JS and CSS bytes the
 * cold overview load took off the wire (the response bodies' size as received,
 * so compressed as the server negotiated with Chromium; files counted per
 * `Content-Encoding`). Standalone: `npm run bench:dashboard -- --calls 1000000`.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type pg from 'pg';
import { createApp } from '../server/app.ts';
import { authenticatorConnectionString, ensureAuthenticatorLogin } from '../server/auth/authenticator.ts';
import { signJwt, type JwtOptions } from '../server/auth/jwt.ts';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { DASHBOARD_DIST } from '../server/http/dashboard.ts';
import { ensureDashboardBuild } from '../server/http/dashboard-build.ts';
import { listen } from '../kernel/http/listen.ts';
import { launchChromium } from '../tests/helpers/browser.ts';
import { BENCH_GRAPHQL_CONFIG } from './graphql-config.ts';
import { log, quietLogger } from './log.ts';
import { percentile } from './stats.ts';

export interface BundleSize {
  /** Every JS + CSS file of the build, in kB (1000 bytes). */
  totalKb: number;
  totalGzipKb: number;
  /** What the first page load fetches before the overview chunk: index.html's script, preloads and CSS. */
  initialKb: number;
  files: Array<{ file: string; kb: number; gzipKb: number }>;
}

/** What the cold overview load fetched: JS + CSS bytes on the wire (compressed), by encoding. */
export interface TransferSize {
  /** kB (1000 bytes) of JS + CSS bodies as transferred. */
  kb: number;
  /** The same files decoded. */
  decodedKb: number;
  files: number;
  /** How many of them came with each Content-Encoding ('identity' for none). */
  encodings: Record<string, number>;
}

export interface DashboardBenchResult {
  calls: number;
  bundle: BundleSize;
  transfer: TransferSize;
  /** Navigation start -> cards with figures and the chart drawn, first (cold) load. */
  coldFirstPaintMs: number;
  /** The same, warm loads (assets cached). */
  warmFirstPaintMs: { p50: number; p95: number; samples: number[] };
}

const kb = (bytes: number): number => Math.round(bytes / 100) / 10;

export async function measureBundle(distDir = DASHBOARD_DIST): Promise<BundleSize> {
  const assets = path.join(distDir, 'assets');
  const names = (await readdir(assets)).filter((name) => /\.(js|css)$/.test(name)).sort();
  const files = await Promise.all(
    names.map(async (name) => {
      const content = await readFile(path.join(assets, name));
      return { file: name, bytes: content.length, gzipBytes: gzipSync(content).length };
    }),
  );
  const html = await readFile(path.join(distDir, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]);
  const initialBytes = files.filter((f) => initial.includes(f.file)).reduce((sum, f) => sum + f.bytes, 0);
  return {
    totalKb: kb(files.reduce((sum, f) => sum + f.bytes, 0)),
    totalGzipKb: kb(files.reduce((sum, f) => sum + f.gzipBytes, 0)),
    initialKb: kb(initialBytes),
    files: files.map((f) => ({ file: f.file, kb: kb(f.bytes), gzipKb: kb(f.gzipBytes) })),
  };
}

/** Installed before any page script: records when the KPI cards first hold figures and a chart is drawn. */
const PAINT_PROBE = `(() => {
  const done = () => {
    const card = document.querySelector('[data-testid="kpi-calls"]');
    return card && card.getAttribute('data-value') && document.querySelector('.chart-body svg');
  };
  const observer = new MutationObserver(() => {
    if (done()) { window.__firstMeaningfulPaint = performance.now(); observer.disconnect(); }
  });
  document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { subtree: true, childList: true, attributes: true }));
})();`;

interface ProbeWindow {
  __firstMeaningfulPaint?: number;
}

declare const window: ProbeWindow;

export async function measureDashboard(options: {
  ownerPool: pg.Pool;
  ownerConnectionString: string;
  tenantId: string;
  calls: number;
  /** Warm loads after the cold one (default 7). */
  loads?: number;
}): Promise<DashboardBenchResult> {
  const built = await ensureDashboardBuild();
  if (built.built) log.info(`dashboard built (${built.reason})`);
  const bundle = await measureBundle();
  const password = randomBytes(18).toString('base64url');
  if (!(await ensureAuthenticatorLogin(options.ownerPool, password))) throw new Error('cannot set the authenticator password');
  const authPool = createPool({
    connectionString: authenticatorConnectionString(options.ownerConnectionString, password),
    max: 4,
    applicationName: 'switchboard-bench-dashboard',
    logger: quietLogger('pool'),
  });
  const jwt: JwtOptions = { secret: randomBytes(32).toString('hex'), ttlSeconds: 3600 };
  const app = await createApp({
    pool: options.ownerPool,
    worker: () => undefined,
    logger: quietLogger('http'),
    graphql: {
      authPool,
      jwt,
      logger: quietLogger('graphql'),
      config: BENCH_GRAPHQL_CONFIG,
    },
  });
  const http = await listen(app.express, { host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const token = signJwt({ userId: options.tenantId, role: 'app_user' }, jwt);
    await browser.context.addInitScript(`try { localStorage.setItem('switchboard.jwt', ${JSON.stringify(token)}); } catch {}`);
    await browser.context.addInitScript(PAINT_PROBE);
    let transfer: TransferSize | undefined;
    const once = async (measureTransfer = false): Promise<number> => {
      const page = await browser.context.newPage();
      const assets: Array<Promise<{ encoding: string; encoded: number; decoded: number }>> = [];
      if (measureTransfer) {
        page.on('response', (response) => {
          if (!/\/assets\/[^?]+\.(js|css)(\?|$)/.test(response.url())) return;
          const encoding = response.headers()['content-encoding'] ?? 'identity';
          // bytes of the body as they came over the wire, and decoded
          assets.push(Promise.all([response.request().sizes(), response.body()]).then(([sizes, body]) => ({ encoding, encoded: sizes.responseBodySize, decoded: body.length })));
        });
      }
      try {
        await page.goto(`${http.url}/`);
        await page.waitForFunction(() => window.__firstMeaningfulPaint !== undefined, undefined, { timeout: 60_000 });
        const ms = await page.evaluate(() => window.__firstMeaningfulPaint ?? Number.NaN);
        if (!Number.isFinite(ms)) throw new Error('no first meaningful paint recorded');
        if (measureTransfer) {
          await page.waitForLoadState('networkidle');
          const entries = await Promise.all(assets);
          const encodings: Record<string, number> = {};
          for (const entry of entries) encodings[entry.encoding] = (encodings[entry.encoding] ?? 0) + 1;
          transfer = {
            kb: kb(entries.reduce((sum, e) => sum + e.encoded, 0)),
            decodedKb: kb(entries.reduce((sum, e) => sum + e.decoded, 0)),
            files: entries.length,
            encodings,
          };
        }
        return ms;
      } finally {
        await page.close();
      }
    };
    const cold = await once(true);
    if (!transfer) throw new Error('no transfer size recorded');
    const samples: number[] = [];
    for (let i = 0; i < (options.loads ?? 7); i += 1) samples.push(await once());
    const result: DashboardBenchResult = {
      calls: options.calls,
      bundle,
      transfer,
      coldFirstPaintMs: cold,
      warmFirstPaintMs: { p50: percentile(samples, 50), p95: percentile(samples, 95), samples },
    };
    log.info(
      `dashboard @${options.calls}: first meaningful paint cold ${cold.toFixed(0)} ms, warm p50 ${result.warmFirstPaintMs.p50.toFixed(0)} ms; ` +
        `bundle ${bundle.totalKb} kB (${bundle.totalGzipKb} kB gzip, initial ${bundle.initialKb} kB); ` +
        `overview JS+CSS on the wire ${transfer.kb} kB of ${transfer.decodedKb} kB (${JSON.stringify(transfer.encodings)})`,
    );
    return result;
  } finally {
    await browser.close();
    await http.close();
    await app.release();
    await endPool(authPool);
  }
}

/** The results.json figures (the first-paint key names the size: 1m at 1,000,000 calls). */
export function dashboardFigures(result: DashboardBenchResult): Record<string, number> {
  const size = result.calls % 1_000_000 === 0 ? `${result.calls / 1_000_000}m` : `${Math.round(result.calls / 1000)}k`;
  return {
    [`dashboard_first_paint_ms_${size}`]: Math.round(result.warmFirstPaintMs.p50),
    dashboard_bundle_kb: result.bundle.totalKb,
    dashboard_transfer_kb: result.transfer.kb,
  };
}
