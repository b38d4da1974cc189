/**
 * Shared by the rollup-rule tests (tests/db/rollups/*): one database per test
 * file, and readers of the live views that compare every measure of a row.
 *
 *   useRollupDatabase();               // at the top of a test file
 *   await expectExact(userId, everywhere(agentId, day, hour, callMeasures('completed', 95)));
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { createAgent, createTenant, expectedOutcome, type CallStatus, type TenantRow } from './fixtures.ts';
import { compactRollups, pendingDeltas as pendingDeltasOf, verifyRollups, type RollupDifference } from './rollups.ts';

/** This test file's database (set by useRollupDatabase's beforeAll). */
export let db: TestDatabase;
/** The measure columns (app_private.rollup_measures), in order. */
export let measureNames: string[] = [];

/** Creates the file's database before its tests and drops it after. */
export function useRollupDatabase(): void {
  beforeAll(async () => {
    db = await createTestDatabase();
    const { rows } = await db.pool.query<{ name: string }>(
      `select attname::text as name from pg_attribute
        where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped order by attnum`,
    );
    measureNames = rows.map((row) => row.name);
  });
  afterAll(async () => {
    await db?.drop();
  });
}

// --- reading the rollups --------------------------------------------------------

export type Measures = Record<string, number>;

export type Key =
  | { view: 'agent_daily_stats'; agentId: string; day: string }
  | { view: 'tenant_daily_stats'; day: string }
  | { view: 'tenant_hourly_stats'; day: string; hour: number }
  | { view: 'agent_hourly_stats'; agentId: string; day: string; hour: number };

/** Every measure of one live-view row (all zero when the row does not exist). */
export async function figures(userId: string, key: Key): Promise<Measures> {
  const conditions = ['s.user_id = $1', 's.day = $2::date'];
  const values: unknown[] = [userId, key.day];
  if (key.view === 'agent_daily_stats' || key.view === 'agent_hourly_stats') {
    values.push(key.agentId);
    conditions.push(`s.agent_id = $${values.length}`);
  }
  if (key.view === 'tenant_hourly_stats' || key.view === 'agent_hourly_stats') {
    values.push(key.hour);
    conditions.push(`s.hour = $${values.length}`);
  }
  const { rows } = await db.pool.query<{ m: Record<string, unknown> }>(
    `select to_jsonb(s) as m from app_public.${key.view} s where ${conditions.join(' and ')}`,
    values,
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  const row = rows[0]?.m ?? {};
  return Object.fromEntries(measureNames.map((name) => [name, Number(row[name] ?? 0)]));
}

/** All measures zero except those given. */
export function only(measures: Measures): Measures {
  return { ...Object.fromEntries(measureNames.map((name) => [name, 0])), ...measures };
}

export const verify = (userId: string): Promise<RollupDifference[]> => verifyRollups(db.pool, userId);
export const pendingDeltas = (userId: string): Promise<number> => pendingDeltasOf(db.pool, userId);

export async function compact(): Promise<void> {
  await compactRollups(db.pool);
}

export interface Expected {
  key: Key;
  measures: Measures;
}

export async function expectFigures(userId: string, expected: readonly Expected[]): Promise<void> {
  for (const { key, measures } of expected) {
    expect(await figures(userId, key), JSON.stringify(key)).toEqual(only(measures));
  }
}

/**
 * The figures hold and verification is clean from pending deltas; then the
 * same after compaction folded them into the rollup tables.
 */
export async function expectExact(userId: string, expected: readonly Expected[]): Promise<void> {
  await expectFigures(userId, expected);
  expect(await verify(userId)).toEqual([]);
  await compact();
  expect(await pendingDeltas(userId)).toBe(0);
  await expectFigures(userId, expected);
  expect(await verify(userId)).toEqual([]);
}

/** The same measures on the agent's day, the tenant's day, the tenant's hour and the agent's hour. */
export function everywhere(agentId: string, day: string, hour: number, measures: Measures): Expected[] {
  return [
    { key: { view: 'agent_daily_stats', agentId, day }, measures },
    { key: { view: 'tenant_daily_stats', day }, measures },
    { key: { view: 'tenant_hourly_stats', day, hour }, measures },
    { key: { view: 'agent_hourly_stats', agentId, day, hour }, measures },
  ];
}

export async function tenantWithAgent(timezone = 'UTC'): Promise<{ tenant: TenantRow; agentId: string }> {
  const tenant = await createTenant(db.pool, { timezone });
  const agent = await createAgent(db.pool, tenant.id);
  return { tenant, agentId: agent.id };
}

/** What an outbound phone call without analysis contributes (a model of call_contribution for these tests). */
export function callMeasures(status: CallStatus, durationSeconds: number): Measures {
  const outcome = expectedOutcome(status, durationSeconds);
  const minutes = Math.ceil(durationSeconds / 60);
  return {
    calls: 1,
    successful_calls: outcome === 'successful' ? 1 : 0,
    unanswered_calls: outcome === 'unanswered' ? 1 : 0,
    failed_calls: outcome === 'failed' ? 1 : 0,
    talk_seconds: outcome === 'successful' ? durationSeconds : 0,
    call_seconds: durationSeconds,
    billed_minutes: minutes,
    credits_used: status === 'completed' && durationSeconds > 0 ? minutes : 0,
    outbound_calls: 1,
    phone_calls: 1,
    busy_calls: status === 'busy' ? 1 : 0,
    no_answer_calls: status === 'no_answer' ? 1 : 0,
    canceled_calls: status === 'canceled' ? 1 : 0,
  };
}

export function add(...all: Measures[]): Measures {
  const total: Measures = {};
  for (const measures of all) {
    for (const [name, value] of Object.entries(measures)) total[name] = (total[name] ?? 0) + value;
  }
  return total;
}

// --- the rules -------------------------------------------------------------------
