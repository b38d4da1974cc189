/**
 * The load generator of the open-loop and closed-loop-maximum measurements (bench/open-loop.ts), run in a
 * worker thread of the bench process like bench/graphql-clients.ts.
 *
 * Open loop: requests arrive at a fixed mean rate whatever the server does. Arrival times are drawn up
 * front (Poisson: exponential gaps from a seeded generator, or a fixed interval) and each request is sent
 * when its time comes, not when an earlier one has returned. Its latency is measured from its *scheduled*
 * time, so a server (or a load generator) that falls behind shows as latency rather than as fewer requests
 * (no coordinated omission). A request that the generator sent more than LATE_MS after its scheduled time is
 * counted as late (the generator itself was behind; its latency still counts from the schedule); one that
 * would exceed `maxInFlight` requests outstanding is dropped (not sent, counted).
 *
 * Closed loop: `concurrency` clients, each sending its next request when the previous one returned.
 *
 * What arrives is a "view" of the dashboard, as the browser sends it, for a random tenant: the overview
 * (one request), an agent page (one request) or a call-log filter (the page of 50 calls and the totals of
 * the filtered set, two requests at once, as the call log page sends them; filters from bench/graphql-clients.ts CALL_LOG_MIX). The
 * documents are the dashboard's own, sent as persisted documents (`documentId`) like the dashboard does.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { DOCUMENT_IDS } from '../dashboard/src/api/document-ids.ts';
import { AGENT_OVERVIEW } from '../dashboard/src/api/operations/agent-overview.ts';
import { CALL_LOG, CALL_LOG_PAGE_SIZE, CALL_LOG_TOTALS } from '../dashboard/src/api/operations/call-log.ts';
import { OVERVIEW } from '../dashboard/src/api/operations/overview.ts';
import type { ClientTarget } from './graphql-clients.ts';

export type RequestKind = 'overview' | 'agentPage' | 'callLog' | 'callLogTotals';
export const REQUEST_KINDS: readonly RequestKind[] = ['overview', 'agentPage', 'callLog', 'callLogTotals'];

/** Views per 8 arrivals: the overview 4, an agent page 2, a call-log filter 2 (page + totals). */
export const VIEW_MIX: ReadonlyArray<{ view: 'overview' | 'agentPage' | 'callLog'; weight: number }> = [
  { view: 'overview', weight: 4 },
  { view: 'agentPage', weight: 2 },
  { view: 'callLog', weight: 2 },
];

/** Requests per view, on average (rate in requests/s = views/s x this). */
export const REQUESTS_PER_VIEW =
  VIEW_MIX.reduce((sum, v) => sum + v.weight * (v.view === 'callLog' ? 2 : 1), 0) / VIEW_MIX.reduce((sum, v) => sum + v.weight, 0);

/** A request sent later than this after its scheduled time counts as late. */
export const LATE_MS = 10;

export type LoadMode =
  | { kind: 'open'; requestsPerSecond: number; arrivals: 'poisson' | 'fixed'; maxInFlight: number }
  | { kind: 'closed'; concurrency: number };

export interface OpenLoopClientsInput {
  url: string;
  targets: ClientTarget[];
  mode: LoadMode;
  seconds: number;
  warmupSeconds: number;
  seed: number;
  /**
   * The call-log filters (bench/graphql-clients.ts CALL_LOG_MIX), passed in: importing that module here
   * would start its own load generator in this worker thread.
   */
  callLogFilters: ReadonlyArray<Record<string, unknown>>;
}

export interface OpenLoopClientsOutput {
  /** Latency per request kind (ms; open loop: from the scheduled time). */
  samplesMs: Record<RequestKind, number[]>;
  /** Requests scheduled in the timed window (open loop), or sent (closed loop). */
  scheduled: number;
  sent: number;
  completed: number;
  errors: number;
  late: number;
  dropped: number;
  /** Still unanswered 30 s after the window closed. */
  unfinished: number;
  /** Send delay behind the schedule (open loop), p99 and max, ms. */
  sendLagP99Ms: number;
  sendLagMaxMs: number;
  elapsedSeconds: number;
  firstErrors: string[];
}

interface GraphqlResponse {
  errors?: Array<{ message: string }>;
}

/** mulberry32 as a float in [0, 1). */
function makeRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function documentBody(document: { name: string; query: string }, variables: Record<string, unknown>): string {
  const documentId = Object.hasOwn(DOCUMENT_IDS, document.name) ? DOCUMENT_IDS[document.name] : undefined;
  return JSON.stringify(documentId ? { documentId, variables } : { query: document.query, variables });
}

function post(agent: http.Agent, url: URL, token: string, payload: string): Promise<GraphqlResponse> {
  return new Promise((resolve) => {
    const fail = (message: string): void => resolve({ errors: [{ message }] });
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphqlResponse;
            const ok = response.statusCode !== undefined && response.statusCode < 300;
            resolve(!ok && !body.errors ? { errors: [{ message: `HTTP ${response.statusCode}` }] } : body);
          } catch (error) {
            fail(`unreadable response (HTTP ${response.statusCode}): ${error instanceof Error ? error.message : String(error)}`);
          }
        });
        response.on('error', (error) => fail(error.message));
      },
    );
    request.on('error', (error) => fail(error.message));
    request.end(payload);
  });
}

interface Request {
  kind: RequestKind;
  token: string;
  payload: string;
}

