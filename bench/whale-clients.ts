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

interface GraphqlResponse {
  errors?: Array<{ message: string }>;
}

/**
 * One GraphQL POST over the keep-alive agent, as bench/graphql-clients.ts sends it (not imported from
 * there: loading that module in a worker thread starts its own clients on this worker's data).
 */
function post(agent: http.Agent, url: URL, token: string, variables: Record<string, unknown>): Promise<GraphqlResponse> {
  const payload = JSON.stringify({ query: OVERVIEW.query, variables });
  return new Promise((resolve, reject) => {
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

export async function runWhaleClients(input: WhaleClientsInput): Promise<WhaleClientsOutput> {
  const url = new URL(input.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: input.clients });
  const output: WhaleClientsOutput = { whaleMs: [], smallMs: [], elapsedSeconds: 0, errors: 0, firstErrors: [] };
  const loop = async (client: number, until: number, record: boolean): Promise<void> => {
    for (let k = client; performance.now() < until; k += 1) {
      const target = k % 2;
      const started = performance.now();
      const body = await post(agent, url, input.tokens[target] ?? '', { fromDate: null, toDate: null });
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
