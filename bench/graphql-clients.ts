/**
 * The GraphQL load generator, run in a worker thread so that sending and
 * parsing requests does not compete with the server for its event loop (the
 * server under test is one Node process, as `npm start` runs it). Each of
 * `clients` loops sends the overview (3 in 4) or an agent page (1 in 4) for a
 * random tenant, back to back: a warm-up, then the timed window.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AGENT_QUERY, OVERVIEW_QUERY } from './queries/graphql.ts';

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
}

export interface ClientsOutput {
  overviewMs: number[];
  agentPageMs: number[];
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

async function post(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<GraphqlResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphqlResponse;
  if (!response.ok && !body.errors) return { errors: [{ message: `HTTP ${response.status}` }] };
  return body;
}

export async function runClients(input: ClientsInput): Promise<ClientsOutput> {
  const random = makeRandom(input.seed);
  const output: ClientsOutput = { overviewMs: [], agentPageMs: [], elapsedSeconds: 0, errors: 0, firstErrors: [] };
  const loop = async (until: number, record: boolean): Promise<void> => {
    while (performance.now() < until) {
      const target = input.targets[random(input.targets.length)];
      if (!target) continue;
      const isOverview = random(4) !== 0;
      const started = performance.now();
      const body = isOverview
        ? await post(input.url, target.token, OVERVIEW_QUERY, {})
        : await post(input.url, target.token, AGENT_QUERY, { agentId: target.agentIds[random(target.agentIds.length)] });
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
  return output;
}

if (parentPort && workerData) {
  const port = parentPort;
  runClients(workerData as ClientsInput).then(
    (output) => port.postMessage({ ok: true, output }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
