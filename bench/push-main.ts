/**
 * `npm run bench:push [-- --calls 20000] [--samples 20] [--idle-seconds 60]`: the live-update
 * benchmark on its own (bench/push.ts) — a throwaway cluster, N synthetic calls through the real
 * triggers, then the busiest tenant's overview in headless Chromium: GraphQL requests while idle and
 * webhook accepted -> new figure on screen. Prints the figures as JSON (not written to
 * bench/results.json: `npm run bench` owns that file).
 */
import './graphile-env.ts'; // first: Grafast's production mode, before anything loads it
import { parseArgs } from 'node:util';
import { loadScaleData } from '../server/seed/scale.ts';
import { startBenchServer } from './cluster.ts';
import { log } from './log.ts';
import { compactAll, settle } from './maintenance.ts';
import { measurePush, pushFigures } from './push.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '20000' },
      samples: { type: 'string', default: '20' },
      'idle-seconds': { type: 'string', default: '60' },
    },
  });
  const calls = Number(values.calls);
  const samples = Number(values.samples);
  const idleSeconds = Number(values['idle-seconds']);
  if (!Number.isInteger(calls) || calls < 1) throw new Error('--calls must be a positive integer');
  if (!Number.isInteger(samples) || samples < 1) throw new Error('--samples must be a positive integer');
  if (!(idleSeconds > 0)) throw new Error('--idle-seconds must be positive');
  const server = await startBenchServer();
  try {
    const database = await server.createDatabase('push');
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
      const result = await measurePush({ ownerPool: database.pool, ownerConnectionString: database.connectionString, tenantId, calls, samples, idleSeconds });
      process.stdout.write(`${JSON.stringify({ ...pushFigures(result), detail: result }, null, 2)}\n`);
    } finally {
      await database.drop();
    }
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  log.error('push benchmark failed', { error });
  process.exitCode = 1;
});
