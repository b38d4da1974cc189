/**
 * The read replica (issue 18, item 5), on its own database in the bench
 * cluster and a real streaming replica of that cluster (tests/helpers/replica.ts):
 * the app in this process (webhooks, and GraphQL with GRAPHQL_READ_DATABASE_URL
 * on the replica), `readers` dashboard clients sending the overview query
 * (dataFreshness says which database answered), one request in `writeEvery` a
 * small mutation of the reader's own business (so read-your-writes is
 * exercised), in rounds that alternate without and with the webhook load of
 * `webhookClients` clients (A B, B A, ...). Meanwhile the primary's
 * pg_stat_replication is sampled every 100 ms: the replica's replay lag (time)
 * and the WAL bytes it has not replayed.
 *
 * Figures: `replica_read_share` (GraphQL reads answered by the replica, under
 * the webhook load) and the replica's lag under that load, each with its spread
 * over the rounds, beside the same without webhooks.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../server/app.ts';
import { authenticatorConnectionString, ensureAuthenticatorLogin } from '../server/auth/authenticator.ts';
import { signJwt } from '../server/auth/jwt.ts';
import { readConfig } from '../kernel/config.ts';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { startReplica, type Replica } from '../tests/helpers/replica.ts';
import type { BenchDatabase, BenchServer } from './cluster.ts';
import { log, quietLogger } from './log.ts';
import { percentile, sideBySide } from './stats.ts';
import { runClients, seedTenants } from './webhooks.ts';

export interface ReplicaBenchOptions {
  readers: number;
  webhookClients: number;
  /** Seconds per phase (one phase without, one with webhooks, per round). */
  seconds: number;
  rounds: number;
  /** One request in this many is a mutation of the reader's business. */
  writeEvery: number;
  seed: number;
}

export interface ReplicaPhase {
  webhooks: boolean;
  reads: number;
  /** Reads answered by the replica / all reads. */
  replicaShare: number | null;
  writes: number;
  errors: number;
  webhookDeliveries: number;
  /** Replay lag from pg_stat_replication (ms); null when it never reported one. */
  lagMsP50: number | null;
  lagMsP95: number | null;
  lagMsMax: number | null;
  /** WAL bytes written on the primary and not yet replayed. */
  lagBytesP95: number | null;
  lagBytesMax: number | null;
}

export interface ReplicaResult {
  readers: number;
  webhookClients: number;
  seconds: number;
  rounds: number;
  writeEvery: number;
  phases: ReplicaPhase[];
  /** Over the rounds with webhooks: median and [min, max]. */
  replicaReadShare: { median: number | null; min: number | null; max: number | null };
  lagMsP95UnderWebhooks: { median: number | null; min: number | null; max: number | null };
  lagBytesP95UnderWebhooks: { median: number | null; min: number | null; max: number | null };
  /** The router's counters at the end (calls, fallbacks, waits). */
  router: Record<string, number>;
}

const OVERVIEW = `{ dashboardOverview { summary { current { calls } } freshness { answeredBy } } }`;
const RENAME = `mutation ($id: UUID!, $name: String!) { updateAgentByRowId(input: { rowId: $id, agentPatch: { name: $name } }) { agent { rowId } } }`;

function spread(values: Array<number | null>): { median: number | null; min: number | null; max: number | null } {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return { median: null, min: null, max: null };
  return { median: percentile(xs, 50), min: Math.min(...xs), max: Math.max(...xs) };
}

interface Reader {
  token: string;
  agentId: string;
}

