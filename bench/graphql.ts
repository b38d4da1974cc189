/**
 * The dashboard's GraphQL reads under load: the real Express app with
 * PostGraphile (auth, limits, RLS) on the benchmark database, signed in as the
 * tenants the loader created, `clients` concurrent clients each sending the
 * overview (3 in 4) or an agent page (1 in 4) back to back.
 *
 * The server is its own Node process (bench/graphql-server.ts, as `npm start`
 * runs it, with a fresh heap and the default GraphQL pool size for this
 * machine); the clients run in a worker thread of the bench process. Both
 * share the machine's 2 cores with PostgreSQL. Two sizes of the data are
 * measured side by side (`measureGraphqlSideBySide`: alternating rounds), so
 * the 4M / 1M ratio compares like with like even when the machine's speed
 * drifts. Before each run, the overviews of three tenants are checked against
 * a count of their raw calls, and every timed response must be free of errors.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { authenticatorConnectionString, ensureAuthenticatorLogin } from '../server/auth/authenticator.ts';
import { signJwt, type JwtOptions } from '../server/auth/jwt.ts';
import { defaultBackgroundPoolSize, defaultGraphqlPoolSize } from '../kernel/config.ts';
import type { GraphqlServerInput, GraphqlServerMessage } from './graphql-server.ts';
import { log } from './log.ts';
import type { ClientsInput, ClientsOutput, ClientTarget } from './graphql-clients.ts';
import { OVERVIEW } from '../dashboard/src/api/operations/overview.ts';
import { percentile, sideBySide } from './stats.ts';

export interface GraphqlLatency {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface GraphqlResult {
  clients: number;
  /** Connections of the API's GraphQL pool: the `npm start` default for this machine. */
  poolSize: number;
  /** Timed runs pooled into these figures (side by side with the other size). */
  rounds: number;
  seconds: number;
  tenants: number;
  /** All timed requests (both operations). */
  all: GraphqlLatency;
  overview: GraphqlLatency;
  agentPage: GraphqlLatency;
  /** The call log mix (measureCallLogSideBySide). */
  callLog: GraphqlLatency;
  /** The call log mix's totals requests (sent beside each first page). */
  callLogTotals: GraphqlLatency;
  requestsPerSecond: number;
  errors: number;
}

