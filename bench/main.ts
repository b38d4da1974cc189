/**
 * `npm run bench [-- --quick]`: the rollup pipeline measured against its
 * alternatives, side by side in one run (method and figures: bench/README.md):
 * 1. ingest: pipeline vs bare inserts (single-row spread and hot, batches, COPY),
 *    deadlocks, failed transactions, verify_rollups;
 * 2. reads: dashboard KPIs from the rollups vs from raw calls, at two sizes;
 * 3. the KPI materialized view refresh at both sizes;
 * 4. freshness of the rollup-backed KPIs with the worker compacting;
 * 5. the dashboard's GraphQL queries under load at both sizes (in 2);
 * 6. webhook ingest (spread and hot), lost deliveries, analysis throughput,
 *    delivery -> KPI freshness, and webhook_ratio (full pipeline vs the calls'
 *    triggers disabled, interleaved rounds);
 * 7. GraphQL reads on a streaming replica: share answered there, replay lag
 *    under the webhook load (bench/replica.ts; alone: npm run bench:replica).
 * Prints a table and writes bench/results.json.
 */
import './graphile-env.ts'; // first: Grafast's production mode, before anything loads it
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { toError } from '../kernel/log.ts';
import { startBenchServer } from './cluster.ts';
import { runIngest } from './ingest/index.ts';
import { log } from './log.ts';
import { machineInfo } from './machine.ts';
import { USAGE, parseOptions } from './options.ts';
import { buildResults } from './report.ts';
import { renderTable } from './table.ts';
import { runVolume } from './volume.ts';
import { runReplica } from './replica.ts';
import { runWebhooks } from './webhooks.ts';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), path.join(import.meta.dirname, 'results.json'));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const loadAtStart = os.loadavg()[0] ?? 0;
  const measuredAt = new Date();
  const started = performance.now();
  log.info(`starting a ${options.quick ? 'quick' : 'full'} run`);
  const server = await startBenchServer();
  // Ctrl-C or a kill: stop the throwaway cluster (it runs detached) before leaving.
  const onSignal = (signal: NodeJS.Signals): void => {
    log.warn(`${signal}: stopping the bench cluster`);
    void server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const machine = await machineInfo(server, loadAtStart);
    const ingest = options.skipIngest ? null : await runIngest(server, options);
    const volume = options.skipReads ? null : await runVolume(server, options);
    const webhooks = options.skipWebhooks
      ? null
      : await runWebhooks(server, {
          clients: options.webhookClients,
          seconds: options.webhookSeconds,
          rounds: options.rounds,
          analysisSeconds: options.analysisSeconds,
          freshnessSamples: options.webhookFreshnessSamples,
          seed: options.seed,
        });
    const replica = options.skipReplica
      ? null
      : await runReplica(server, {
          readers: 4,
          webhookClients: options.webhookClients,
          seconds: options.replicaSeconds,
          rounds: options.replicaRounds,
          writeEvery: 20,
          seed: options.seed,
        });
    const results = buildResults({
      bench: options,
      machine,
      measuredAt,
      durationSeconds: (performance.now() - started) / 1000,
      loadAverageAtEnd: os.loadavg()[0] ?? 0,
      ingest,
      volume,
      webhooks,
      replica,
    });
    await writeFile(options.output, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(renderTable(results));
    log.info(`results written to ${path.relative(process.cwd(), options.output)}`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  log.error('benchmark failed', { error: toError(error) });
  process.exitCode = 1;
});