async function readLoop(url: string, reader: Reader, until: number, writeEvery: number, tally: { reads: number; replica: number; writes: number; errors: number }): Promise<void> {
  for (let i = 1; performance.now() < until; i += 1) {
    const write = i % writeEvery === 0;
    const body = write ? { query: RENAME, variables: { id: reader.agentId, name: `Agent ${i}` } } : { query: OVERVIEW };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${reader.token}` },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { data?: { dashboardOverview?: { freshness?: { answeredBy?: string } } }; errors?: unknown[] };
      if (!response.ok || json.errors?.length) {
        tally.errors += 1;
        continue;
      }
      if (write) tally.writes += 1;
      else {
        tally.reads += 1;
        if (json.data?.dashboardOverview?.freshness?.answeredBy === 'replica') tally.replica += 1;
      }
    } catch {
      tally.errors += 1;
    }
  }
}

export async function runReplica(server: BenchServer, options: ReplicaBenchOptions): Promise<ReplicaResult> {
  const database = await server.createDatabase('replica');
  log.info('starting the replica');
  const replica = await startReplica(server.adminConnectionString, { logger: quietLogger('bench:replica') });
  log.info('replica streaming; measuring');
  try {
    return await measure(server, database, replica, options);
  } finally {
    await replica.stop();
    await database.drop();
  }
}

async function measure(server: BenchServer, database: BenchDatabase, replica: Replica, options: ReplicaBenchOptions): Promise<ReplicaResult> {
  const pool = database.pool;
  const logger = quietLogger('replica-app');
  const password = randomBytes(18).toString('base64url');
  if (!(await ensureAuthenticatorLogin(pool, password))) throw new Error('cannot set the authenticator password');
  const authUrl = authenticatorConnectionString(database.connectionString, password);
  const readUrl = authenticatorConnectionString(replica.connectionString(database.name), password);
  const config = readConfig({
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '10000000',
    WEBHOOK_RATE_LIMIT_BURST: '1000000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_BURST: '1000000',
    RATE_LIMIT_TENANT_PER_MINUTE: '3000000',
    RATE_LIMIT_TENANT_BURST: '3000000',
    GRAPHIQL: 'false',
    LOG_LEVEL: 'warn',
  });
  const appPool = createPool({ connectionString: database.connectionString, max: options.webhookClients, applicationName: 'switchboard-bench-replica', logger });
  const authPool = createPool({ connectionString: authUrl, max: config.graphqlPoolSize, applicationName: 'switchboard-bench-graphql', logger });
  const readPool = createPool({ connectionString: readUrl, max: config.graphqlPoolSize, applicationName: 'switchboard-bench-graphql-read', logger });
  const jwt = { secret: randomBytes(32).toString('hex'), ttlSeconds: 3600 };
  const app = await createApp({
    pool: appPool,
    worker: () => undefined,
    logger,
    secretsKey: createHash('sha256').update('switchboard-bench-secrets').digest(),
    webhooks: { pool: appPool, config, logger },
    graphql: { authPool, readPool, jwt, config, logger },
    dashboard: false,
  });
  const http = app.express.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => http.once('listening', resolve).once('error', reject));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  let compacting = true;
  const compactor = (async () => {
    while (compacting) {
      await pool.query('select app_hidden.compact_rollups()').catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  const sampler = new pg.Client({ connectionString: server.adminConnectionString, application_name: 'switchboard-bench-lag' });
  sampler.on('error', (error) => log.warn(`lag sampler connection lost: ${error.message}`));
  try {
    await sampler.connect();
    const targets = await seedTenants(pool);
    const readers: Reader[] = targets.slice(0, Math.max(1, options.readers)).map((t) => ({
      token: signJwt({ userId: t.userId, role: 'app_user' }, jwt),
      agentId: '',
    }));
    const { rows: agentRows } = await pool.query<{ user_id: string; id: string }>(
      `select distinct on (user_id) user_id, id from app_public.agents where user_id = any ($1::uuid[]) order by user_id, id`,
      [targets.map((t) => t.userId)],
    );
    const agentOf = new Map(agentRows.map((row) => [row.user_id, row.id]));
    targets.slice(0, readers.length).forEach((t, i) => {
      const reader = readers[i];
      if (reader) reader.agentId = agentOf.get(t.userId) ?? '';
    });
    await replica.catchUp();

    const phases: ReplicaPhase[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      for (const [, webhooks] of sideBySide([false, true], round)) {
        const lagsMs: number[] = [];
        const lagsBytes: number[] = [];
        let sampling = true;
        const sampling$ = (async () => {
          while (sampling) {
            const { rows } = await sampler.query<{ ms: number | null; bytes: string | null }>(
              `select extract(epoch from replay_lag) * 1000 as ms, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text as bytes
                 from pg_stat_replication where application_name = $1`,
              [replica.slot],
            );
            const row = rows[0];
            if (row?.ms !== null && row?.ms !== undefined) lagsMs.push(Number(row.ms));
            if (row?.bytes) lagsBytes.push(Math.max(0, Number(row.bytes)));
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })();
        const tally = { reads: 0, replica: 0, writes: 0, errors: 0 };
        const until = performance.now() + options.seconds * 1000;
        const deliveries = webhooks
          ? runClients({ url: base, targets, clients: options.webhookClients, seconds: options.seconds, seed: options.seed + round })
          : Promise.resolve(undefined);
        await Promise.all(readers.map((reader) => readLoop(`${base}/graphql`, reader, until, options.writeEvery, tally)));
        const output = await deliveries;
        sampling = false;
        await sampling$;
        const phase: ReplicaPhase = {
          webhooks,
          reads: tally.reads,
          replicaShare: tally.reads > 0 ? tally.replica / tally.reads : null,
          writes: tally.writes,
          errors: tally.errors,
          webhookDeliveries: output?.latenciesMs.length ?? 0,
          lagMsP50: lagsMs.length ? percentile(lagsMs, 50) : null,
          lagMsP95: lagsMs.length ? percentile(lagsMs, 95) : null,
          lagMsMax: lagsMs.length ? Math.max(...lagsMs) : null,
          lagBytesP95: lagsBytes.length ? percentile(lagsBytes, 95) : null,
          lagBytesMax: lagsBytes.length ? Math.max(...lagsBytes) : null,
        };
        phases.push(phase);
        log.info(
          `replica round ${round + 1} ${webhooks ? 'with' : 'without'} webhooks: ${phase.reads} reads, ` +
            `${((phase.replicaShare ?? 0) * 100).toFixed(1)}% on the replica, ${phase.writes} writes, ${phase.errors} errors, ` +
            `${phase.webhookDeliveries} deliveries; lag p95 ${phase.lagMsP95?.toFixed(1) ?? '-'} ms, ` +
            `${phase.lagBytesP95?.toFixed(0) ?? '-'} bytes (max ${phase.lagBytesMax?.toFixed(0) ?? '-'})`,
        );
        await replica.catchUp(60_000);
      }
    }
    const loaded = phases.filter((p) => p.webhooks);
    return {
      readers: readers.length,
      webhookClients: options.webhookClients,
      seconds: options.seconds,
      rounds: options.rounds,
      writeEvery: options.writeEvery,
      phases,
      replicaReadShare: spread(loaded.map((p) => p.replicaShare)),
      lagMsP95UnderWebhooks: spread(loaded.map((p) => p.lagMsP95)),
      lagBytesP95UnderWebhooks: spread(loaded.map((p) => p.lagBytesP95)),
      router: { ...(app.readRouter?.counts() ?? {}) },
    };
  } finally {
    compacting = false;
    await compactor;
    await sampler.end();
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections();
    await closed;
    await app.release();
    await endPool(authPool);
    await endPool(readPool);
    await endPool(appPool);
  }
}

/** The part's lines under the checks table (bench/report.ts). */
export function replicaInfoRows(result: ReplicaResult | null): Array<{ figure: string; value: string }> {
  if (!result) return [];
  const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
  const num = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
  const quiet = result.phases.filter((p) => !p.webhooks);
  return [
    {
      figure: `GraphQL reads answered by the replica under webhook load (${result.readers} readers, 1 write in ${result.writeEvery}; median [min, max] of ${result.rounds} rounds)`,
      value: `${pct(result.replicaReadShare.median)} [${pct(result.replicaReadShare.min)}, ${pct(result.replicaReadShare.max)}]`,
    },
    {
      figure: `replica replay lag p95 under webhook load (${result.webhookClients} clients): ms; bytes (median [min, max])`,
      value: `${num(result.lagMsP95UnderWebhooks.median, 1)} [${num(result.lagMsP95UnderWebhooks.min, 1)}, ${num(result.lagMsP95UnderWebhooks.max, 1)}]; ` +
        `${num(result.lagBytesP95UnderWebhooks.median, 0)} [${num(result.lagBytesP95UnderWebhooks.min, 0)}, ${num(result.lagBytesP95UnderWebhooks.max, 0)}]`,
    },
    {
      figure: 'replica replay lag p95 without webhooks (ms, per round)',
      value: quiet.map((p) => num(p.lagMsP95, 1)).join(', '),
    },
  ];
}
