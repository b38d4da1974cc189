/**
 * Appointments in PostgreSQL: created from a call's analysis (demo_book_datetime) idempotently, moved,
 * cancelled and removed with re-analyses and deletions; the API functions' rules (SB185-SB189); the
 * calendar sync's ordering by the calendar's change time; tenants apart; booked_calls exact in the rollups
 * (verify_rollups) and the booking KPIs against counts recomputed here from raw rows.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asMember, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createAnalysis, createCall, createTenant, updateAnalysis, type TenantRow } from '../helpers/fixtures.ts';
import { compactRollups, verifyRollups } from '../helpers/rollups.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

interface AppointmentRow {
  id: string;
  call_id: string | null;
  agent_id: string | null;
  status: string;
  source: string;
  status_source: string;
  scheduled_at: Date;
  confirmed_at: Date | null;
}

async function appointmentsOf(userId: string): Promise<AppointmentRow[]> {
  const { rows } = await db.pool.query<AppointmentRow>(
    `select id, call_id, agent_id, status, source, status_source, scheduled_at, confirmed_at
       from app_public.appointments where user_id = $1 order by created_at, id`,
    [userId],
  );
  return rows;
}

async function tenantWithAgent(timezone = 'UTC'): Promise<{ tenant: TenantRow; agentId: string }> {
  const tenant = await createTenant(db.pool, { timezone });
  const agent = await createAgent(db.pool, tenant.id);
  return { tenant, agentId: agent.id };
}

/** Runs `sql` as a member of `userId` (owner, manager or viewer) in a transaction that is committed. */
async function asRole<T extends pg.QueryResultRow>(
  userId: string,
  role: 'owner' | 'manager' | 'viewer',
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return withClient(db.pool, (client) =>
    inTransaction(
      client,
      async () => {
        await asMember(client, userId, userId, role);
        return (await client.query<T>(sql, params)).rows;
      },
      { commit: true },
    ),
  );
}

async function sqlError(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error('expected an error');
}

async function bookedCalls(userId: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `select coalesce(sum(booked_calls), 0)::int as n from app_public.tenant_daily_stats where user_id = $1`,
    [userId],
  );
  return rows[0]?.n ?? -1;
}

