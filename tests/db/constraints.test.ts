/**
 * Bad data is rejected with a clear error (SQLSTATE and the constraint's name,
 * which the API turns into a message) and leaves every row and every rollup
 * exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  createAgent, createAnalysis, createCall, createTenant, phoneNumber, type CallRow, type TenantRow,
} from '../helpers/fixtures.ts';
import { compactRollups, verifyTenants } from '../helpers/rollups.ts';

let db: TestDatabase;
let a: TenantRow;
let b: TenantRow;
let agentA = '';
let agentB = '';
let callA: CallRow;
let plainCallA: CallRow;
let callB: CallRow;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await createTenant(db.pool, { name: 'Tenant A', timezone: 'Europe/Madrid', credits: 20 });
  b = await createTenant(db.pool, { name: 'Tenant B', timezone: 'Asia/Tokyo' });
  agentA = (await createAgent(db.pool, a.id)).id;
  agentB = (await createAgent(db.pool, b.id)).id;
  callA = await createCall(db.pool, {
    userId: a.id, agentId: agentA, status: 'completed', durationSeconds: 75, phoneNumber: phoneNumber(1),
    providerCallId: 'dup-1', startedAt: '2026-04-01T09:00:00Z',
  });
  // No phone, no credits, no analysis: nothing else references it.
  plainCallA = await createCall(db.pool, { userId: a.id, agentId: agentA, status: 'queued', startedAt: '2026-04-01T10:00:00Z' });
  callB = await createCall(db.pool, { userId: b.id, agentId: agentB, status: 'busy', startedAt: '2026-04-01T11:00:00Z' });
  await createAnalysis(db.pool, { userId: a.id, callId: callA.id, totalScore: 64, leadStatusTag: 'warm' });
  // Half compacted, half pending: both parts must survive a rejected write.
  await compactRollups(db.pool);
  await createCall(db.pool, { userId: a.id, agentId: agentA, status: 'failed', startedAt: '2026-04-02T09:00:00Z' });
});

afterAll(async () => {
  await db?.drop();
});

/** A fingerprint of every row a rejected write could have touched, and the verification of both tenants. */
async function snapshot(): Promise<Record<string, unknown>> {
  const tables = [
    'app_public.users', 'app_public.agents', 'app_public.contacts', 'app_public.calls', 'app_public.transcripts',
    'app_public.lead_analytics', 'app_public.credit_transactions', 'app_public.agent_analytics',
    'app_public.user_analytics', 'app_public.user_hourly_analytics', 'app_public.agent_hourly_analytics', 'app_hidden.rollup_deltas',
    'app_hidden.purged_rollups', 'app_hidden.contact_count_deltas', 'app_private.trigger_error_log',
  ];
  const select = tables
    .map((t) => `(select json_build_object('rows', count(*), 'md5', md5(coalesce(string_agg(x::text, '|' order by x::text), '')))
                    from ${t} x) as "${t}"`)
    .join(', ');
  const { rows } = await db.pool.query<Record<string, unknown>>(`select ${select}`);
  const { rows: stats } = await db.pool.query(
    `select user_id, day::text, calls, successful_calls, failed_calls, leads_generated, qualified_leads, credits_used
       from app_public.tenant_daily_stats order by user_id, day`,
  );
  const diffs = await verifyTenants(db.pool, [a.id, b.id]);
  return { ...rows[0], stats, diffs };
}

interface Rejection {
  code: string;
  constraint?: string;
  message?: RegExp;
}

/** Runs the statement, expects it to fail with that error, and checks nothing changed. */
async function expectRejected(sql: string, values: unknown[], expected: Rejection): Promise<void> {
  const before = await snapshot();
  expect(before.diffs).toEqual([]);
  let caught: unknown;
  try {
    await db.pool.query(sql, values);
  } catch (error) {
    caught = error;
  }
  expect(caught, 'the statement should have been rejected').toBeInstanceOf(Error);
  const error = caught as Error & { code?: string; constraint?: string };
  expect({ code: error.code, constraint: error.constraint }).toEqual({ code: expected.code, constraint: expected.constraint });
  if (expected.message) expect(error.message).toMatch(expected.message);
  expect(await snapshot()).toEqual(before);
}

const INSERT_CALL = `insert into app_public.calls (user_id, agent_id, provider, provider_call_id, status, duration_seconds, phone_number)
                     values ($1, $2, 'bolna', $3, $4, $5, $6)`;

