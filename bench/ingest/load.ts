/**
 * A closed-loop load: N connections, each sending its next statement as soon
 * as the previous one returns, for a fixed time. Statements run in autocommit
 * (one statement = one transaction, synchronous_commit as configured). SQL
 * errors are counted (deadlocks separately) and the client carries on.
 */
import pg from 'pg';
import { sampleWaits, type WaitShare } from './waits.ts';

const LOAD_APPLICATION_NAME = 'switchboard-bench-load';

export interface Statement {
  /** Prepared once per connection under this name. */
  name: string;
  text: string;
  values: unknown[];
  rows: number;
}

export interface LoadResult {
  clients: number;
  seconds: number;
  statements: number;
  rows: number;
  /** Statements (transactions) per second that committed. */
  tps: number;
  rowsPerSecond: number;
  failed: number;
  deadlocks: number;
  errorCodes: Record<string, number>;
  /** WAL written during the run (whole server), per committed row. */
  walBytesPerRow: number;
  /** WAL records and full-page images per committed row (pg_stat_wal, whole server). */
  walRecordsPerRow: number;
  walFpiPerRow: number;
  /** CPU the bench process itself used, as a share of one core (the client competes for the same cores). */
  clientCpuShare: number;
  /** What the workload's backends were doing (pg_stat_activity samples). */
  waits: WaitShare[];
}

function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code)) {
    return error.code;
  }
  return undefined;
}

export interface WalCounters {
  bytes: bigint;
  records: number;
  fpi: number;
}

/**
 * WAL position and pg_stat_wal counters. Backends report their WAL counters
 * when idle or on exit, so read the "after" figures once the workload's
 * connections have closed.
 */
export async function walCounters(db: Pick<pg.ClientBase, 'query'>): Promise<WalCounters> {
  const { rows } = await db.query<{ lsn: string; records: string; fpi: string }>(
    `select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint::text as lsn, w.wal_records as records, w.wal_fpi as fpi
       from pg_stat_wal w`,
  );
  return { bytes: BigInt(rows[0]?.lsn ?? '0'), records: Number(rows[0]?.records ?? 0), fpi: Number(rows[0]?.fpi ?? 0) };
}

/** The WAL fields of a result: counters after minus before, per committed row. */
export function walPerRow(before: WalCounters, after: WalCounters, rows: number): Pick<LoadResult, 'walBytesPerRow' | 'walRecordsPerRow' | 'walFpiPerRow'> {
  return {
    walBytesPerRow: rows > 0 ? Number(after.bytes - before.bytes) / rows : 0,
    walRecordsPerRow: rows > 0 ? (after.records - before.records) / rows : 0,
    walFpiPerRow: rows > 0 ? (after.fpi - before.fpi) / rows : 0,
  };
}

/** A connection for measurements around a workload (not part of it). */
export async function observer(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: 'switchboard-bench-observer' });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export async function runLoad(options: {
  connectionString: string;
  clients: number;
  seconds: number;
  /** The next statement for connection `client` (its `sequence`-th). */
  next: (client: number, sequence: number) => Statement;
}): Promise<LoadResult> {
  const { connectionString, clients, seconds, next } = options;
  const connections = await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new pg.Client({ connectionString, application_name: LOAD_APPLICATION_NAME });
      client.on('error', () => {}); // surfaced by the failing query instead
      await client.connect();
      return client;
    }),
  );
  const watcher = await observer(connectionString);
  const errorCodes: Record<string, number> = {};
  let statements = 0;
  let rows = 0;
  let failed = 0;
  let deadlocks = 0;
  try {
    const walBefore = await walCounters(watcher);
    const sampler = sampleWaits(connectionString, LOAD_APPLICATION_NAME);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      connections.map(async (client, index) => {
        for (let sequence = 0; performance.now() < deadline; sequence += 1) {
          const statement = next(index, sequence);
          try {
            await client.query({ name: statement.name, text: statement.text, values: statement.values });
            statements += 1;
            rows += statement.rows;
          } catch (error) {
            const code = sqlState(error);
            if (code === undefined) throw error; // not an SQL error: the run is broken
            failed += 1;
            if (code === '40P01') deadlocks += 1;
            errorCodes[code] = (errorCodes[code] ?? 0) + 1;
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const waits = await sampler.stop();
    await Promise.all(connections.splice(0).map((client) => client.end().catch(() => {})));
    const walAfter = await walCounters(watcher);
    return {
      clients,
      seconds: elapsed,
      statements,
      rows,
      tps: statements / elapsed,
      rowsPerSecond: rows / elapsed,
      failed,
      deadlocks,
      errorCodes,
      ...walPerRow(walBefore, walAfter, rows),
      clientCpuShare: (cpu.user + cpu.system) / 1000 / (elapsed * 1000),
      waits,
    };
  } finally {
    await Promise.all(connections.map((client) => client.end().catch(() => {})));
    await watcher.end().catch(() => {});
  }
}