describe('appointments from the analysis', () => {
  it('creates one appointment per booking call, idempotently, and moves it on a re-analysis', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, {
      userId: tenant.id, agentId, durationSeconds: 120, phoneNumber: '+14155550101', callerName: 'Ana',
    });
    const analysis = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, demoBookDatetime: '2026-12-10T15:00:00Z' });
    let rows = await appointmentsOf(tenant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ call_id: call.id, agent_id: agentId, status: 'scheduled', source: 'analysis', status_source: 'analysis' });
    expect(rows[0]?.scheduled_at.toISOString()).toBe('2026-12-10T15:00:00.000Z');
    expect(await bookedCalls(tenant.id)).toBe(1);

    // Same time again, then only the score: nothing new.
    await updateAnalysis(db.pool, analysis.id, { demoBookDatetime: '2026-12-10T15:00:00Z' });
    await updateAnalysis(db.pool, analysis.id, { totalScore: 90 });
    expect(await appointmentsOf(tenant.id)).toHaveLength(1);

    // Another time: the same appointment moves (a correction of the extraction, still scheduled).
    await updateAnalysis(db.pool, analysis.id, { demoBookDatetime: '2026-12-11T09:30:00Z' });
    rows = await appointmentsOf(tenant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.scheduled_at.toISOString()).toBe('2026-12-11T09:30:00.000Z');
    expect(await bookedCalls(tenant.id)).toBe(1);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });

  it('a cleared time cancels an untouched appointment; a new time re-opens it', async () => {
    const { tenant, agentId } = await tenantWithAgent('Asia/Kolkata');
    const call = await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60 });
    const analysis = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, demoBookDatetime: '2026-12-10T15:00:00Z' });
    await updateAnalysis(db.pool, analysis.id, { demoBookDatetime: null });
    expect((await appointmentsOf(tenant.id)).map((r) => r.status)).toEqual(['cancelled']);
    expect(await bookedCalls(tenant.id)).toBe(0);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
    await compactRollups(db.pool);
    await updateAnalysis(db.pool, analysis.id, { demoBookDatetime: '2026-12-12T15:00:00Z' });
    expect((await appointmentsOf(tenant.id)).map((r) => r.status)).toEqual(['scheduled']);
    expect(await bookedCalls(tenant.id)).toBe(1);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });

  it('leaves an appointment a person changed alone when the call is re-analysed', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60 });
    const analysis = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, demoBookDatetime: '2026-12-10T15:00:00Z' });
    const [appointment] = await appointmentsOf(tenant.id);
    await asRole(tenant.id, 'manager', `select app_public.update_appointment_status($1, 'confirmed')`, [appointment?.id]);
    await updateAnalysis(db.pool, analysis.id, { demoBookDatetime: '2026-12-20T15:00:00Z' });
    await updateAnalysis(db.pool, analysis.id, { demoBookDatetime: null });
    const rows = await appointmentsOf(tenant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'confirmed', status_source: 'api' });
    expect(rows[0]?.scheduled_at.toISOString()).toBe('2026-12-10T15:00:00.000Z');
    expect(rows[0]?.confirmed_at).not.toBeNull();
    // The booking measure follows the analysis, the appointment follows the people.
    expect(await bookedCalls(tenant.id)).toBe(0);
  });

  it('ignores complete (per contact) analyses and calls without a booking', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60, phoneNumber: '+14155550102' });
    await createAnalysis(db.pool, { userId: tenant.id, callId: call.id });
    await db.pool.query(
      `insert into app_public.lead_analytics (user_id, analysis_type, phone_number, demo_book_datetime)
       values ($1, 'complete', '+14155550102', '2026-12-10T15:00:00Z')`,
      [tenant.id],
    );
    expect(await appointmentsOf(tenant.id)).toEqual([]);
    expect(await bookedCalls(tenant.id)).toBe(0);
  });

  it('deleting a call deletes its untouched appointment and keeps an acted-on one without its call', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const [first, second] = [
      await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60 }),
      await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60 }),
    ];
    if (!first || !second) throw new Error('calls not created');
    await createAnalysis(db.pool, { userId: tenant.id, callId: first.id, demoBookDatetime: '2026-12-10T15:00:00Z' });
    await createAnalysis(db.pool, { userId: tenant.id, callId: second.id, demoBookDatetime: '2026-12-11T15:00:00Z' });
    await compactRollups(db.pool);
    const kept = (await appointmentsOf(tenant.id)).find((r) => r.call_id === second.id);
    await asRole(tenant.id, 'owner', `select app_public.update_appointment_status($1, 'completed')`, [kept?.id]);

    await db.pool.query('delete from app_public.calls where id = any ($1::uuid[])', [[first.id, second.id]]);
    const rows = await appointmentsOf(tenant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: kept?.id, call_id: null, status: 'completed', agent_id: agentId });
    expect(await bookedCalls(tenant.id)).toBe(0);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });

  it('deleting only the analysis removes its untouched appointment', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60 });
    const analysis = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, demoBookDatetime: '2026-12-10T15:00:00Z' });
    await db.pool.query('delete from app_public.lead_analytics where id = $1', [analysis.id]);
    expect(await appointmentsOf(tenant.id)).toEqual([]);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });

  it('a time zone change keeps booked_calls exact', async () => {
    const { tenant, agentId } = await tenantWithAgent('America/Los_Angeles');
    const call = await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60, startedAt: '2026-11-02T05:30:00Z' });
    await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, demoBookDatetime: '2026-12-10T15:00:00Z' });
    await compactRollups(db.pool);
    await asRole(tenant.id, 'owner', `select app_public.set_business_profile('Renamed', 'Asia/Tokyo')`);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
    const { rows } = await db.pool.query<{ day: string; booked: number }>(
      `select day::text, sum(booked_calls)::int as booked from app_public.tenant_daily_stats where user_id = $1 and booked_calls <> 0 group by day`,
      [tenant.id],
    );
    expect(rows).toEqual([{ day: '2026-11-02', booked: 1 }]);
  });
});