/** The requests of one view for a random tenant. */
function nextView(random: () => number, targets: readonly ClientTarget[], callLogFilters: ReadonlyArray<Record<string, unknown>>): Request[] {
  const target = targets[Math.floor(random() * targets.length)];
  if (!target) throw new Error('no targets');
  const total = VIEW_MIX.reduce((sum, v) => sum + v.weight, 0);
  let pick = random() * total;
  const view = VIEW_MIX.find((v) => (pick -= v.weight) < 0)?.view ?? 'overview';
  const { token } = target;
  if (view === 'overview') return [{ kind: 'overview', token, payload: documentBody(OVERVIEW, { fromDate: null, toDate: null }) }];
  if (view === 'agentPage') {
    const agentId = target.agentIds[Math.floor(random() * target.agentIds.length)];
    return [{ kind: 'agentPage', token, payload: documentBody(AGENT_OVERVIEW, { agentId, fromDate: null, toDate: null }) }];
  }
  const { sort, descending, ...filter } = callLogFilters[Math.floor(random() * callLogFilters.length)] ?? {};
  return [
    { kind: 'callLog', token, payload: documentBody(CALL_LOG, { ...filter, sort, descending, pageSize: CALL_LOG_PAGE_SIZE }) },
    { kind: 'callLogTotals', token, payload: documentBody(CALL_LOG_TOTALS, filter) },
  ];
}

function emptySamples(): Record<RequestKind, number[]> {
  return { overview: [], agentPage: [], callLog: [], callLogTotals: [] };
}

function p99(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] ?? 0;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `onWindowStart` is called when the timed window begins (the bench reads the API's CPU then). */
export async function runOpenLoopClients(input: OpenLoopClientsInput, onWindowStart: () => void = () => {}): Promise<OpenLoopClientsOutput> {
  const random = makeRandom(input.seed);
  const url = new URL(input.url);
  const { mode } = input;
  const agent = new http.Agent({ keepAlive: true, maxSockets: mode.kind === 'open' ? mode.maxInFlight : mode.concurrency });
  const output: OpenLoopClientsOutput = {
    samplesMs: emptySamples(), scheduled: 0, sent: 0, completed: 0, errors: 0, late: 0, dropped: 0, unfinished: 0,
    sendLagP99Ms: 0, sendLagMaxMs: 0, elapsedSeconds: 0, firstErrors: [],
  };
  const record = (kind: RequestKind, body: GraphqlResponse, ms: number): void => {
    output.completed += 1;
    if (body.errors?.length) {
      output.errors += 1;
      if (output.firstErrors.length < 3) output.firstErrors.push(body.errors.map((e) => e.message).join('; '));
      return;
    }
    output.samplesMs[kind].push(ms);
  };
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const send = (request: Request, scheduledAt: number, timed: boolean): Promise<void> => {
    inFlight += 1;
    if (timed) output.sent += 1;
    const done = post(agent, url, request.token, request.payload).then((body) => {
      inFlight -= 1;
      if (timed) record(request.kind, body, performance.now() - scheduledAt);
    });
    pending.add(done);
    void done.finally(() => pending.delete(done));
    return done;
  };

  let timedStart = 0;
  if (mode.kind === 'closed') {
    const loop = async (until: number, timed: boolean): Promise<void> => {
      while (performance.now() < until) {
        const requests = nextView(random, input.targets, input.callLogFilters);
        const at = performance.now();
        if (timed) output.scheduled += requests.length;
        await Promise.all(requests.map((request) => send(request, at, timed)));
      }
    };
    const warmupUntil = performance.now() + input.warmupSeconds * 1000;
    await Promise.all(Array.from({ length: mode.concurrency }, () => loop(warmupUntil, false)));
    timedStart = performance.now();
    onWindowStart();
    await Promise.all(Array.from({ length: mode.concurrency }, () => loop(timedStart + input.seconds * 1000, true)));
  } else {
    const viewsPerMs = mode.requestsPerSecond / REQUESTS_PER_VIEW / 1000;
    const gap = (): number => (mode.arrivals === 'fixed' ? 1 / viewsPerMs : -Math.log(1 - random()) / viewsPerMs);
    const lags: number[] = [];
    const start = performance.now();
    timedStart = start + input.warmupSeconds * 1000;
    const end = timedStart + input.seconds * 1000;
    let next = start + gap();
    setTimeout(onWindowStart, input.warmupSeconds * 1000);
    while (next < end) {
      const now = performance.now();
      if (next > now) {
        await sleep(next - now);
        continue;
      }
      // every arrival whose time has come, each timed from its own scheduled time
      while (next <= performance.now() && next < end) {
        const timed = next >= timedStart;
        const requests = nextView(random, input.targets, input.callLogFilters);
        for (const request of requests) {
          if (timed) output.scheduled += 1;
          if (inFlight >= mode.maxInFlight) {
            if (timed) output.dropped += 1;
            continue;
          }
          const lag = performance.now() - next;
          if (timed) {
            lags.push(lag);
            if (lag > LATE_MS) output.late += 1;
          }
          void send(request, next, timed);
        }
        next += gap();
      }
    }
    output.sendLagP99Ms = p99(lags);
    output.sendLagMaxMs = lags.reduce((max, lag) => Math.max(max, lag), 0);
  }
  const windowEnd = performance.now();
  // the answers to requests sent in the window, within 30 s
  const settled = Promise.all([...pending]).then(() => true);
  const inTime = await Promise.race([settled, sleep(30_000).then(() => false)]);
  if (!inTime) output.unfinished = output.sent - output.completed;
  output.elapsedSeconds = (mode.kind === 'closed' ? windowEnd - timedStart : input.seconds * 1000) / 1000;
  agent.destroy();
  return output;
}

if (parentPort && workerData) {
  const port = parentPort;
  runOpenLoopClients(workerData as OpenLoopClientsInput, () => port.postMessage({ windowStart: true })).then(
    (output) => port.postMessage({ ok: true, output }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
