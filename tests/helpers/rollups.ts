/**
 * Reading and checking the rollup pipeline from tests: verification (a
 * recomputation from raw rows; no difference means exact), compaction and the
 * pending deltas. Run as the owner (a pool or a client).
 *
 *   expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
 *   await compactRollups(db.pool);
 *   expect(await pendingDeltas(db.pool, tenant.id)).toBe(0);
 */
import type { Queryable } from './fixtures.ts';

/** One measure of one rollup key whose stored figure differs from the recomputed one. */
export interface RollupDifference {
  rollup: string;
  agent_id: string | null;
  day: string;
  hour: number | null;
  measure: string;
  expected: number;
  actual: number;
}

const DIFFERENCE_COLUMNS = `v.rollup, v.agent_id, v.day::text as day, v.hour, v.measure,
  v.expected::float8 as expected, v.actual::float8 as actual`;

export interface VerifyRange {
  /** First tenant-local day (default: unbounded). */
  from?: string;
  /** Last tenant-local day (default: unbounded). */
  to?: string;
  /** At most this many differences (default: all). */
  limit?: number;
}

/** `app_hidden.verify_rollups` for one tenant: every difference, ordered; [] when the rollups are exact. */
export async function verifyRollups(db: Queryable, userId: string, range: VerifyRange = {}): Promise<RollupDifference[]> {
  const { rows } = await db.query<RollupDifference>(
    `select ${DIFFERENCE_COLUMNS} from app_hidden.verify_rollups($1, $2::date, $3::date) v limit $4`,
    [userId, range.from ?? null, range.to ?? null, range.limit ?? null],
  );
  return rows;
}

/** `verifyRollups` for several tenants at once (each difference names its tenant). */
export async function verifyTenants(
  db: Queryable,
  userIds: readonly string[],
  limit = 20,
): Promise<(RollupDifference & { user_id: string })[]> {
  const { rows } = await db.query<RollupDifference & { user_id: string }>(
    `select u.id as user_id, ${DIFFERENCE_COLUMNS}
       from unnest($1::uuid[]) with ordinality u(id, n)
      cross join lateral app_hidden.verify_rollups(u.id) v
      order by u.n
      limit $2`,
    [userIds, limit],
  );
  return rows;
}

/** Folds pending deltas into the rollup tables (`app_hidden.compact_rollups`); returns the delta rows moved. */
export async function compactRollups(db: Queryable, maxRows?: number): Promise<number> {
  const { rows } = maxRows === undefined
    ? await db.query<{ n: number }>('select app_hidden.compact_rollups() as n')
    : await db.query<{ n: number }>('select app_hidden.compact_rollups($1) as n', [maxRows]);
  return rows[0]?.n ?? 0;
}

/** Pending (not yet compacted) delta rows of one tenant. */
export async function pendingDeltas(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'select count(*)::int as n from app_hidden.rollup_deltas where user_id = $1', [userId],
  );
  return rows[0]?.n ?? 0;
}