describe('appointment API functions', () => {
  it('create, change status and reschedule, with plain-words errors', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60, phoneNumber: '+14155550103' });
    const [created] = await asRole<{ id: string; agent_id: string; phone_number: string; source: string }>(
      tenant.id, 'manager',
      `select (a).id, (a).agent_id, (a).phone_number, (a).source from app_public.create_appointment(now() + interval '1 day', $1) a`,
      [call.id],
    );
    expect(created).toMatchObject({ agent_id: agentId, phone_number: '+14155550103', source: 'api' });

    const status = await sqlError(() => asRole(tenant.id, 'manager', `select app_public.update_appointment_status($1, 'gone')`, [created?.id]));
    expect(status.code).toBe('SB185');
    expect(status.message).toContain('Unknown appointment status "gone"');
    const noShow = await asRole<{ status: string }>(tenant.id, 'manager', `select (app_public.update_appointment_status($1, 'no-show')).status`, [created?.id]);
    expect(noShow).toEqual([{ status: 'no_show' }]);
    const held = await sqlError(() => asRole(tenant.id, 'manager', `select app_public.reschedule_appointment($1, now() + interval '2 days')`, [created?.id]));
    expect(held.code).toBe('SB189');

    await asRole(tenant.id, 'manager', `select app_public.update_appointment_status($1, 'scheduled')`, [created?.id]);
    const moved = await asRole<{ status: string }>(tenant.id, 'manager',
      `select (app_public.reschedule_appointment($1, now() + interval '2 days', 'moved by phone')).status`, [created?.id]);
    expect(moved).toEqual([{ status: 'rescheduled' }]);

    expect((await sqlError(() => asRole(tenant.id, 'manager', `select app_public.create_appointment(null)`))).code).toBe('SB188');
    expect((await sqlError(() => asRole(tenant.id, 'manager', `select app_public.create_appointment(now() + interval '5 years')`))).code).toBe('SB188');
    expect((await sqlError(() => asRole(tenant.id, 'manager', `select app_public.create_appointment(now(), gen_random_uuid())`))).code).toBe('SB187');
    expect((await sqlError(() => asRole(tenant.id, 'manager', `select app_public.update_appointment_status(gen_random_uuid(), 'completed')`))).code).toBe('SB186');
    // A viewer reads but cannot write.
    expect((await sqlError(() => asRole(tenant.id, 'viewer', `select app_public.update_appointment_status($1, 'completed')`, [created?.id]))).code).toBe('25006');
    expect(await asRole(tenant.id, 'viewer', `select id from app_public.appointments`)).toHaveLength(1);

    // Every change is in the audit trail.
    const { rows } = await db.pool.query<{ action: string }>(
      `select action from app_hidden.audit_log where user_id = $1 and resource_type = 'appointments' order by id`,
      [tenant.id],
    );
    expect(rows.map((r) => r.action)).toEqual(['insert', 'update', 'update', 'update']);
  });

  it('keeps tenants apart: another business can neither see nor change nor link to them', async () => {
    const a = await tenantWithAgent();
    const b = await tenantWithAgent();
    const callOfA = await createCall(db.pool, { userId: a.tenant.id, agentId: a.agentId, durationSeconds: 60 });
    await createAnalysis(db.pool, { userId: a.tenant.id, callId: callOfA.id, demoBookDatetime: '2026-12-10T15:00:00Z' });
    const [appointmentOfA] = await appointmentsOf(a.tenant.id);

    expect(await asRole(b.tenant.id, 'owner', `select id from app_public.appointments`)).toEqual([]);
    expect(await asRole(b.tenant.id, 'owner', `select id from app_public.appointment_list('2026-01-01', '2026-12-31')`)).toEqual([]);
    expect((await sqlError(() => asRole(b.tenant.id, 'owner', `select app_public.update_appointment_status($1, 'cancelled')`, [appointmentOfA?.id]))).code).toBe('SB186');
    expect((await sqlError(() => asRole(b.tenant.id, 'owner', `select app_public.reschedule_appointment($1, now())`, [appointmentOfA?.id]))).code).toBe('SB186');
    expect((await sqlError(() => asRole(b.tenant.id, 'owner', `select app_public.create_appointment(now(), $1)`, [callOfA.id]))).code).toBe('SB187');
    expect((await sqlError(() => asRole(b.tenant.id, 'owner', `select app_public.create_appointment(now(), null, $1)`, [a.agentId]))).code).toBe('SB187');
    expect((await sqlError(() => asRole(b.tenant.id, 'owner',
      `select app_hidden.sync_calendar_appointment('x', now(), 'scheduled', now(), null, null, null, $1)`, [callOfA.id]))).code).toBe('SB187');
    // The table itself takes no direct writes from members.
    expect((await sqlError(() => asRole(b.tenant.id, 'owner',
      `update app_public.appointments set status = 'cancelled'`))).code).toBe('42501');
    expect((await appointmentsOf(a.tenant.id))[0]).toMatchObject({ status: 'scheduled' });
  });
});

