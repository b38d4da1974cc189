/** Exactness after an ingest case: compact, then verify_rollups for some tenants (no difference = exact). */
import type pg from 'pg';
import { log } from '../log.ts';
import { compactAll } from '../maintenance.ts';

export interface Verification {
  case: string;
  tenants: number;
  calls: number;
  differences: number;
  /** Deltas the final compaction moved and how fast. */
  compactedRows: number;
  compactionMs: number;
}

export async function verify(db: pg.Pool, name: string, tenantIds: string[], verifications: Verification[]): Promise<void> {
  const started = performance.now();
  const compactedRows = await compactAll(db);
  const compactionMs = performance.now() - started;
  let differences = 0;
  let calls = 0;
  for (const id of tenantIds) {
    const { rows } = await db.query<{ n: string }>('select count(*) as n from app_hidden.verify_rollups($1)', [id]);
    differences += Number(rows[0]?.n ?? 0);
    const counted = await db.query<{ n: string }>('select count(*) as n from app_public.calls where user_id = $1', [id]);
    calls += Number(counted.rows[0]?.n ?? 0);
  }
  verifications.push({ case: name, tenants: tenantIds.length, calls, differences, compactedRows, compactionMs });
  const line = `${name}: verify_rollups over ${tenantIds.length} tenant(s), ${calls} calls: ${differences} difference(s); ` +
    `compacted ${compactedRows} deltas in ${compactionMs.toFixed(0)} ms`;
  if (differences > 0 || calls === 0) log.error(line);
  else log.info(line);
}

