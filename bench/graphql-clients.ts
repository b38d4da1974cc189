/**
 * The GraphQL load generator, run in a worker thread so that sending and
 * parsing requests does not compete with the server for its event loop (the
 * server under test is one Node process, as `npm start` runs it). Each of
 * `clients` loops sends the dashboard's own documents, the overview (3 in 4)
 * or an agent page (1 in 4), for a random tenant, back to back: a warm-up,
 * then the timed window.
 *
 * Requests go through node:http with a keep-alive agent (one connection per
 * client, as a browser keeps its connection): the load generator shares the
 * machine's two cores with the server and PostgreSQL, and `fetch` (undici)
 * cost about twice the CPU per request.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { AGENT_OVERVIEW } from '../dashboard/src/api/operations/agent-overview.ts';
import { CALL_LOG, CALL_LOG_PAGE_SIZE, CALL_LOG_TOTALS } from '../dashboard/src/api/operations/call-log.ts';
import { OVERVIEW } from '../dashboard/src/api/operations/overview.ts';

export interface ClientTarget {
  token: string;
  agentIds: string[];
}

export interface ClientsInput {
  url: string;
  targets: ClientTarget[];
  clients: number;
  seconds: number;
  warmupSeconds: number;
  seed: number;
  /** dashboard: the overview 3 in 4, an agent page 1 in 4; calllog: call log pages (CALL_LOG_MIX). */
  mix?: 'dashboard' | 'calllog';
}

/**
 * The filters of the `calllog` mix: mixed filters and sorts over the default 30
 * days (drill-downs included). For each, the client sends what the call log page
 * sends when a filter changes: the first page (50 rows, CALL_LOG) and the totals
 * of the filtered set (CALL_LOG_TOTALS) at the same time, timed separately.
 */
export const CALL_LOG_MIX: ReadonlyArray<Record<string, unknown>> = [
  {},
  { sort: 'duration' },
  { outcomes: ['successful'], sort: 'score' },
  { outcomes: ['unanswered', 'failed'], descending: false },
  { temperatures: ['hot', 'warm'], sort: 'score' },
  { minDuration: 60, maxDuration: 600, directions: ['inbound'] },
  { hasAnalysis: true, minScore: 60, sort: 'credits' },
  { search: '55' },
  { figure: 'hot_leads' },
  { figure: 'answer_rate', isoWeekday: 2, hour: 10 },
  { sources: ['phone'], sort: 'duration', descending: false },
  { hasTranscript: false },
];

export interface ClientsOutput {
  overviewMs: number[];
  agentPageMs: number[];
  callLogMs: number[];
  /** The totals requests of the `calllog` mix. */
  callLogTotalsMs: number[];
  elapsedSeconds: number;
  errors: number;
  firstErrors: string[];
}

interface GraphqlResponse {
  errors?: Array<{ message: string }>;
}

/** mulberry32: every bit usable (an LCG's low bits cycle, which would skew the operation mix). */
function makeRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
}

function post(agent: http.Agent, url: URL, token: string, query: string, variables: Record<string, unknown>): Promise<GraphqlResponse> {
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${token}`,
        },
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
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

export async function runClients(input: ClientsInput): Promise<ClientsOutput> {
  const random = makeRandom(input.seed);
  const url = new URL(input.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: input.clients });
  const output: ClientsOutput = { overviewMs: [], agentPageMs: [], callLogMs: [], callLogTotalsMs: [], elapsedSeconds: 0, errors: 0, firstErrors: [] };
  const callLog = input.mix === 'calllog';
  const loop = async (until: number, record: boolean): Promise<void> => {
    while (performance.now() < until) {
      const target = input.targets[random(input.targets.length)];
      if (!target) continue;
      const isOverview = random(4) !== 0;
      if (callLog) {
        const { sort, descending, ...filter } = CALL_LOG_MIX[random(CALL_LOG_MIX.length)] ?? {};
        const timed = async (query: string, variables: Record<string, unknown>): Promise<[GraphqlResponse, number]> => {
          const started = performance.now();
          const body = await post(agent, url, target.token, query, variables);
          return [body, performance.now() - started];
        };
        const [[pageBody, pageMs], [totalsBody, totalsMs]] = await Promise.all([
          timed(CALL_LOG.query, { ...filter, sort, descending, pageSize: CALL_LOG_PAGE_SIZE }),
          timed(CALL_LOG_TOTALS.query, filter),
        ]);
        if (!record) continue;
        for (const [body, ms, into] of [[pageBody, pageMs, output.callLogMs], [totalsBody, totalsMs, output.callLogTotalsMs]] as const) {
          if (body.errors?.length) {
            output.errors += 1;
            if (output.firstErrors.length < 3) output.firstErrors.push(body.errors.map((e) => e.message).join('; '));
          } else {
            into.push(ms);
          }
        }
        continue;
      }
      const started = performance.now();
      const body = isOverview
        ? await post(agent, url, target.token, OVERVIEW.query, { fromDate: null, toDate: null })
        : await post(agent, url, target.token, AGENT_OVERVIEW.query, {
            agentId: target.agentIds[random(target.agentIds.length)],
            fromDate: null,
            toDate: null,
          });
      const elapsed = performance.now() - started;
      if (!record) continue;
      if (body.errors?.length) {
        output.errors += 1;
        if (output.firstErrors.length < 3) output.firstErrors.push(body.errors.map((e) => e.message).join('; '));
        continue;
      }
      (isOverview ? output.overviewMs : output.agentPageMs).push(elapsed);
    }
  };
  const warmupUntil = performance.now() + input.warmupSeconds * 1000;
  await Promise.all(Array.from({ length: input.clients }, () => loop(warmupUntil, false)));
  const started = performance.now();
  const until = started + input.seconds * 1000;
  await Promise.all(Array.from({ length: input.clients }, () => loop(until, true)));
  output.elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  return output;
}

if (parentPort && workerData) {
  const port = parentPort;
  runClients(workerData as ClientsInput).then(
    (output) => port.postMessage({ ok: true, output }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
