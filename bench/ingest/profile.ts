/**
 * Where the pipeline's cost goes, two ways:
 * - EXPLAIN ANALYZE of one multi-row INSERT (rolled back): time spent in each
 *   trigger, including the foreign-key triggers, per row;
 * - single-row throughput with all triggers, none, and all but one (one
 *   short run each: indicative, not a target). Leave-one-out rather than
 *   one-at-a-time because the triggers depend on each other: the contact
 *   counter only fires when the contact-linking trigger set contact_id.
 */
import type pg from 'pg';
import { log } from '../log.ts';
import { callInsertTriggers, enableOnlyCallTriggers, resetCalls, setCallTriggers, settle } from '../maintenance.ts';
import { median, ratio } from '../stats.ts';
import { INSERT_BATCH, createRandom, insertBatchValues, makeCall, pick } from './calls.ts';
import type { IngestFixture } from './fixture.ts';
import type { LoadResult } from './load.ts';

export interface TriggerTiming {
  trigger: string;
  /** Microseconds per inserted row (median over repetitions). */
  usPerRow: number;
  calls: number;
}

export interface ExplainProfile {
  rows: number;
  repetitions: number;
  /** Execution time of the whole INSERT per row, in microseconds (median). */
  bareUsPerRow: number;
  pipelineUsPerRow: number;
  triggers: TriggerTiming[];
}

interface ExplainTrigger {
  name: string;
  ms: number;
  calls: number;
}

function parseExplain(raw: unknown): { executionMs: number; triggers: ExplainTrigger[] } {
  const root: unknown = Array.isArray(raw) ? raw[0] : raw;
  if (typeof root !== 'object' || root === null || !('Execution Time' in root) || typeof root['Execution Time'] !== 'number') {
    throw new Error(`unexpected EXPLAIN output: ${JSON.stringify(raw).slice(0, 200)}`);
  }
  const triggers: ExplainTrigger[] = [];
  const list: unknown = 'Triggers' in root ? root.Triggers : [];
  if (Array.isArray(list)) {
    for (const item of list as unknown[]) {
      if (typeof item !== 'object' || item === null) continue;
      const name = 'Trigger Name' in item && typeof item['Trigger Name'] === 'string' ? item['Trigger Name'] : '?';
      const ms = 'Time' in item && typeof item.Time === 'number' ? item.Time : 0;
      const calls = 'Calls' in item && typeof item.Calls === 'number' ? item.Calls : 0;
      triggers.push({ name, ms, calls });
    }
  }
  return { executionMs: root['Execution Time'], triggers };
}

async function explainOnce(client: pg.PoolClient, values: unknown[]): Promise<{ executionMs: number; triggers: ExplainTrigger[] }> {
  await client.query('begin');
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) ${INSERT_BATCH}`, values);
    return parseExplain(rows[0]?.['QUERY PLAN']);
  } finally {
    await client.query('rollback');
  }
}

export async function explainProfile(db: pg.Pool, fixture: IngestFixture, rows: number, seed: number): Promise<ExplainProfile> {
  const random = createRandom(seed);
  const calls = Array.from({ length: rows }, (_, i) => makeCall(random, pick(random, fixture.tenants), `explain-${i}`));
  const values = insertBatchValues(calls);
  const repetitions = 5;
  await resetCalls(db);
  await settle(db);
  const bare: number[] = [];
  const pipeline: number[] = [];
  const perTrigger = new Map<string, { ms: number[]; calls: number }>();
  const client = await db.connect();
  try {
    for (let rep = 0; rep <= repetitions; rep += 1) {
      await setCallTriggers(client, false);
      const b = await explainOnce(client, values);
      await setCallTriggers(client, true);
      const p = await explainOnce(client, values);
      if (rep === 0) continue; // warm-up
      bare.push(b.executionMs);
      pipeline.push(p.executionMs);
      for (const t of p.triggers) {
        const entry = perTrigger.get(t.name) ?? { ms: [], calls: t.calls };
        entry.ms.push(t.ms);
        perTrigger.set(t.name, entry);
      }
    }
  } finally {
    await setCallTriggers(client, true).catch(() => {});
    client.release();
  }
  // Foreign-key checks show up as RI_ConstraintTrigger_c_<oid>: name them after their constraint.
  const { rows: constraintTriggers } = await db.query<{ tgname: string; conname: string }>(
    `select t.tgname, c.conname from pg_trigger t join pg_constraint c on c.oid = t.tgconstraint
      where t.tgrelid = 'app_public.calls'::regclass and t.tgisinternal`,
  );
  for (const { tgname, conname } of constraintTriggers) {
    const entry = perTrigger.get(tgname);
    if (!entry) continue;
    perTrigger.delete(tgname);
    perTrigger.set(`FK ${conname}`, entry);
  }
  const usPerRow = (ms: number): number => (ms * 1000) / rows;
  log.info(`EXPLAIN: INSERT of ${rows} rows: bare ${usPerRow(median(bare)).toFixed(1)} us/row, pipeline ${usPerRow(median(pipeline)).toFixed(1)} us/row; ` +
    [...perTrigger.entries()].map(([name, e]) => `${name} ${usPerRow(median(e.ms)).toFixed(1)}`).join(', '));
  return {
    rows,
    repetitions,
    bareUsPerRow: usPerRow(median(bare)),
    pipelineUsPerRow: usPerRow(median(pipeline)),
    triggers: [...perTrigger.entries()]
      .map(([trigger, entry]) => ({ trigger, usPerRow: usPerRow(median(entry.ms)), calls: entry.calls }))
      .sort((a, b) => b.usPerRow - a.usPerRow),
  };
}

export interface TriggerThroughput {
  variant: string;
  tps: number;
  /** tps / bare tps. */
  ratio: number | null;
  walBytesPerRow: number;
  walRecordsPerRow: number;
  walFpiPerRow: number;
}

/** Single-row spread load with no user trigger, all of them, and all but each one in turn. */
export async function triggerThroughput(
  db: pg.Pool,
  run: () => Promise<LoadResult>,
): Promise<TriggerThroughput[]> {
  const triggers = await callInsertTriggers(db);
  const variants: Array<{ variant: string; enabled: string[] }> = [
    { variant: 'bare', enabled: [] },
    { variant: 'all triggers', enabled: triggers },
    ...triggers.map((name) => ({ variant: `all but ${name}`, enabled: triggers.filter((t) => t !== name) })),
  ];
  const results: Array<{ variant: string; result: LoadResult }> = [];
  try {
    for (const { variant, enabled } of variants) {
      await resetCalls(db);
      await enableOnlyCallTriggers(db, enabled);
      await settle(db);
      const result = await run();
      log.info(`trigger profile ${variant.padEnd(32)} ${result.tps.toFixed(0).padStart(8)} tps, ` +
        `${result.walBytesPerRow.toFixed(0)} WAL bytes/row, ${result.walRecordsPerRow.toFixed(1)} records/row, ${result.walFpiPerRow.toFixed(3)} FPI/row`);
      results.push({ variant, result });
    }
  } finally {
    await setCallTriggers(db, true);
  }
  const bareTps = results[0]?.result.tps ?? 0;
  return results.map(({ variant, result }) => ({
    variant,
    tps: result.tps,
    ratio: ratio(result.tps, bareTps),
    walBytesPerRow: result.walBytesPerRow,
    walRecordsPerRow: result.walRecordsPerRow,
    walFpiPerRow: result.walFpiPerRow,
  }));
}
