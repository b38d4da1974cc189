/**
 * The whale / small-tenant load generator (bench/graphql-whale.ts), in a worker
 * thread like bench/graphql-clients.ts: `clients` loops each send the
 * dashboard's overview back to back, alternating between the two tenants
 * (client i's k-th request goes to tenant (i + k) mod 2), so both tenants get
 * the same number of requests, interleaved, from the same clients on the same
 * server. A warm-up, then the timed window; latencies are kept per tenant.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { OVERVIEW } from '../dashboard/src/api/operations/overview.ts';
import { post } from './graphql-clients.ts';

export interface WhaleClientsInput {
  url: string;
  /** Bearer tokens of the whale and the small tenant, in that order. */
  tokens: [whale: string, small: string];
  clients: number;
  seconds: number;
  warmupSeconds: number;
}

export interface WhaleClientsOutput {
  whaleMs: number[];
  smallMs: number[];
  elapsedSeconds: number;
  errors: number;
  firstErrors: string[];
}

export async function runWhaleClients(input: WhaleClientsInput): Promise<WhaleClientsOutput> {
  const url = new URL(input.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: input.clients });
  const output: WhaleClientsOutput = { whaleMs: [], smallMs: [], elapsedSeconds: 0, errors: 0, firstErrors: [] };
  const loop = async (client: number, until: number, record: boolean): Promise<void> => {
    for (let k = client; performance.now() < until; k += 1) {
      const target = k % 2;
      const started = performance.now();
      const body = await post(agent, url, input.tokens[target] ?? '', OVERVIEW.query, { fromDate: null, toDate: null });
      const elapsed = performance.now() - started;
      if (!record) continue;
      if (body.errors?.length) {
        output.errors += 1;
        if (output.firstErrors.length < 3) output.firstErrors.push(body.errors.map((e) => e.message).join('; '));
        continue;
      }
      (target === 0 ? output.whaleMs : output.smallMs).push(elapsed);
    }
  };
  const warmupUntil = performance.now() + input.warmupSeconds * 1000;
  await Promise.all(Array.from({ length: input.clients }, (_, i) => loop(i, warmupUntil, false)));
  const started = performance.now();
  const until = started + input.seconds * 1000;
  await Promise.all(Array.from({ length: input.clients }, (_, i) => loop(i, until, true)));
  output.elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  return output;
}

if (parentPort && workerData) {
  const port = parentPort;
  runWhaleClients(workerData as WhaleClientsInput).then(
    (output) => port.postMessage({ ok: true, output }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
