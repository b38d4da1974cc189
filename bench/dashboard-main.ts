/**
 * `npm run bench:dashboard [-- --calls 1000000] [--loads 7]`: the dashboard
 * benchmark on its own (bench/dashboard.ts) — a throwaway cluster, N synthetic
 * calls through the real triggers, then first meaningful paint of the busiest
 * tenant's overview in headless Chromium and the bundle size. Prints the
 * figures as JSON (not written to bench/results.json: `npm run bench` owns that file).
 * `--bundle-only` skips the database and the browser.
 */
import './graphile-env.ts'; // first: Grafast's production mode, before anything loads it
import { parseArgs } from 'node:util';
import { loadScaleData } from '../server/seed/scale.ts';
import { startBenchServer } from './cluster.ts';
import { dashboardFigures, measureBundle, measureDashboard } from './dashboard.ts';
import { ensureDashboardBuild } from '../server/http/dashboard-build.ts';
import { log } from './log.ts';
import { compactAll, settle } from './maintenance.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '1000000' },
      loads: { type: 'string', default: '7' },
      'bundle-only': { type: 'boolean', default: false },
    },
  });
  if (values['bundle-only']) {
    await ensureDashboardBuild();
    process.stdout.write(`${JSON.stringify(await measureBundle(), null, 2)}\n`);
    return;
  }
  const calls = Number(values.calls);
  const loads = Number(values.loads);
  if (!Number.isInteger(calls) || calls < 1) throw new Error('--calls must be a positive integer');
  const server = await startBenchServer();
  try {
    const database = await server.createDatabase('dashboard');
    try {
      log.info(`loading ${calls} calls`);
      const loaded = await loadScaleData(database.pool, { calls, seed: 1 });
      await compactAll(database.pool);
      await settle(database.pool);
      const { rows } = await database.pool.query<{ user_id: string }>(
        `select user_id from app_public.calls where user_id = any ($1::uuid[]) group by user_id order by count(*) desc limit 1`,
        [loaded.tenantIds],
      );
      const tenantId = rows[0]?.user_id;
      if (!tenantId) throw new Error('no tenant with calls');
      const result = await measureDashboard({ ownerPool: database.pool, ownerConnectionString: database.connectionString, tenantId, calls, loads });
      process.stdout.write(`${JSON.stringify({ ...dashboardFigures(result), detail: result }, null, 2)}\n`);
    } finally {
      await database.drop();
    }
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  log.error('dashboard benchmark failed', { error });
  process.exitCode = 1;
});
