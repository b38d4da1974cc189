/**
 * `npm run bench:replica [-- --seconds 5] [--rounds 2] [--readers 4] [--webhook-clients 8] [--write-every 20]`:
 * the read-replica part on its own (bench/replica.ts) in a throwaway cluster with a
 * streaming replica: `replica_read_share` and the replica's lag without and with the
 * webhook load, interleaved rounds. Prints the figures as JSON (`npm run bench` runs the
 * same part unless --skip-replica, and writes bench/results.json).
 */
import './graphile-env.ts'; // first: Grafast's production mode, before anything loads it
import { parseArgs } from 'node:util';
import { toError } from '../kernel/log.ts';
import { startBenchServer } from './cluster.ts';
import { log } from './log.ts';
import { runReplica } from './replica.ts';

function count(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '2' },
      readers: { type: 'string', default: '4' },
      'webhook-clients': { type: 'string', default: '8' },
      'write-every': { type: 'string', default: '20' },
      seed: { type: 'string', default: '20240601' },
    },
  });
  const server = await startBenchServer();
  try {
    const result = await runReplica(server, {
      seconds: count('seconds', values.seconds, 1),
      rounds: count('rounds', values.rounds, 1),
      readers: count('readers', values.readers, 1),
      webhookClients: count('webhook-clients', values['webhook-clients'], 1),
      writeEvery: count('write-every', values['write-every'], 2),
      seed: count('seed', values.seed, 0),
    });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  log.error('replica benchmark failed', { error: toError(error) });
  process.exitCode = 1;
});
