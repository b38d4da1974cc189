/** Between-run housekeeping: compaction, vacuum, checkpoints, trigger switches, resets. */
import type pg from 'pg';

type Queryable = Pick<pg.Pool, 'query'>;

/** Runs app_hidden.compact_rollups() until nothing is pending. Returns the delta rows moved. */
export async function compactAll(db: Queryable): Promise<number> {
  let moved = 0;
  for (let attempt = 0; attempt < 10_000; attempt += 1) {
    const { rows } = await db.query<{ n: number }>('select app_hidden.compact_rollups() as n');
    const n = rows[0]?.n ?? 0;
    moved += n;
    if (n > 0) continue;
    // 0 also means "another compactor holds the lock": only stop once nothing is left.
    const pending = await db.query<{ pending: boolean }>('select exists (select 1 from app_hidden.rollup_deltas) as pending');
    if (!pending.rows[0]?.pending) return moved;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('compact_rollups() did not drain rollup_deltas');
}

/** VACUUM ANALYZE of the whole database, then a CHECKPOINT: every run starts from the same clean state. */
export async function settle(db: Queryable): Promise<void> {
  await db.query('vacuum analyze');
  await db.query('checkpoint');
}

/**
 * Pipeline = every trigger on calls; bare = `disable trigger user` (the
 * foreign-key constraint triggers stay on, so bare is plain inserts into the same table).
 */
export async function setCallTriggers(db: Queryable, enabled: boolean): Promise<void> {
  await db.query(`alter table app_public.calls ${enabled ? 'enable' : 'disable'} trigger user`);
}

/** Only the named user triggers on calls enabled (for the per-trigger throughput profile). */
export async function enableOnlyCallTriggers(db: Queryable, names: readonly string[]): Promise<void> {
  await setCallTriggers(db, false);
  for (const name of names) {
    await db.query(`alter table app_public.calls enable trigger ${quoteIdent(name)}`);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Names of the user (non-constraint) triggers on calls that fire on INSERT. */
export async function callInsertTriggers(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ tgname: string }>(
    `select tgname from pg_trigger
      where tgrelid = 'app_public.calls'::regclass and not tgisinternal
        and (tgtype & 4) <> 0   -- TRIGGER_TYPE_INSERT
      order by tgname`,
  );
  return rows.map((row) => row.tgname);
}

/** Tables holding what calls derive, emptied with them (those that exist in this schema version). */
const DERIVED_TABLES = [
  // Every rollup the generator maintains (a rollup left out keeps the previous run's rows: verify_rollups differs).
  'app_hidden.rollup_deltas', 'app_public.agent_analytics', 'app_public.user_analytics', 'app_public.user_hourly_analytics',
  'app_public.agent_hourly_analytics',
  'app_hidden.contact_count_deltas', 'app_hidden.credit_charges', 'app_private.rollup_compaction_log',
  'app_private.trigger_error_log',
];

/**
 * Empties calls and everything derived from them (analyses, transcripts,
 * ledger rows, deltas, rollups, contact counters), so the next run starts
 * from the same state as the previous one.
 */
export async function resetCalls(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    'select t as name from unnest($1::text[]) t where to_regclass(t) is not null',
    [DERIVED_TABLES],
  );
  await db.query(`truncate app_public.calls, ${rows.map((row) => row.name).join(', ')} cascade`);
  await db.query('update app_public.contacts set not_connected = 0 where not_connected <> 0');
}

/** Size of a relation in bytes (heap only). */
export async function relationBytes(db: Queryable, relation: string): Promise<number> {
  const { rows } = await db.query<{ bytes: string }>('select pg_relation_size($1::regclass) as bytes', [relation]);
  return Number(rows[0]?.bytes ?? 0);
}

/** Cumulative deadlocks and rolled-back transactions of the current database. */
export async function databaseCounters(db: Queryable): Promise<{ deadlocks: number; rollbacks: number }> {
  const { rows } = await db.query<{ deadlocks: string; rollbacks: string }>(
    `select deadlocks, xact_rollback as rollbacks from pg_stat_database where datname = current_database()`,
  );
  return { deadlocks: Number(rows[0]?.deadlocks ?? 0), rollbacks: Number(rows[0]?.rollbacks ?? 0) };
}
