/**
 * `npm run bench:open [-- --calls 200000] [--rate 100] [--seconds 20] [--step-seconds 6] [--max-concurrency 64]
 *   [--profile FILE] [--compare OTHER_TREE | --compare-flags FLAGS] [--rounds 3] [--compare-concurrency 8] [--skip-open] [--skip-closed]`:
 * the open-loop and closed-loop-maximum part on its own (bench/open-loop.ts) in a throwaway cluster with N
 * calls loaded through the real triggers. `--profile` also writes a CPU profile of the API under closed-loop
 * load and prints where its time goes; `--compare` runs the API of this tree and of OTHER_TREE (another
 * checkout of the project, e.g. the commit before a CPU cut, with its node_modules) side by side in
 * interleaved rounds (`--compare-flags "--some-flag"`: this tree with and without extra Node flags). Prints the figures as JSON (`npm run bench` measures the open loop and the closed-loop
 * maximum at the large size and writes bench/results.json).
 */
import './graphile-env.ts'; // first: Grafast's production mode, before anything loads it
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadScaleData } from '../server/seed/scale.ts';
import { startBenchServer } from './cluster.ts';
import { formatProfile } from './cpu-profile.ts';
import type { GraphqlTarget } from './graphql.ts';
import { log } from './log.ts';
import { compactAll, settle } from './maintenance.ts';
import { compareServers, measureClosedLoopMax, measureOpenLoop, profileApi } from './open-loop.ts';
import { median } from './stats.ts';

function count(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '200000' },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      'step-seconds': { type: 'string', default: '6' },
      'max-concurrency': { type: 'string', default: '64' },
      profile: { type: 'string' },
      'profile-concurrency': { type: 'string', default: '8' },
      compare: { type: 'string' },
      'compare-flags': { type: 'string' },
      rounds: { type: 'string', default: '3' },
      'compare-concurrency': { type: 'string', default: '8' },
      'skip-open': { type: 'boolean', default: false },
      'skip-closed': { type: 'boolean', default: false },
      seed: { type: 'string', default: '20240601' },
    },
  });
  const calls = count('calls', values.calls, 1000);
  const seconds = count('seconds', values.seconds, 1);
  const warmupSeconds = count('warmup', values.warmup, 0);
  const seed = count('seed', values.seed, 0);
  const server = await startBenchServer();
  const output: Record<string, unknown> = {};
  try {
    const database = await server.createDatabase('open_loop');
    try {
      log.info(`loading ${calls} calls`);
      const loaded = await loadScaleData(database.pool, { calls, seed });
      await compactAll(database.pool);
      await settle(database.pool);
      const target: GraphqlTarget = { ownerPool: database.pool, ownerConnectionString: database.connectionString, tenantIds: loaded.tenantIds, calls };
      if (!values['skip-open']) {
        output.openLoop = await measureOpenLoop(target, { requestsPerSecond: count('rate', values.rate, 1), seconds, warmupSeconds, seed });
      }
      if (!values['skip-closed']) {
        output.closedLoopMax = await measureClosedLoopMax(target, {
          stepSeconds: count('step-seconds', values['step-seconds'], 1),
          warmupSeconds: 2,
          maxConcurrency: count('max-concurrency', values['max-concurrency'], 1),
          seed,
        });
      }
      if (values.profile) {
        const summary = await profileApi(target, {
          concurrency: count('profile-concurrency', values['profile-concurrency'], 1),
          seconds,
          warmupSeconds,
          file: path.resolve(values.profile),
          seed,
          projectRoot: path.resolve(import.meta.dirname, '..'),
        });
        process.stderr.write(`${formatProfile(summary)}\n`);
        output.profile = summary;
      }
      if (values.compare || values['compare-flags'] !== undefined) {
        // the other arm: another source tree, or this tree with other Node flags (space-separated)
        const other = values.compare ? path.resolve(values.compare) : undefined;
        const flags = values['compare-flags']?.split(' ').filter(Boolean);
        const runs = await compareServers(
          target,
          [
            { label: 'this' },
            other
              ? { label: path.basename(other), entry: new URL(`file://${path.join(other, 'bench/graphql-server.ts')}`) }
              : { label: `flags ${flags?.join(' ') ?? ''}`, execArgv: [...process.execArgv, ...(flags ?? [])] },
          ],
          {
            rounds: count('rounds', values.rounds, 1),
            concurrency: count('compare-concurrency', values['compare-concurrency'], 1),
            seconds,
            warmupSeconds,
            openRequestsPerSecond: count('rate', values.rate, 1),
            seed,
          },
        );
        const of = (label: string, pick: (run: (typeof runs)[number]) => number | null): number | null => {
          const xs = runs.filter((r) => r.label === label).map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
          return xs.length ? median(xs) : null;
        };
        const labels = [...new Set(runs.map((r) => r.label))];
        output.compare = {
          runs,
          medians: Object.fromEntries(labels.map((label) => [label, {
            closedRequestsPerSecond: of(label, (r) => r.closedRequestsPerSecond),
            closedApiCpuMsPerRequest: of(label, (r) => r.closedApiCpuMsPerRequest),
            openP95Ms: of(label, (r) => r.openP95Ms),
            openApiCpuMsPerRequest: of(label, (r) => r.openApiCpuMsPerRequest),
          }])),
          // per round: this / other
          roundRatios: Array.from({ length: count('rounds', values.rounds, 1) }, (_, round) => {
            const a = runs.find((r) => r.round === round && r.label === 'this');
            const b = runs.find((r) => r.round === round && r.label !== 'this');
            return a && b ? {
              closedRequestsPerSecond: a.closedRequestsPerSecond / b.closedRequestsPerSecond,
              closedApiCpuMsPerRequest: a.closedApiCpuMsPerRequest !== null && b.closedApiCpuMsPerRequest ? a.closedApiCpuMsPerRequest / b.closedApiCpuMsPerRequest : null,
              openApiCpuMsPerRequest: a.openApiCpuMsPerRequest !== null && b.openApiCpuMsPerRequest ? a.openApiCpuMsPerRequest / b.openApiCpuMsPerRequest : null,
            } : null;
          }),
        };
      }
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    } finally {
      await database.drop();
    }
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  log.error('open-loop benchmark failed', { error });
  process.exitCode = 1;
});
