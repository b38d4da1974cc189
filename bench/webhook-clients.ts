/**
 * The webhook load generator, in a worker thread (apart from the server's
 * event loop): `clients` loops, each delivering whole Bolna calls (queued,
 * ringing, in-progress, call-disconnected, completed, in that order) for a
 * random target, back to back, for `seconds`. Every delivery answered 2xx is
 * reported by its event key, so the caller can check that all of them are stored.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bolnaSequence } from '../tests/helpers/provider-payloads.ts';

export interface WebhookTarget {
  token: string;
  /** Bolna agent ids (`agent_id` in payloads). */
  agentIds: string[];
}

export interface WebhookClientsInput {
  url: string;
  targets: WebhookTarget[];
  clients: number;
  seconds: number;
  seed: number;
}

export interface WebhookClientsOutput {
  latenciesMs: number[];
  acceptedKeys: string[];
  errors: number;
  firstErrors: string[];
  elapsedSeconds: number;
}

function makeRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
  };
}

export async function runWebhookClients(input: WebhookClientsInput): Promise<WebhookClientsOutput> {
  const random = makeRandom(input.seed);
  const output: WebhookClientsOutput = { latenciesMs: [], acceptedKeys: [], errors: 0, firstErrors: [], elapsedSeconds: 0 };
  const day = 86_400_000;
  const started = performance.now();
  const until = started + input.seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      const target = input.targets[random(input.targets.length)];
      const agentId = target?.agentIds[random(target.agentIds.length)];
      if (!target || !agentId) continue;
      // calls over the last 30 days, so they spread over days like real traffic
      const createdAt = new Date(Date.now() - random(30) * day - random(day));
      for (const payload of bolnaSequence({ agentId, createdAt, toNumber: `+1415${String(1_000_000 + random(9_000_000))}` })) {
        const key = `${String(payload.id)}:${String(payload.status)}:${String(payload.updated_at)}`;
        const sent = performance.now();
        try {
          const response = await fetch(`${input.url}/webhooks/bolna/${target.token}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(payload),
          });
          const text = await response.text();
          output.latenciesMs.push(performance.now() - sent);
          if (response.ok) output.acceptedKeys.push(key);
          else {
            output.errors += 1;
            if (output.firstErrors.length < 3) output.firstErrors.push(`${response.status} ${text.slice(0, 200)}`);
          }
        } catch (error) {
          output.errors += 1;
          if (output.firstErrors.length < 3) output.firstErrors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: input.clients }, () => loop()));
  output.elapsedSeconds = (performance.now() - started) / 1000;
  return output;
}

if (parentPort && workerData) {
  const port = parentPort;
  runWebhookClients(workerData as WebhookClientsInput).then(
    (output) => port.postMessage({ ok: true, output }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