/** The clients run in a worker thread (tsx loaded there too), apart from the server's event loop. */
function runClientsInWorker(input: ClientsInput): Promise<ClientsOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./graphql-clients.ts', import.meta.url), {
      workerData: input,
      execArgv: ['--import', 'tsx'],
    });
    worker.once('message', (message: { ok: true; output: ClientsOutput } | { ok: false; message: string }) => {
      if (message.ok) resolve(message.output);
      else reject(new Error(`graphql clients failed: ${message.message}`));
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

interface GraphqlResponse {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string }>;
}

async function post(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<GraphqlResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphqlResponse;
  if (!response.ok && !body.errors) throw new Error(`HTTP ${response.status}`);
  return body;
}

export function latency(samples: number[]): GraphqlLatency {
  if (samples.length === 0) return { requests: 0, p50Ms: Number.NaN, p95Ms: Number.NaN, p99Ms: Number.NaN };
  return {
    requests: samples.length,
    p50Ms: percentile(samples, 50),
    p95Ms: percentile(samples, 95),
    p99Ms: percentile(samples, 99),
  };
}

/** The overview's 30-day call count must equal the raw calls of those tenant-local days. */
export async function checkOverview(db: pg.Pool, url: string, tenantId: string, token: string): Promise<void> {
  const body = await post(url, token, OVERVIEW.query, { fromDate: null, toDate: null });
  if (body.errors?.length) throw new Error(`overview failed: ${body.errors.map((e) => e.message).join('; ')}`);
  const overview = body.data?.dashboardOverview as { summary: { fromDate: string; toDate: string; current: { calls: string } } } | undefined;
  const summary = overview?.summary;
  if (!summary) throw new Error('overview returned no dashboardOverview.summary');
  const { rows } = await db.query<{ n: string }>(
    `select count(*) as n from app_public.calls c join app_public.users u on u.id = c.user_id
      where c.user_id = $1 and (c.started_at at time zone u.timezone)::date between $2 and $3`,
    [tenantId, summary.fromDate, summary.toDate],
  );
  if (rows[0]?.n !== summary.current.calls) {
    throw new Error(`tenant ${tenantId}: GraphQL says ${summary.current.calls} calls, raw calls say ${rows[0]?.n}`);
  }
}

/**
 * The API in a child process (bench/graphql-server.ts) with this process's Node flags, so that
 * its heap and event loop are its own, as with `npm start`.
 */
export async function startServerProcess(
  input: GraphqlServerInput,
  /** Another source tree's server entry and other Node flags (bench/open-loop.ts compares them side by side). */
  { entry = new URL('./graphql-server.ts', import.meta.url), execArgv = process.execArgv }: { entry?: URL; execArgv?: string[] } = {},
): Promise<{ port: number; pid: number | undefined; child: ChildProcess; stop(): Promise<void> }> {
  const child = fork(entry, [], {
    execArgv,
    env: { ...process.env, BENCH_GRAPHQL_SERVER: JSON.stringify(input) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: GraphqlServerMessage) => {
      if (message.ok) resolve(message.port);
      else reject(new Error(`graphql server failed: ${message.message}`));
    });
    child.once('exit', (code) => reject(new Error(`graphql server exited (code ${code}) before listening`)));
  });
  return {
    port,
    pid: child.pid,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface GraphqlTarget {
  ownerPool: pg.Pool;
  ownerConnectionString: string;
  tenantIds: readonly string[];
  /** Calls in the database (for the log and the result). */
  calls: number;
}

export interface GraphqlRunOptions {
  clients: number;
  /** Timed seconds per target, split evenly over the rounds. */
  seconds: number;
  warmupSeconds: number;
  mix?: 'dashboard' | 'calllog';
}

interface RunSamples {
  overviewMs: number[];
  agentPageMs: number[];
  callLogMs: number[];
  callLogTotalsMs: number[];
  elapsedSeconds: number;
  errors: number;
  tenants: number;
}

/** One timed run: the API started on `target`, checked against the raw calls, then `seconds` of load. */
async function runOnce(target: GraphqlTarget, options: GraphqlRunOptions & { poolSize: number; seed: number }): Promise<RunSamples> {
  const { ownerPool, tenantIds } = target;
  const password = randomBytes(18).toString('base64url');
  if (!(await ensureAuthenticatorLogin(ownerPool, password))) throw new Error('cannot set the authenticator password');
  const jwt: JwtOptions = { secret: randomBytes(32).toString('hex'), ttlSeconds: 3600 };
  const server = await startServerProcess({
    authConnectionString: authenticatorConnectionString(target.ownerConnectionString, password),
    jwtSecret: jwt.secret,
    poolSize: options.poolSize,
    backgroundPoolSize: defaultBackgroundPoolSize(),
  });
  const url = `http://127.0.0.1:${server.port}/graphql`;
  try {
    const { rows: agents } = await ownerPool.query<{ user_id: string; ids: string[] }>(
      `select user_id, array_agg(id order by id) as ids from app_public.agents where user_id = any ($1::uuid[]) group by user_id`,
      [tenantIds],
    );
    const targets: ClientTarget[] = agents.map((row) => ({
      token: signJwt({ userId: row.user_id, role: 'app_user' }, jwt),
      agentIds: row.ids,
    }));
    if (targets.length === 0) throw new Error('no tenants with agents to query');
    for (const row of agents.slice(0, 3)) {
      await checkOverview(ownerPool, url, row.user_id, signJwt({ userId: row.user_id, role: 'app_user' }, jwt));
    }
    const output = await runClientsInWorker({
      url,
      targets,
      clients: options.clients,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      seed: options.seed,
      mix: options.mix,
    });
    for (const message of output.firstErrors) log.warn(`graphql error: ${message}`);
    return { ...output, tenants: targets.length };
  } finally {
    await server.stop();
  }
}

function summarise(runs: RunSamples[], clients: number, poolSize: number, rounds: number): GraphqlResult {
  const overview = runs.flatMap((run) => run.overviewMs);
  const agentPage = runs.flatMap((run) => run.agentPageMs);
  const callLog = runs.flatMap((run) => run.callLogMs);
  const callLogTotals = runs.flatMap((run) => run.callLogTotalsMs);
  const all = [...overview, ...agentPage, ...callLog];
  const seconds = runs.reduce((sum, run) => sum + run.elapsedSeconds, 0);
  return {
    clients,
    poolSize,
    rounds,
    seconds,
    tenants: runs[0]?.tenants ?? 0,
    all: latency(all),
    overview: latency(overview),
    agentPage: latency(agentPage),
    callLog: latency(callLog),
    callLogTotals: latency(callLogTotals),
    requestsPerSecond: all.length / seconds,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

/**
 * The same load on each target (e.g. the 1M-call database and its 4M-call successor), side by
 * side: `rounds` rounds, each giving every target an equal share of `seconds`, the order
 * reversed every other round (A B, B A, ...), so that a slow spell of the machine falls on
 * both alike. Latencies are pooled per target over its rounds.
 */
export async function measureGraphqlSideBySide(targets: readonly GraphqlTarget[], options: GraphqlRunOptions & { rounds: number }): Promise<GraphqlResult[]> {
  const poolSize = defaultGraphqlPoolSize();
  const rounds = Math.max(1, options.rounds);
  const runs: RunSamples[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, target] of sideBySide(targets, round)) {
      const run = await runOnce(target, { ...options, seconds: options.seconds / rounds, poolSize, seed: 12_345 + round });
      runs[index]?.push(run);
      const all = [...run.overviewMs, ...run.agentPageMs, ...run.callLogMs];
      log.info(
        `graphql${options.mix === 'calllog' ? ' call log' : ''} @${target.calls} round ${round + 1}/${rounds}: p95 ${percentile(all, 95).toFixed(1)} ms, ` +
          `${(all.length / run.elapsedSeconds).toFixed(0)} req/s`,
      );
    }
  }
  return targets.map((target, index) => {
    const result = summarise(runs[index] ?? [], options.clients, poolSize, rounds);
    log.info(
      `graphql${options.mix === 'calllog' ? ' call log' : ''} @${target.calls}: p50 ${result.all.p50Ms.toFixed(1)} ms, p95 ${result.all.p95Ms.toFixed(1)} ms, ` +
        `${result.requestsPerSecond.toFixed(0)} req/s, ${result.errors} errors (overview p95 ${result.overview.p95Ms.toFixed(1)} ms, ` +
        `agent page p95 ${result.agentPage.p95Ms.toFixed(1)} ms; ${rounds} rounds)`,
    );
    return result;
  });
}

/** The tenant with the most calls (the call log's worst case). */
export async function largestTenant(db: pg.Pool): Promise<{ tenantId: string; calls: number }> {
  const { rows } = await db.query<{ user_id: string; n: string }>(
    'select user_id, count(*) as n from app_public.calls group by user_id order by count(*) desc, user_id limit 1',
  );
  const row = rows[0];
  if (!row) throw new Error('no calls loaded');
  return { tenantId: row.user_id, calls: Number(row.n) };
}

/**
 * The call log under load (CALL_LOG_MIX: mixed filters and sorts; per filter the first page and the totals, concurrently),
 * 16 clients all on the largest tenant, on each target side by side like the dashboard's reads.
 */
export function measureCallLogSideBySide(targets: readonly GraphqlTarget[], options: GraphqlRunOptions & { rounds: number }): Promise<GraphqlResult[]> {
  return measureGraphqlSideBySide(targets, { ...options, mix: 'calllog' });
}

export interface CsvExportResult {
  tenantId: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** The API process's resident memory before the export and its peak (VmHWM) after it, MB (Linux /proc; null elsewhere). */
  rssBeforeMb: number | null;
  peakRssMb: number | null;
}

async function processMemoryMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * GET /exports/calls.csv of one tenant's whole history (every call it has, in the page's order),
 * through the real API process; the body is counted as it streams, never kept. Rows/s from the
 * request to the last byte; the API's peak resident memory shows whether the stream stays flat.
 */
export async function measureCsvExport(target: GraphqlTarget, tenantId: string): Promise<CsvExportResult> {
  const { ownerPool } = target;
  const password = randomBytes(18).toString('base64url');
  if (!(await ensureAuthenticatorLogin(ownerPool, password))) throw new Error('cannot set the authenticator password');
  const jwt: JwtOptions = { secret: randomBytes(32).toString('hex'), ttlSeconds: 3600 };
  const server = await startServerProcess({
    authConnectionString: authenticatorConnectionString(target.ownerConnectionString, password),
    jwtSecret: jwt.secret,
    poolSize: defaultGraphqlPoolSize(),
    backgroundPoolSize: defaultBackgroundPoolSize(),
  });
  try {
    const { rows: span } = await ownerPool.query<{ from_date: string; to_date: string; n: string }>(
      `select to_char(min((c.started_at at time zone u.timezone)::date), 'YYYY-MM-DD') as from_date,
              to_char(max((c.started_at at time zone u.timezone)::date), 'YYYY-MM-DD') as to_date, count(*) as n
         from app_public.calls c join app_public.users u on u.id = c.user_id where c.user_id = $1`,
      [tenantId],
    );
    const range = span[0];
    if (!range) throw new Error('no calls to export');
    const token = signJwt({ userId: tenantId, role: 'app_user' }, jwt);
    const url = `http://127.0.0.1:${server.port}/exports/calls.csv?filter=${encodeURIComponent(JSON.stringify({ from: range.from_date, to: range.to_date }))}`;
    const rssBeforeMb = await processMemoryMb(server.pid, 'VmRSS');
    const started = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok || !response.body) throw new Error(`csv export: HTTP ${response.status}: ${await response.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of response.body) {
      const data = chunk as Uint8Array;
      bytes += data.byteLength;
      for (let i = 0; i < data.length; i += 1) if (data[i] === 10) lines += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = lines - 1;
    if (rows !== Number(range.n)) throw new Error(`csv export: ${rows} rows, the tenant has ${range.n} calls`);
    const result: CsvExportResult = {
      tenantId, rows, bytes, seconds, rowsPerSecond: rows / seconds, rssBeforeMb, peakRssMb: await processMemoryMb(server.pid, 'VmHWM'),
    };
    log.info(`csv export @${target.calls}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s = ${result.rowsPerSecond.toFixed(0)} rows/s; API RSS ${rssBeforeMb?.toFixed(0)} MB before, peak ${result.peakRssMb?.toFixed(0)} MB`);
    return result;
  } finally {
    await server.stop();
  }
}