describe('calendar sync', () => {
  it('applies the newest change whatever the order of delivery, and repeats change nothing', async () => {
    const { tenant } = await tenantWithAgent();
    const sync = (updatedAt: string, status: string, scheduledAt = '2026-12-10T15:00:00Z') =>
      asRole<{ created: boolean; applied: boolean; status: string }>(
        tenant.id, 'manager',
        `select created, applied, status from app_hidden.sync_calendar_appointment('cal-1', $1, $2, $3, '+14155550104', 'Bo')`,
        [updatedAt, status, scheduledAt],
      );
    expect(await sync('2026-12-01T10:00:00Z', 'scheduled')).toEqual([{ created: true, applied: true, status: 'scheduled' }]);
    expect(await sync('2026-12-01T12:00:00Z', 'cancelled')).toEqual([{ created: false, applied: true, status: 'cancelled' }]);
    // Late delivery of an older change, and a repeat: nothing moves.
    expect(await sync('2026-12-01T11:00:00Z', 'confirmed')).toEqual([{ created: false, applied: false, status: 'cancelled' }]);
    expect(await sync('2026-12-01T12:00:00Z', 'cancelled')).toEqual([{ created: false, applied: false, status: 'cancelled' }]);
    const rows = await appointmentsOf(tenant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'calendar', status: 'cancelled', confirmed_at: null });
  });
});

