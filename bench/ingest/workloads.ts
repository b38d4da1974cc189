/** The statement streams of the INSERT workloads: one connection's next single-row INSERT or 100-row batch. */
import { INSERT_BATCH, INSERT_ONE, createRandom, insertBatchValues, insertOneValues, makeCall, pick, type Random } from './calls.ts';
import type { FixtureTenant, IngestFixture } from './fixture.ts';
import type { Statement } from './load.ts';

/** Who a single-row call belongs to (and optionally which agent). */
export type Choose = (random: Random) => { tenant: FixtureTenant; agentId?: string };

/** One PRNG per connection: runs with the same seed insert the same calls, whatever the timing. */
function perClientRandoms(seed: number, clients: number): Random[] {
  return Array.from({ length: clients }, (_, i) => createRandom(seed + (i + 1) * 7919));
}

export function singleRow(seed: number, clients: number, choose: Choose): (client: number, sequence: number) => Statement {
  const randoms = perClientRandoms(seed, clients);
  return (client: number, sequence: number): Statement => {
    const random = randoms[client] ?? createRandom(seed);
    const { tenant, agentId } = choose(random);
    const call = makeCall(random, tenant, `one-${seed}-${client}-${sequence}`, agentId);
    return { name: 'bench_insert_one', text: INSERT_ONE, values: insertOneValues(call), rows: 1 };
  };
}

export function batchRows(seed: number, clients: number, rows: number, fixture: IngestFixture): (client: number, sequence: number) => Statement {
  const randoms = perClientRandoms(seed, clients);
  return (client: number, sequence: number): Statement => {
    const random = randoms[client] ?? createRandom(seed);
    const calls = Array.from({ length: rows }, (_, i) =>
      makeCall(random, pick(random, fixture.tenants), `batch-${seed}-${client}-${sequence}-${i}`),
    );
    return { name: 'bench_insert_batch', text: INSERT_BATCH, values: insertBatchValues(calls), rows };
  };
}

