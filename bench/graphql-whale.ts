/**
 * graphql_p95_ratio_whale_small: the overview's p95 for the largest tenant (the
 * whale) against a small tenant under the same load: one API process
 * (bench/graphql-server.ts, as in bench/graphql.ts), the same `clients`
 * concurrent clients alternating between the two tenants request by request
 * (bench/whale-clients.ts), so the two share every moment of the run. Both
 * tenants' overviews are checked against their raw calls first. `rounds` runs
 * per database, databases side by side (A B, B A, ...); the ratio is of the
 * p95s pooled over the rounds, with each round's ratio as its spread.
 */
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { authenticatorConnectionString, ensureAuthenticatorLogin } from '../server/auth/authenticator.ts';
import { signJwt, type JwtOptions } from '../server/auth/jwt.ts';
import { defaultBackgroundPoolSize, defaultGraphqlPoolSize } from '../kernel/config.ts';
import { checkOverview, latency, startServerProcess, type GraphqlLatency } from './graphql.ts';
import { log } from './log.ts';
import { percentile, ratio, sideBySide } from './stats.ts';
import type { WhaleClientsInput, WhaleClientsOutput } from './whale-clients.ts';

export interface WhaleSmallTarget {
  ownerPool: pg.Pool;
  ownerConnectionString: string;
  whaleId: string;
  smallId: string;
  /** Calls in the database (for the log and the result). */
  calls: number;
}

export interface WhaleSmallResult {
  calls: number;
  clients: number;
  poolSize: number;
  rounds: number;
  seconds: number;
  whale: GraphqlLatency;
  small: GraphqlLatency;
  /** Whale p95 / small p95, pooled over the rounds. */
  p95Ratio: number | null;
  roundRatios: Array<number | null>;
  requestsPerSecond: number;
  errors: number;
}

function runInWorker(input: WhaleClientsInput): Promise<WhaleClientsOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./whale-clients.ts', import.meta.url), { workerData: input, execArgv: ['--import', 'tsx'] });
    worker.once('message', (message: { ok: true; output: WhaleClientsOutput } | { ok: false; message: string }) => {
      if (message.ok) resolve(message.output);
      else reject(new Error(`whale clients failed: ${message.message}`));
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function runOnce(target: WhaleSmallTarget, options: { clients: number; seconds: number; warmupSeconds: number; poolSize: number }): Promise<WhaleClientsOutput> {
  const password = randomBytes(18).toString('base64url');
  if (!(await ensureAuthenticatorLogin(target.ownerPool, password))) throw new Error('cannot set the authenticator password');
  const jwt: JwtOptions = { secret: randomBytes(32).toString('hex'), ttlSeconds: 3600 };
  const server = await startServerProcess({
    authConnectionString: authenticatorConnectionString(target.ownerConnectionString, password),
    jwtSecret: jwt.secret,
    poolSize: options.poolSize,
    backgroundPoolSize: defaultBackgroundPoolSize(),
  });
  const url = `http://127.0.0.1:${server.port}/graphql`;
  try {
    const tokens: [string, string] = [
      signJwt({ userId: target.whaleId, role: 'app_user' }, jwt),
      signJwt({ userId: target.smallId, role: 'app_user' }, jwt),
    ];
    await checkOverview(target.ownerPool, url, target.whaleId, tokens[0]);
    await checkOverview(target.ownerPool, url, target.smallId, tokens[1]);
    const output = await runInWorker({ url, tokens, clients: options.clients, seconds: options.seconds, warmupSeconds: options.warmupSeconds });
    for (const message of output.firstErrors) log.warn(`graphql error: ${message}`);
    return output;
  } finally {
    await server.stop();
  }
}

const p95 = (samples: readonly number[]): number => (samples.length > 0 ? percentile(samples, 95) : Number.NaN);

export async function measureWhaleSmallSideBySide(
  targets: readonly WhaleSmallTarget[],
  options: { clients: number; seconds: number; warmupSeconds: number; rounds: number },
): Promise<WhaleSmallResult[]> {
  const poolSize = defaultGraphqlPoolSize();
  const rounds = Math.max(1, options.rounds);
  const runs: WhaleClientsOutput[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, target] of sideBySide(targets, round)) {
      const run = await runOnce(target, { ...options, seconds: options.seconds / rounds, poolSize });
      runs[index]?.push(run);
      log.info(`graphql whale/small @${target.calls} round ${round + 1}/${rounds}: overview p95 whale ${p95(run.whaleMs).toFixed(1)} ms, ` +
        `small ${p95(run.smallMs).toFixed(1)} ms (x${ratio(p95(run.whaleMs), p95(run.smallMs))?.toFixed(2) ?? '-'})`);
    }
  }
  return targets.map((target, index) => {
    const list = runs[index] ?? [];
    const whaleMs = list.flatMap((run) => run.whaleMs);
    const smallMs = list.flatMap((run) => run.smallMs);
    const seconds = list.reduce((sum, run) => sum + run.elapsedSeconds, 0);
    const result: WhaleSmallResult = {
      calls: target.calls,
      clients: options.clients,
      poolSize,
      rounds,
      seconds,
      whale: latency(whaleMs),
      small: latency(smallMs),
      p95Ratio: ratio(p95(whaleMs), p95(smallMs)),
      roundRatios: list.map((run) => ratio(p95(run.whaleMs), p95(run.smallMs))),
      requestsPerSecond: (whaleMs.length + smallMs.length) / seconds,
      errors: list.reduce((sum, run) => sum + run.errors, 0),
    };
    log.info(`graphql whale/small @${target.calls}: overview p95 whale ${result.whale.p95Ms.toFixed(1)} ms, small ${result.small.p95Ms.toFixed(1)} ms ` +
      `(x${result.p95Ratio?.toFixed(2) ?? '-'}; rounds ${result.roundRatios.map((r) => r?.toFixed(2) ?? '-').join(', ')}), ` +
      `${result.requestsPerSecond.toFixed(0)} req/s, ${result.errors} errors`);
    return result;
  });
}