describe('booking KPIs', () => {
  it('per agent and day: booked / connected on the call day, show and no-show on the appointment day', async () => {
    const { tenant, agentId } = await tenantWithAgent('Asia/Kolkata');
    const other = (await createAgent(db.pool, tenant.id)).id;
    // Call day 2026-11-02 (Kolkata); appointments on 2026-11-05.
    const calls = await Promise.all([
      createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60, startedAt: '2026-11-02T05:00:00Z' }),
      createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60, startedAt: '2026-11-02T06:00:00Z' }),
      createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60, startedAt: '2026-11-02T07:00:00Z' }),
      createCall(db.pool, { userId: tenant.id, agentId, status: 'no_answer', startedAt: '2026-11-02T08:00:00Z' }),
      createCall(db.pool, { userId: tenant.id, agentId: other, durationSeconds: 60, startedAt: '2026-11-02T08:00:00Z' }),
    ]);
    const [c1, c2, , , c5] = calls;
    for (const [call, at] of [[c1, '2026-11-05T05:00:00Z'], [c2, '2026-11-05T06:00:00Z'], [c5, '2026-11-05T07:00:00Z']] as const) {
      await createAnalysis(db.pool, { userId: tenant.id, callId: call?.id ?? '', demoBookDatetime: at });
    }
    const appts = await appointmentsOf(tenant.id);
    const byCall = (id: string | undefined) => appts.find((r) => r.call_id === id)?.id;
    await asRole(tenant.id, 'manager', `select app_public.update_appointment_status($1, 'confirmed')`, [byCall(c1?.id)]);
    await asRole(tenant.id, 'manager', `select app_public.update_appointment_status($1, 'completed')`, [byCall(c1?.id)]);
    await asRole(tenant.id, 'manager', `select app_public.update_appointment_status($1, 'no_show')`, [byCall(c2?.id)]);
    await asRole(tenant.id, 'manager', `select app_public.update_appointment_status($1, 'completed')`, [byCall(c5?.id)]);

    const rows = await asRole<Record<string, unknown>>(
      tenant.id, 'viewer',
      `select agent_id, day::text, connected_calls::int, booked_calls::int, booking_rate::text, appointments::int, confirmed::int,
              completed::int, no_shows::int, pending::int, show_rate::text, no_show_rate::text
         from app_public.booking_kpis('2026-11-01', '2026-11-30')`,
    );
    expect(rows).toEqual([
      { agent_id: agentId, day: '2026-11-02', connected_calls: 3, booked_calls: 2, booking_rate: '0.6667', appointments: 0, confirmed: 0, completed: 0, no_shows: 0, pending: 0, show_rate: null, no_show_rate: null },
      { agent_id: other, day: '2026-11-02', connected_calls: 1, booked_calls: 1, booking_rate: '1.0000', appointments: 0, confirmed: 0, completed: 0, no_shows: 0, pending: 0, show_rate: null, no_show_rate: null },
      { agent_id: agentId, day: '2026-11-05', connected_calls: 0, booked_calls: 0, booking_rate: null, appointments: 2, confirmed: 1, completed: 1, no_shows: 1, pending: 0, show_rate: '0.5000', no_show_rate: '0.5000' },
      { agent_id: other, day: '2026-11-05', connected_calls: 0, booked_calls: 0, booking_rate: null, appointments: 1, confirmed: 0, completed: 1, no_shows: 0, pending: 0, show_rate: '1.0000', no_show_rate: '0.0000' },
    ]);

    const summary = await asRole<Record<string, unknown>>(
      tenant.id, 'viewer',
      `select agent_id, connected_calls::int, booked_calls::int, booking_rate::text, completed::int, no_shows::int, show_rate::text
         from app_public.booking_summary('2026-11-01', '2026-11-30')`,
    );
    expect(summary[0]).toEqual({ agent_id: null, connected_calls: 4, booked_calls: 3, booking_rate: '0.7500', completed: 2, no_shows: 1, show_rate: '0.6667' });
    expect(summary.slice(1).map((r) => r.agent_id)).toEqual([agentId, other]);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });
});

describe('privacy', () => {
  it("erasing a caller erases their appointments, whoever created them, and nobody else's", async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, durationSeconds: 60, phoneNumber: '+14155550177' });
    await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, demoBookDatetime: '2026-12-10T15:00:00Z' });
    const [booked] = await appointmentsOf(tenant.id);
    await asRole(tenant.id, 'owner', `select app_public.update_appointment_status($1, 'confirmed')`, [booked?.id]);
    await asRole(tenant.id, 'owner', `select app_public.create_appointment(now() + interval '1 day', null, null, '+14155550177', 'Ana')`);
    await asRole(tenant.id, 'owner', `select app_public.create_appointment(now() + interval '1 day', null, null, '+14155550178', 'Bo')`);
    const [request] = await withClient(db.pool, (client) =>
      inTransaction(
        client,
        async () => {
          await asMember(client, tenant.id, tenant.id, 'owner');
          return (await client.query<{ details: Record<string, number> }>(`select (app_public.erase_contact('+14155550177')).details`)).rows;
        },
        { commit: true },
      ),
    );
    expect(request?.details.appointments).toBe(2);
    const { rows } = await db.pool.query<{ phone_number: string }>('select phone_number from app_public.appointments where user_id = $1', [tenant.id]);
    expect(rows).toEqual([{ phone_number: '+14155550178' }]);
  });
});
