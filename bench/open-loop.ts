/**
 * Latency users feel, and what one core serves (issue 18, item 2), on the real API process
 * (bench/graphql-server.ts, as bench/graphql.ts starts it) signed in as the loaded tenants:
 *
 * - `measureOpenLoop`: requests arrive at a fixed rate (default 100 requests/s, about 500 open
 *   dashboards), Poisson arrivals scheduled by the clock, latency from the scheduled send time
 *   (bench/open-loop-clients.ts); the mix is the overview, an agent page and a call-log filter (page +
 *   totals) spread over the tenants. p50 / p95 / p99 of the page requests (the totals reported apart,
 *   as the call log figure does), the achieved rate, late / dropped / errored requests, and the API
 *   process's CPU per request (from /proc).
 * - `measureClosedLoopMax`: closed-loop clients raised step by step (1, 2, 4, 8...) until the
 *   throughput stops growing; the best requests/s divided by the machine's cores. The load generator
 *   and PostgreSQL run on the same cores, so this is requests/s per core of the whole machine.
 * - `profileApi`: a CPU profile of the API process under closed-loop load (node:inspector), summed up
 *   by package and function (bench/cpu-profile.ts).
 * - `compareServers`: the API from two source trees or with two sets of Node flags (e.g. before / after a
 *   CPU cut), interleaved rounds A B, B A...: closed-loop requests/s and API CPU per request side by side.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { authenticatorConnectionString, ensureAuthenticatorLogin } from '../server/auth/authenticator.ts';
import { signJwt, type JwtOptions } from '../server/auth/jwt.ts';
import { defaultBackgroundPoolSize, defaultGraphqlPoolSize } from '../kernel/config.ts';
import { summariseProfile, type ProfileSummary } from './cpu-profile.ts';
import { startServerProcess, type GraphqlTarget } from './graphql.ts';
import { CALL_LOG_MIX, type ClientTarget } from './graphql-clients.ts';
import type { ProfileRequest } from './graphql-server.ts';
import { log } from './log.ts';
import { REQUEST_KINDS, type LoadMode, type OpenLoopClientsInput, type OpenLoopClientsOutput, type RequestKind } from './open-loop-clients.ts';
import { percentile, sideBySide } from './stats.ts';

export interface LatencyFigures {
  requests: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface OpenLoopResult {
  targetRequestsPerSecond: number;
  arrivals: 'poisson' | 'fixed';
  seconds: number;
  tenants: number;
  calls: number;
  /** Requests sent per second in the timed window (scheduled minus dropped). */
  achievedRequestsPerSecond: number;
  /** Page requests: overview, agent page, call-log page (latency from the scheduled time). */
  pages: LatencyFigures;
  perKind: Record<RequestKind, LatencyFigures>;
  scheduled: number;
  late: number;
  dropped: number;
  errors: number;
  unfinished: number;
  sendLagP99Ms: number;
  /** CPU of the API process per request sent (ms; null without /proc). */
  apiCpuMsPerRequest: number | null;
}

export interface ClosedLoopStep {
  concurrency: number;
  requestsPerSecond: number;
  p95Ms: number | null;
  errors: number;
  apiCpuMsPerRequest: number | null;
}

export interface ClosedLoopMaxResult {
  cores: number;
  maxRequestsPerSecond: number;
  maxRequestsPerSecondPerCore: number;
  /** Concurrency of the best step. */
  bestConcurrency: number;
  steps: ClosedLoopStep[];
}

function figures(samples: number[]): LatencyFigures {
  if (samples.length === 0) return { requests: 0, p50Ms: null, p95Ms: null, p99Ms: null };
  return { requests: samples.length, p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95), p99Ms: percentile(samples, 99) };
}

