/**
 * The shared call generator behind the demo seed and the scale loader:
 * realistic calls (plus individual analyses and, optionally, transcripts) for
 * given tenants and agents, inserted set-based in chunks through the real
 * triggers. Deterministic: the same tenants, options and seed give the same
 * data (row values are hashes of (seed, generator index); only provider call
 * ids carry a per-run nonce).
 *
 *   await generateCalls(client, tenants, { calls: 20_000, days: 90, seed: 1, ... });
 *   await insertCompleteAnalyses(client, userIds);
 *   await settleLoad(client);
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { analysesSql, FILL_CHUNK, INSERT_CALLS, INSERT_CONTACTS, SEED_CHUNK } from './call-chunk-sql.ts';
import { CONVERSATIONS } from './conversations.ts';
import { dropGeneratorTables, MAX_DAYS, prepareGenerator, type GeneratorTenant } from './generator-tables.ts';
import { lowerBounds } from './random.ts';

export type { GeneratorAgent, GeneratorTenant } from './generator-tables.ts';
export { MAX_DAYS } from './generator-tables.ts';

export interface GenerateOptions {
  calls: number;
  /** Days of history ending on each tenant's local `end` date (at most MAX_DAYS). */
  days: number;
  seed: number;
  /** The last moment calls may start (default now); today's calls stop here. */
  end?: Date;
  /** First generator index: runs that add calls to the same tenants use disjoint ranges. */
  firstIndex?: number;
  /** Share of successful calls that get an individual analysis, 0-1. */
  analysesRatio: number;
  /** Insert a transcript for every successful call. */
  transcripts: boolean;
  /** Growth of daily volume from the first to the last day (0.3 = +30%). */
  growth?: number;
  /** Calls per chunk (default 50,000). */
  chunkSize?: number;
  /** Makes provider call ids unique across runs (default: random). */
  nonce?: string;
  /** Wrap each chunk in its own transaction (only outside a transaction). Default false. */
  commitEachChunk?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  calls: number;
  analyses: number;
  transcripts: number;
  /** Seconds spent per step over all chunks (generating, contacts, calls, analyses). */
  timings: { fill: number; contacts: number; calls: number; analyses: number };
}

function emptyResult(): GenerateResult {
  return { calls: 0, analyses: 0, transcripts: 0, timings: { fill: 0, contacts: 0, calls: 0, analyses: 0 } };
}

/** Run nonce -> id prefixes: Bolna ids look like UUIDs, Twilio ones like CallSids (the index fills the last 12 hex digits). */
export function providerIdPrefixes(nonce: string): { bolna: string; twilio: string } {
  const n = (nonce.replace(/[^0-9a-f]/gi, '').toLowerCase() + '0'.repeat(20)).slice(0, 20);
  return {
    bolna: `${n.slice(0, 8)}-${n.slice(8, 12)}-4${n.slice(12, 15)}-8${n.slice(15, 18)}-`,
    twilio: `CA${n}`,
  };
}

export function newNonce(): string {
  return randomBytes(10).toString('hex');
}

/**
 * One chunk: generate it into the chunk table, create the contacts it is the
 * first to call, insert its calls (the link trigger then only looks contacts
 * up: creating thousands of contacts inside one transaction through the trigger
 * would take one advisory lock each and exhaust the lock table), then its
 * analyses and transcripts.
 */
async function insertChunk(client: pg.ClientBase, fill: unknown[], seed: number, scripts: string | undefined): Promise<GenerateResult> {
  const t0 = performance.now();
  await client.query(FILL_CHUNK, fill);
  const t1 = performance.now();
  await client.query(INSERT_CONTACTS);
  const t2 = performance.now();
  const calls = await client.query(INSERT_CALLS);
  const t3 = performance.now();
  const { rows } = await client.query<{ analyses: number; transcripts: number }>(
    analysesSql(scripts !== undefined),
    scripts === undefined ? [seed] : [seed, scripts],
  );
  await client.query(`truncate ${SEED_CHUNK}`);
  const t4 = performance.now();
  return {
    calls: calls.rowCount ?? 0,
    analyses: rows[0]?.analyses ?? 0,
    transcripts: rows[0]?.transcripts ?? 0,
    timings: { fill: (t1 - t0) / 1000, contacts: (t2 - t1) / 1000, calls: (t3 - t2) / 1000, analyses: (t4 - t3) / 1000 },
  };
}

/**
 * Inserts `options.calls` calls for `tenants` in chunks of a few statements
 * each (inside the caller's transaction, or one transaction per chunk with
 * `commitEachChunk`). Uses the client's session for temp tables, which it
 * drops at the end.
 */
export async function generateCalls(
  client: pg.ClientBase,
  tenants: readonly GeneratorTenant[],
  options: GenerateOptions,
): Promise<GenerateResult> {
  const { calls, days, seed, analysesRatio, transcripts } = options;
  if (!Number.isInteger(calls) || calls < 0) throw new Error('calls must be a non-negative integer');
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new Error(`days must be between 1 and ${MAX_DAYS}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31) throw new Error('seed must be an integer between 0 and 2^31');
  if (tenants.length === 0) throw new Error('no tenants to generate calls for');
  const chunkSize = options.chunkSize ?? 50_000;
  const firstIndex = options.firstIndex ?? 0;
  const prefixes = providerIdPrefixes(options.nonce ?? newNonce());
  const result = emptyResult();
  if (calls === 0) return result;

  await prepareGenerator(client, tenants, { days, seed, end: options.end ?? new Date(), growth: options.growth ?? 0.3 });
  const tenantBounds = lowerBounds(tenants.map((tenant) => tenant.weight));
  const scripts = transcripts ? JSON.stringify(CONVERSATIONS) : undefined;
  try {
    for (let done = 0; done < calls; ) {
      const n = Math.min(chunkSize, calls - done);
      const lo = firstIndex + done;
      const fill = [seed, lo, lo + n - 1, tenantBounds, days, analysesRatio, prefixes.bolna, prefixes.twilio];
      if (options.commitEachChunk) await client.query('begin');
      try {
        const chunk = await insertChunk(client, fill, seed, scripts);
        if (chunk.calls !== n) throw new Error(`chunk inserted ${chunk.calls} calls instead of ${n}`);
        if (options.commitEachChunk) await client.query('commit');
        result.calls += chunk.calls;
        result.analyses += chunk.analyses;
        result.transcripts += chunk.transcripts;
        for (const step of ['fill', 'contacts', 'calls', 'analyses'] as const) result.timings[step] += chunk.timings[step];
      } catch (error) {
        if (options.commitEachChunk) await client.query('rollback').catch(() => {});
        throw error;
      }
      done += n;
      options.onProgress?.(done, calls);
    }
  } finally {
    await dropGeneratorTables(client).catch(() => {});
  }
  return result;
}
