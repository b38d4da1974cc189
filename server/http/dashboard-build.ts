/**
 * Builds the dashboard (vite build -> dashboard/dist) when the build is missing
 * or older than its sources (dashboard/src, index.html, vite.config.ts,
 * package-lock.json). Used by `npm start`, the browser test and the benchmark.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARD_DIST } from './dashboard.ts';

export const DASHBOARD_ROOT = path.resolve(import.meta.dirname, '../../dashboard');
const LOCKFILE = path.resolve(DASHBOARD_ROOT, '../package-lock.json');

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** Why the build must run, or null when dist is up to date. */
export function dashboardBuildReason(distDir = DASHBOARD_DIST): string | null {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return 'no build yet';
  const built = statSync(index).mtimeMs;
  const sources = [path.join(DASHBOARD_ROOT, 'src'), path.join(DASHBOARD_ROOT, 'index.html'), path.join(DASHBOARD_ROOT, 'vite.config.ts'), LOCKFILE];
  const stale = sources.find((source) => newestMtime(source) > built);
  return stale ? `${path.relative(process.cwd(), stale)} changed since the last build` : null;
}

export interface EnsureBuildResult {
  built: boolean;
  reason: string | null;
}

/** Runs `vite build` with dashboard/vite.config.ts if needed (or always with `force`). */
export async function ensureDashboardBuild({
  force = false,
  quiet = true,
  distDir = DASHBOARD_DIST,
}: { force?: boolean; quiet?: boolean; distDir?: string } = {}): Promise<EnsureBuildResult> {
  const reason = force ? 'forced' : dashboardBuildReason(distDir);
  if (!reason) return { built: false, reason: null };
  const { build } = await import('vite');
  // Always a production build. Vite takes NODE_ENV from the environment when it is set, and
  // under vitest it is 'test': the browser test's build was React's development build (930 vs
  // 683 kB of JS, first paint about twice as slow), which `npm start` then served as up to date.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(DASHBOARD_ROOT, 'vite.config.ts'),
      mode: 'production',
      logLevel: quiet ? 'warn' : 'info',
      build: { outDir: distDir, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return { built: true, reason };
}