describe('rejected writes leave data and rollups unchanged', () => {
  it('negative duration', async () => {
    const check = { code: '23514', constraint: 'calls_duration_non_negative' };
    await expectRejected(INSERT_CALL, [a.id, agentA, 'neg-1', 'completed', -5, null], check);
    await expectRejected('update app_public.calls set duration_seconds = -1 where id = $1', [callA.id], check);
    await expectRejected('update app_public.calls set duration_seconds = 86401 where id = $1', [callA.id], check);
  });

  it('score out of range', async () => {
    await expectRejected(
      `insert into app_public.lead_analytics (user_id, analysis_type, call_id, total_score) values ($1, 'individual', $2, 101)`,
      [a.id, plainCallA.id],
      { code: '23514', constraint: 'lead_analytics_total_score_check' },
    );
    await expectRejected(
      'update app_public.lead_analytics set intent_score = -1 where call_id = $1', [callA.id],
      { code: '23514', constraint: 'lead_analytics_intent_score_check' },
    );
  });

  it('malformed E.164 phone numbers', async () => {
    await expectRejected(INSERT_CALL, [a.id, agentA, 'e164-1', 'busy', 0, '555-1234'], { code: '23514', constraint: 'calls_e164' });
    await expectRejected(INSERT_CALL, [a.id, agentA, 'e164-2', 'busy', 0, '+0123456789'], { code: '23514', constraint: 'calls_e164' });
    await expectRejected(
      'insert into app_public.contacts (user_id, phone_number) values ($1, $2)', [a.id, '+1 555 000'],
      { code: '23514', constraint: 'contacts_e164' },
    );
  });

  it('unknown call status', async () => {
    const check = { code: '23514', constraint: 'calls_status_check' };
    await expectRejected(INSERT_CALL, [a.id, agentA, 'status-1', 'answered', 10, null], check);
    await expectRejected(`update app_public.calls set status = 'done' where id = $1`, [callA.id], check);
  });

  it('invalid time zone', async () => {
    const check = { code: '23514', constraint: 'users_timezone_valid' };
    await expectRejected(`update app_public.users set timezone = 'Mars/Olympus_Mons' where id = $1`, [a.id], check);
    await expectRejected(
      `insert into app_public.users (email, name, timezone) values ('tz@example.com', 'TZ', 'Europe/Atlantis')`, [], check,
    );
    // POSIX offsets are accepted by AT TIME ZONE (with the sign inverted: 'UTC+5' is five hours west), so only
    // IANA names are allowed.
    await expectRejected(`update app_public.users set timezone = 'UTC+5' where id = $1`, [a.id], check);
    await expectRejected(
      `insert into app_public.users (email, name, timezone) values ('tz2@example.com', 'TZ', 'UTC+5')`, [], check,
    );
  });

  it('cross-tenant references are rejected by the composite foreign keys', async () => {
    await expectRejected(INSERT_CALL, [a.id, agentB, 'cross-1', 'completed', 30, null], {
      code: '23503', constraint: 'calls_agent_id_user_id_fkey',
    });
    await expectRejected('update app_public.calls set agent_id = $2 where id = $1', [callA.id, agentB], {
      code: '23503', constraint: 'calls_agent_id_user_id_fkey',
    });
    await expectRejected(
      `insert into app_public.lead_analytics (user_id, analysis_type, call_id, total_score) values ($1, 'individual', $2, 50)`,
      [a.id, callB.id],
      { code: '23503', constraint: 'lead_analytics_call_id_user_id_fkey' },
    );
  });

  it('duplicate provider call id', async () => {
    await expectRejected(INSERT_CALL, [a.id, agentA, 'dup-1', 'completed', 30, null], {
      code: '23505', constraint: 'calls_user_id_provider_provider_call_id_key',
    });
    // Another tenant's call with the same provider id is its own (provider ids are per tenant).
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(INSERT_CALL, [b.id, agentB, 'dup-1', 'busy', 0, null]);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('changing a call\'s tenant together with a matching agent is SB001', async () => {
    await expectRejected('update app_public.calls set user_id = $2, agent_id = $3 where id = $1', [plainCallA.id, b.id, agentB], {
      code: 'SB001', message: /another tenant/,
    });
  });

  // Bug report: the immutability check was in an AFTER trigger on calls (_500_*), which fires after the foreign-key
  // triggers ("RI_ConstraintTrigger_*" sorts before "_500_*"), so a plain tenant change reported a foreign key
  // violation instead of the documented SB001 (now the BEFORE trigger _010_guard_immutable).
  it('changing only a call\'s tenant is SB001', async () => {
    await expectRejected('update app_public.calls set user_id = $2 where id = $1', [callA.id, b.id], {
      code: 'SB001', message: /another tenant/,
    });
  });

  it('moving an analysis to another call, type or tenant is SB001', async () => {
    const immutable = { code: 'SB001', message: /^an analysis cannot change its id, call, type or tenant; insert a new one instead$/ };
    await expectRejected('update app_public.lead_analytics set call_id = $2 where call_id = $1', [callA.id, plainCallA.id], immutable);
    // The guard runs before the constraint and foreign key checks these changes would also trip.
    await expectRejected(`update app_public.lead_analytics set analysis_type = 'complete' where call_id = $1`, [callA.id], immutable);
    await expectRejected('update app_public.lead_analytics set user_id = $2 where call_id = $1', [callA.id, b.id], immutable);
  });

  it('an individual analysis needs a call', async () => {
    await expectRejected(
      `insert into app_public.lead_analytics (user_id, analysis_type, total_score) values ($1, 'individual', 80)`, [a.id],
      { code: '23514', constraint: 'lead_analytics_individual_has_call' },
    );
    await expectRejected(
      `insert into app_public.lead_analytics (user_id, analysis_type, total_score) values ($1, 'complete', 80)`, [a.id],
      { code: '23514', constraint: 'lead_analytics_complete_has_phone' },
    );
  });

  it('a rejected row inside a batch rejects the whole batch', async () => {
    await expectRejected(
      `insert into app_public.calls (user_id, agent_id, provider, provider_call_id, status, duration_seconds)
       values ($1, $2, 'bolna', 'batch-1', 'completed', 30), ($1, $2, 'bolna', 'batch-2', 'completed', -30)`,
      [a.id, agentA],
      { code: '23514', constraint: 'calls_duration_non_negative' },
    );
  });
});