function runInWorker(input: OpenLoopClientsInput, onWindowStart: () => void): Promise<OpenLoopClientsOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./open-loop-clients.ts', import.meta.url), { workerData: input, execArgv: ['--import', 'tsx'] });
    worker.on('message', (message: { windowStart: true } | { ok: true; output: OpenLoopClientsOutput } | { ok: false; message: string }) => {
      if ('windowStart' in message) {
        onWindowStart();
        return;
      }
      if (message.ok) resolve(message.output);
      else reject(new Error(`open-loop clients failed: ${message.message}`));
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** utime + stime of a process in ms (Linux /proc; null elsewhere). */
async function processCpuMs(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state (field 3); utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

interface ApiServer {
  url: string;
  pid: number | undefined;
  targets: ClientTarget[];
  profile(file: string, during: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** The API process on `target` (optionally from another source tree), and a signed-in client target per tenant. */
async function startApi(target: GraphqlTarget, arm: { entry?: URL; execArgv?: string[] } = {}): Promise<ApiServer> {
  const { ownerPool, tenantIds } = target;
  const password = randomBytes(18).toString('base64url');
  if (!(await ensureAuthenticatorLogin(ownerPool, password))) throw new Error('cannot set the authenticator password');
  const jwt: JwtOptions = { secret: randomBytes(32).toString('hex'), ttlSeconds: 3600 };
  const server = await startServerProcess(
    {
      authConnectionString: authenticatorConnectionString(target.ownerConnectionString, password),
      jwtSecret: jwt.secret,
      poolSize: defaultGraphqlPoolSize(),
      backgroundPoolSize: defaultBackgroundPoolSize(),
    },
    arm,
  );
  try {
    const { rows } = await ownerPool.query<{ user_id: string; ids: string[] }>(
      `select user_id, array_agg(id order by id) as ids from app_public.agents where user_id = any ($1::uuid[]) group by user_id`,
      [tenantIds],
    );
    const targets = rows.map((row) => ({ token: signJwt({ userId: row.user_id, role: 'app_user' }, jwt), agentIds: row.ids }));
    if (targets.length === 0) throw new Error('no tenants with agents to query');
    return {
      url: `http://127.0.0.1:${server.port}/graphql`,
      pid: server.pid,
      targets,
      async profile(file, during) {
        const written = new Promise<void>((resolve) => {
          const onMessage = (message: unknown): void => {
            if (typeof message === 'object' && message !== null && 'profiled' in message) {
              server.child.off('message', onMessage);
              resolve();
            }
          };
          server.child.on('message', onMessage);
        });
        const send = (request: ProfileRequest): void => {
          server.child.send(request);
        };
        send({ profile: 'start' });
        await during();
        send({ profile: 'stop', file });
        await written;
      },
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** One load on a running API, with the API's CPU over the window. */
async function load(api: ApiServer, mode: LoadMode, seconds: number, warmupSeconds: number, seed: number): Promise<{ output: OpenLoopClientsOutput; apiCpuMsPerRequest: number | null }> {
  let cpuBefore: Promise<number | null> = Promise.resolve(null);
  const output = await runInWorker({ url: api.url, targets: api.targets, mode, seconds, warmupSeconds, seed, callLogFilters: CALL_LOG_MIX }, () => {
    cpuBefore = processCpuMs(api.pid);
  });
  const cpuAfter = await processCpuMs(api.pid);
  for (const message of output.firstErrors) log.warn(`open-loop graphql error: ${message}`);
  // the window's CPU over the requests answered in it (the tail of in-flight requests is small beside it)
  const before = await cpuBefore;
  const apiCpuMsPerRequest = before !== null && cpuAfter !== null && output.completed > 0 ? (cpuAfter - before) / output.completed : null;
  return { output, apiCpuMsPerRequest };
}

export interface OpenLoopOptions {
  requestsPerSecond: number;
  seconds: number;
  warmupSeconds: number;
  arrivals?: 'poisson' | 'fixed';
  /** More requests outstanding than this and the next one is dropped (counted). */
  maxInFlight?: number;
  seed: number;
}

function openLoopResult(target: GraphqlTarget, tenants: number, options: OpenLoopOptions, output: OpenLoopClientsOutput, apiCpuMsPerRequest: number | null): OpenLoopResult {
  const s = output.samplesMs;
  const perKind = Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, figures(s[kind])])) as Record<RequestKind, LatencyFigures>;
  return {
    targetRequestsPerSecond: options.requestsPerSecond,
    arrivals: options.arrivals ?? 'poisson',
    seconds: output.elapsedSeconds,
    tenants,
    calls: target.calls,
    achievedRequestsPerSecond: output.sent / output.elapsedSeconds,
    pages: figures([...s.overview, ...s.agentPage, ...s.callLog]),
    perKind,
    scheduled: output.scheduled,
    late: output.late,
    dropped: output.dropped,
    errors: output.errors,
    unfinished: output.unfinished,
    sendLagP99Ms: output.sendLagP99Ms,
    apiCpuMsPerRequest,
  };
}

export function describeOpenLoop(r: OpenLoopResult): string {
  const ms = (x: number | null): string => (x === null ? '-' : x.toFixed(1));
  return `open loop @${r.calls} (${r.targetRequestsPerSecond} req/s ${r.arrivals}, ${r.tenants} tenants): pages p50 ${ms(r.pages.p50Ms)} / p95 ${ms(r.pages.p95Ms)} / ` +
    `p99 ${ms(r.pages.p99Ms)} ms (${r.pages.requests}); totals p95 ${ms(r.perKind.callLogTotals.p95Ms)} ms; achieved ${r.achievedRequestsPerSecond.toFixed(1)} req/s; ` +
    `late ${r.late}, dropped ${r.dropped}, errors ${r.errors}, unfinished ${r.unfinished}; API CPU ${ms(r.apiCpuMsPerRequest)} ms/request`;
}

/** The open-loop load on one API process. */
export async function measureOpenLoop(target: GraphqlTarget, options: OpenLoopOptions): Promise<OpenLoopResult> {
  const api = await startApi(target);
  try {
    const mode: LoadMode = { kind: 'open', requestsPerSecond: options.requestsPerSecond, arrivals: options.arrivals ?? 'poisson', maxInFlight: options.maxInFlight ?? 1000 };
    const { output, apiCpuMsPerRequest } = await load(api, mode, options.seconds, options.warmupSeconds, options.seed);
    const result = openLoopResult(target, api.targets.length, options, output, apiCpuMsPerRequest);
    log.info(describeOpenLoop(result));
    return result;
  } finally {
    await api.stop();
  }
}

export interface ClosedLoopMaxOptions {
  /** Seconds per step (after `warmupSeconds`). */
  stepSeconds: number;
  warmupSeconds: number;
  maxConcurrency: number;
  seed: number;
}

function closedStep(concurrency: number, output: OpenLoopClientsOutput, apiCpuMsPerRequest: number | null): ClosedLoopStep {
  const s = output.samplesMs;
  const all = [...s.overview, ...s.agentPage, ...s.callLog, ...s.callLogTotals];
  return {
    concurrency,
    requestsPerSecond: output.completed / output.elapsedSeconds,
    p95Ms: all.length ? percentile(all, 95) : null,
    errors: output.errors,
    apiCpuMsPerRequest,
  };
}

/**
 * Closed-loop concurrency 1, 2, 4, ... until two steps in a row serve no more than 3% above the best so
 * far (or `maxConcurrency`); the best step's requests/s over the machine's cores.
 */
export async function measureClosedLoopMax(target: GraphqlTarget, options: ClosedLoopMaxOptions): Promise<ClosedLoopMaxResult> {
  const api = await startApi(target);
  const cores = os.availableParallelism();
  const steps: ClosedLoopStep[] = [];
  try {
    let best: ClosedLoopStep | undefined;
    let flat = 0;
    for (let concurrency = 1; concurrency <= options.maxConcurrency && flat < 2; concurrency *= 2) {
      const { output, apiCpuMsPerRequest } = await load(api, { kind: 'closed', concurrency }, options.stepSeconds, options.warmupSeconds, options.seed + concurrency);
      const step = closedStep(concurrency, output, apiCpuMsPerRequest);
      steps.push(step);
      log.info(`closed loop @${target.calls}, ${concurrency} clients: ${step.requestsPerSecond.toFixed(0)} req/s, p95 ${step.p95Ms?.toFixed(1)} ms, API CPU ${step.apiCpuMsPerRequest?.toFixed(2)} ms/request`);
      if (!best || step.requestsPerSecond > best.requestsPerSecond * 1.03) flat = 0;
      else flat += 1;
      if (!best || step.requestsPerSecond > best.requestsPerSecond) best = step;
    }
  } finally {
    await api.stop();
  }
  const best = steps.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  const result: ClosedLoopMaxResult = {
    cores,
    maxRequestsPerSecond: best.requestsPerSecond,
    maxRequestsPerSecondPerCore: best.requestsPerSecond / cores,
    bestConcurrency: best.concurrency,
    steps,
  };
  log.info(`closed loop max @${target.calls}: ${result.maxRequestsPerSecond.toFixed(0)} req/s at ${result.bestConcurrency} clients = ${result.maxRequestsPerSecondPerCore.toFixed(0)} req/s per core (${cores} cores)`);
  return result;
}

/** A CPU profile of the API process under `concurrency` closed-loop clients for `seconds`, summed up. */
export async function profileApi(target: GraphqlTarget, options: { concurrency: number; seconds: number; warmupSeconds: number; file: string; seed: number; projectRoot: string }): Promise<ProfileSummary> {
  const api = await startApi(target);
  try {
    // warm up unprofiled, then profile a window of the same load
    await load(api, { kind: 'closed', concurrency: options.concurrency }, options.warmupSeconds, 0, options.seed);
    await api.profile(options.file, async () => {
      await load(api, { kind: 'closed', concurrency: options.concurrency }, options.seconds, 0, options.seed + 1);
    });
  } finally {
    await api.stop();
  }
  return summariseProfile(options.file, options.projectRoot);
}

export interface CompareRun {
  label: string;
  round: number;
  closedRequestsPerSecond: number;
  closedApiCpuMsPerRequest: number | null;
  openP95Ms: number | null;
  openApiCpuMsPerRequest: number | null;
}

/**
 * The API of two source trees (their bench/graphql-server.ts, each with its own server code) side by
 * side: per round each starts fresh and serves `concurrency` closed-loop clients, then the open-loop
 * rate; rounds alternate the order (A B, B A, ...).
 */
export async function compareServers(
  target: GraphqlTarget,
  arms: ReadonlyArray<{ label: string; entry?: URL; execArgv?: string[] }>,
  options: { rounds: number; concurrency: number; seconds: number; warmupSeconds: number; openRequestsPerSecond: number; seed: number },
): Promise<CompareRun[]> {
  const runs: CompareRun[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [, tree] of sideBySide(arms, round)) {
      const api = await startApi(target, tree);
      try {
        const closed = await load(api, { kind: 'closed', concurrency: options.concurrency }, options.seconds, options.warmupSeconds, options.seed + round);
        const open = await load(api, { kind: 'open', requestsPerSecond: options.openRequestsPerSecond, arrivals: 'poisson', maxInFlight: 1000 }, options.seconds, 1, options.seed + round);
        const s = open.output.samplesMs;
        const pages = [...s.overview, ...s.agentPage, ...s.callLog];
        const run: CompareRun = {
          label: tree.label,
          round,
          closedRequestsPerSecond: open.output.errors + closed.output.errors > 0 ? Number.NaN : closed.output.completed / closed.output.elapsedSeconds,
          closedApiCpuMsPerRequest: closed.apiCpuMsPerRequest,
          openP95Ms: pages.length ? percentile(pages, 95) : null,
          openApiCpuMsPerRequest: open.apiCpuMsPerRequest,
        };
        runs.push(run);
        log.info(`compare round ${round + 1} ${tree.label}: closed ${run.closedRequestsPerSecond.toFixed(0)} req/s (API ${run.closedApiCpuMsPerRequest?.toFixed(2)} ms CPU/request), ` +
          `open p95 ${run.openP95Ms?.toFixed(1)} ms (API ${run.openApiCpuMsPerRequest?.toFixed(2)} ms CPU/request)`);
      } finally {
        await api.stop();
      }
    }
  }
  return runs;
}

export interface OpenLoopPart {
  openLoop: OpenLoopResult;
  closedLoopMax: ClosedLoopMaxResult;
}

/** The bench's open-loop part on one database (bench/volume.ts: the large size): the open loop, then the closed-loop maximum. */
export async function runOpenLoopPart(
  target: GraphqlTarget,
  options: { openLoopRate: number; openLoopSeconds: number; closedLoopStepSeconds: number; graphqlWarmupSeconds: number; seed: number },
): Promise<OpenLoopPart> {
  const openLoop = await measureOpenLoop(target, {
    requestsPerSecond: options.openLoopRate,
    seconds: options.openLoopSeconds,
    warmupSeconds: options.graphqlWarmupSeconds,
    seed: options.seed,
  });
  const closedLoopMax = await measureClosedLoopMax(target, {
    stepSeconds: options.closedLoopStepSeconds,
    warmupSeconds: 2,
    maxConcurrency: 64,
    seed: options.seed,
  });
  return { openLoop, closedLoopMax };
}
