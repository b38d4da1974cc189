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
export async function ensureDashboardBuild({ force = false, quiet = true }: { force?: boolean; quiet?: boolean } = {}): Promise<EnsureBuildResult> {
  const reason = force ? 'forced' : dashboardBuildReason();
  if (!reason) return { built: false, reason: null };
  const { build } = await import('vite');
  await build({ configFile: path.join(DASHBOARD_ROOT, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  return { built: true, reason };
}
