/**
 * Where the WAL of one committed single-row call goes, per relation (table or
 * index) and record kind, read back with pg_walinspect: bare and pipeline
 * side by side. On this kind of machine single-row throughput is bound by the
 * commit's WAL flush, so WAL per call is what the triggers cost there.
 * Needs a superuser (pg_walinspect); skipped otherwise.
 */
import pg from 'pg';
import { log } from '../log.ts';
import { resetCalls, setCallTriggers, settle } from '../maintenance.ts';
import { INSERT_ONE, createRandom, insertOneValues, makeCall, pick } from './calls.ts';
import type { IngestFixture } from './fixture.ts';

export interface WalShare {
  /** A relation (table or index), or the resource manager of records without a block (commits). */
  target: string;
  recordsPerCall: number;
  /** All WAL bytes, full-page images included. */
  bytesPerCall: number;
  /** Of which full-page images (first change of a page after a checkpoint: depends on checkpoint spacing). */
  fpiBytesPerCall: number;
}

export interface WalTotals {
  bytesPerCall: number;
  fpiBytesPerCall: number;
  recordsPerCall: number;
  top: WalShare[];
}

export interface WalBreakdown {
  calls: number;
  bare: WalTotals;
  pipeline: WalTotals;
}

const BREAKDOWN = `
with r as (
  select start_lsn, resource_manager, record_type, record_length, fpi_length
    from pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)
), b as (
  select distinct on (start_lsn) start_lsn, reltablespace, relfilenode
    from pg_get_wal_block_info($1::pg_lsn, $2::pg_lsn)
   order by start_lsn, block_id
), d as (
  select dattablespace from pg_database where datname = current_database()
)
select coalesce(pg_filenode_relation(case when b.reltablespace = d.dattablespace then 0 else b.reltablespace end,
                                     b.relfilenode)::text,
                r.resource_manager || ' ' || r.record_type) as target,
       count(*)::int as records,
       sum(r.record_length)::bigint as bytes,
       sum(r.fpi_length)::bigint as fpi_bytes
  from r left join b using (start_lsn) cross join d
 group by 1
 order by 3 desc`;

async function measure(client: pg.Client, fixture: IngestFixture, calls: number, seed: number): Promise<WalTotals> {
  const random = createRandom(seed);
  const insert = async (n: number, tag: string): Promise<void> => {
    for (let i = 0; i < n; i += 1) {
      const call = makeCall(random, pick(random, fixture.tenants), `wal-${tag}-${i}`);
      await client.query({ name: 'bench_wal_insert', text: INSERT_ONE, values: insertOneValues(call) });
    }
  };
  // Warm-up after the checkpoint, so the measured calls do not pay first-touch full-page images.
  await insert(Math.ceil(calls / 2), 'warm');
  const { rows: [start] } = await client.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
  await insert(calls, 'measured');
  const { rows: [end] } = await client.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
  const { rows } = await client.query<{ target: string; records: number; bytes: string; fpi_bytes: string }>(BREAKDOWN, [start?.lsn, end?.lsn]);
  const top = rows.map((row) => ({
    target: row.target,
    recordsPerCall: row.records / calls,
    bytesPerCall: Number(row.bytes) / calls,
    fpiBytesPerCall: Number(row.fpi_bytes) / calls,
  }));
  const total = (pick: (share: WalShare) => number): number => top.reduce((sum, share) => sum + pick(share), 0);
  return {
    bytesPerCall: total((s) => s.bytesPerCall),
    fpiBytesPerCall: total((s) => s.fpiBytesPerCall),
    recordsPerCall: total((s) => s.recordsPerCall),
    top: top.slice(0, 14),
  };
}

export async function walBreakdown(db: pg.Pool, connectionString: string, fixture: IngestFixture, calls: number, seed: number): Promise<WalBreakdown | null> {
  const client = new pg.Client({ connectionString, application_name: 'switchboard-bench-wal' });
  await client.connect();
  try {
    try {
      await client.query('create extension if not exists pg_walinspect');
    } catch (error) {
      log.warn(`WAL breakdown skipped (pg_walinspect unavailable: ${error instanceof Error ? error.message : String(error)})`);
      return null;
    }
    const result: Partial<WalBreakdown> = { calls };
    for (const mode of ['bare', 'pipeline'] as const) {
      await resetCalls(db);
      await setCallTriggers(db, mode === 'pipeline');
      await settle(db);
      const totals = await measure(client, fixture, calls, seed);
      result[mode] = totals;
      log.info(`WAL per call, ${mode}: ${totals.bytesPerCall.toFixed(0)} bytes (${totals.fpiBytesPerCall.toFixed(0)} of them ` +
        `full-page images) in ${totals.recordsPerCall.toFixed(1)} records; ` +
        totals.top.slice(0, 6).map((s) => `${s.target} ${(s.bytesPerCall - s.fpiBytesPerCall).toFixed(0)}+${s.fpiBytesPerCall.toFixed(0)}`).join(', '));
    }
    await setCallTriggers(db, true);
    const { bare, pipeline } = result;
    if (!bare || !pipeline) throw new Error('WAL breakdown incomplete');
    return { calls, bare, pipeline };
  } finally {
    await setCallTriggers(db, true).catch(() => {});
    await client.end().catch(() => {});
  }
}
