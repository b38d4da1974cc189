/**
 * `npm start` runs this first: builds the dashboard when dashboard/dist is
 * missing or older than its sources (a second or two), otherwise does nothing.
 * A failed build (e.g. vite not installed with --omit=dev) is logged and does
 * not stop the start: the API runs, with the previous build if there is one.
 * `--force` always builds; `--strict` exits 1 when the build fails.
 */
import { ensureDashboardBuild } from '../http/dashboard-build.ts';
import { createLogger } from '../../kernel/log.ts';

const log = createLogger('dashboard');
try {
  const started = Date.now();
  const result = await ensureDashboardBuild({ force: process.argv.includes('--force') });
  if (result.built) log.info(`dashboard built in ${Date.now() - started} ms (${result.reason})`);
} catch (error) {
  log.error('dashboard build failed: the API starts without it (or with the previous build); run npm run dashboard:build to see why', { error });
  if (process.argv.includes('--strict')) process.exitCode = 1;
}
