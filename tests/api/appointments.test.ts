/**
 * Appointments over real HTTP: the GraphQL mutations (create, change status, reschedule) with their
 * plain-words errors, the lists and KPIs, and POST /api/calendar/appointments for calendar tools
 * (API keys, idempotency by external id and change time, out-of-order deliveries, bad input refused
 * with a 4xx that names the problem and stores nothing, other businesses' rows out of reach).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { inTransaction, asMember, withClient } from '../helpers/db.ts';
import { okData, onlyError } from '../helpers/graphql-result.ts';
import { createAgent, createAnalysis, createCall, createTenant, type TenantRow } from '../helpers/fixtures.ts';

let api: ApiServer;
let tenant: TenantRow;
let other: TenantRow;
let agentId: string;
let callId: string;
let writeKey: string;
let readKey: string;
let otherKey: string;

async function createKey(userId: string, scopes: string[]): Promise<string> {
  return withClient(api.db.pool, (client) =>
    inTransaction(
      client,
      async () => {
        await asMember(client, userId, userId, 'owner');
        const { rows } = await client.query<{ secret: string }>(`select (app_public.create_api_key('calendar', $1)).secret`, [scopes]);
        return rows[0]?.secret ?? '';
      },
      { commit: true },
    ),
  );
}

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  tenant = await createTenant(api.db.pool, { timezone: 'Europe/Berlin' });
  other = await createTenant(api.db.pool);
  agentId = (await createAgent(api.db.pool, tenant.id, { name: 'Closer' })).id;
  const call = await createCall(api.db.pool, { userId: tenant.id, agentId, durationSeconds: 90, phoneNumber: '+4930123456' });
  callId = call.id;
  writeKey = await createKey(tenant.id, ['read', 'write']);
  readKey = await createKey(tenant.id, ['read']);
  otherKey = await createKey(other.id, ['read', 'write']);
});

afterAll(async () => {
  await api?.close();
});

const token = (): string => api.tokenFor(tenant.id, 'app_owner');

interface CalendarResult {
  status: number;
  body: Record<string, unknown>;
}

async function postCalendar(body: unknown, key: string | null = writeKey, contentType = 'application/json'): Promise<CalendarResult> {
  const response = await fetch(`${api.url}/api/calendar/appointments`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  // Refused credentials are answered like every bearer route (GraphQL-shaped, see server/auth/request-auth.ts).
  const errors = json.errors as Array<{ message: string; extensions: { code: string } }> | undefined;
  const first = errors?.[0];
  return { status: response.status, body: first ? { error: first.extensions.code.toLowerCase(), message: first.message } : json };
}

async function calendarRows(userId = tenant.id): Promise<Array<{ external_id: string; status: string; scheduled_at: Date }>> {
  const { rows } = await api.db.pool.query<{ external_id: string; status: string; scheduled_at: Date }>(
    `select external_id, status, scheduled_at from app_public.appointments where user_id = $1 and source = 'calendar' order by external_id`,
    [userId],
  );
  return rows;
}

const CREATE = `mutation ($at: Datetime!, $callId: UUID) {
  createAppointment(input: { scheduledAt: $at, callId: $callId, notes: "from the API" }) {
    result { rowId status source agentId phoneNumber call { rowId } agent { name } }
  }
}`;
const STATUS = `mutation ($id: UUID!, $status: String!) {
  updateAppointmentStatus(input: { appointmentId: $id, status: $status }) { result { rowId status confirmedAt } }
}`;
const RESCHEDULE = `mutation ($id: UUID!, $at: Datetime!) {
  rescheduleAppointment(input: { appointmentId: $id, scheduledAt: $at }) { result { rowId status scheduledAt } }
}`;

function soon(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

describe('GraphQL', () => {
  it('creates an appointment for a call, confirms, reschedules and completes it', async () => {
    type Created = { createAppointment: { result: Record<string, unknown> & { rowId: string } } };
    const created = okData(await api.graphql<Created>(CREATE, { at: soon(2), callId }, token())).createAppointment.result;
    expect(created).toMatchObject({ status: 'scheduled', source: 'api', agentId, phoneNumber: '+4930123456', call: { rowId: callId }, agent: { name: 'Closer' } });

    type Status = { updateAppointmentStatus: { result: { status: string; confirmedAt: string | null } } };
    const confirmed = okData(await api.graphql<Status>(STATUS, { id: created.rowId, status: 'confirmed' }, token()));
    expect(confirmed.updateAppointmentStatus.result.status).toBe('confirmed');
    expect(confirmed.updateAppointmentStatus.result.confirmedAt).not.toBeNull();

    type Moved = { rescheduleAppointment: { result: { status: string; scheduledAt: string } } };
    const at = soon(4);
    const moved = okData(await api.graphql<Moved>(RESCHEDULE, { id: created.rowId, at }, token()));
    expect(moved.rescheduleAppointment.result.status).toBe('rescheduled');
    expect(new Date(moved.rescheduleAppointment.result.scheduledAt).toISOString()).toBe(at);
    okData(await api.graphql(STATUS, { id: created.rowId, status: 'completed' }, token()));

    // The list reads it (by status), and viewers may read but not write.
    type List = { appointmentList: Array<{ rowId: string; status: string }> };
    const list = okData(await api.graphql<List>(`{ appointmentList(statuses: ["completed"], fromDate: "2026-11-01", toDate: "2027-01-31") { rowId status } }`, {}, token()));
    expect(list.appointmentList).toEqual([{ rowId: created.rowId, status: 'completed' }]);
  });

  it('answers bad input with the SB185-SB189 codes in plain words and changes nothing', async () => {
    type Created = { createAppointment: { result: { rowId: string } } };
    const id = okData(await api.graphql<Created>(CREATE, { at: soon(1) }, token())).createAppointment.result.rowId;
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      [STATUS, { id, status: 'maybe' }, 'INVALID_APPOINTMENT_STATUS', /Unknown appointment status "maybe"/],
      [STATUS, { id, status: 'rescheduled' }, 'INVALID_APPOINTMENT_STATUS', /give the new time/],
      [STATUS, { id: '0190d2c4-7c1e-7cc2-9a57-3f1c2d4e5f60', status: 'completed' }, 'APPOINTMENT_NOT_FOUND', /No such appointment/],
      [CREATE, { at: soon(1), callId: '0190d2c4-7c1e-7cc2-9a57-3f1c2d4e5f60' }, 'APPOINTMENT_REFERENCE_NOT_FOUND', /No call with this id/],
      [CREATE, { at: soon(900) }, 'INVALID_APPOINTMENT_TIME', /within two years/],
    ];
    for (const [document, variables, code, message] of cases) {
      const error = onlyError(await api.graphql(document, variables, token()));
      expect(error.code, error.message).toBe(code);
      expect(error.message).toMatch(message);
    }
    okData(await api.graphql(STATUS, { id, status: 'no_show' }, token()));
    const held = onlyError(await api.graphql(RESCHEDULE, { id, at: soon(3) }, token()));
    expect(held.code).toBe('APPOINTMENT_ALREADY_HELD');
    expect(held.message).toContain('already took place (no-show)');
    // Another business's owner: not found, and nothing changed.
    const foreign = onlyError(await api.graphql(STATUS, { id, status: 'completed' }, api.tokenFor(other.id, 'app_owner')));
    expect(foreign.code).toBe('APPOINTMENT_NOT_FOUND');
    const { rows } = await api.db.pool.query<{ status: string }>('select status from app_public.appointments where id = $1', [id]);
    expect(rows).toEqual([{ status: 'no_show' }]);
  });

  it('serves booking KPIs and the funnel from an analysed call', async () => {
    const call = await createCall(api.db.pool, { userId: tenant.id, agentId, durationSeconds: 60, startedAt: '2026-11-03T10:00:00Z' });
    await createAnalysis(api.db.pool, { userId: tenant.id, callId: call.id, demoBookDatetime: '2026-11-04T10:00:00Z' });
    type Kpis = { bookingSummary: Array<{ agentId: string | null; bookedCalls: string; connectedCalls: string; bookingRate: string | null; appointments: string }> };
    const data = okData(await api.graphql<Kpis>(
      `{ bookingSummary(fromDate: "2026-11-01", toDate: "2026-11-30") { agentId bookedCalls connectedCalls bookingRate appointments } }`, {}, token(),
    ));
    expect(data.bookingSummary[0]).toEqual({ agentId: null, bookedCalls: '1', connectedCalls: '1', bookingRate: '1.0000', appointments: '1' });
  });
});

describe('POST /api/calendar/appointments', () => {
  it('creates, updates, ignores repeats and older deliveries (idempotent by external id and change time)', async () => {
    const base = { externalId: 'cal-100', status: 'scheduled', scheduledAt: soon(3), phoneNumber: '+4930123456', name: 'Ana' };
    const first = await postCalendar({ ...base, updatedAt: '2026-12-01T10:00:00Z' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, applied: true, status: 'scheduled' });

    const cancelled = await postCalendar({ ...base, status: 'canceled', updatedAt: '2026-12-01T12:00:00Z' });
    expect(cancelled).toMatchObject({ status: 200, body: { created: false, applied: true, status: 'cancelled' } });
    // The older "confirmed" arrives late, then the "cancelled" again: neither changes anything.
    const late = await postCalendar({ ...base, status: 'confirmed', updatedAt: '2026-12-01T11:00:00Z' });
    expect(late).toMatchObject({ status: 200, body: { applied: false, status: 'cancelled', updatedAt: '2026-12-01T12:00:00.000Z' } });
    const repeat = await postCalendar({ ...base, status: 'canceled', updatedAt: '2026-12-01T12:00:00Z' });
    expect(repeat).toMatchObject({ status: 200, body: { applied: false, status: 'cancelled' } });

    expect(await calendarRows()).toMatchObject([{ external_id: 'cal-100', status: 'cancelled' }]);
    // The same external id in another business is another booking.
    expect((await postCalendar({ ...base, updatedAt: '2026-12-01T09:00:00Z' }, otherKey)).status).toBe(201);
    expect(await calendarRows(other.id)).toHaveLength(1);
    expect(await calendarRows()).toMatchObject([{ status: 'cancelled' }]);
  });

  it('refuses bad input with a 4xx naming the problem, storing nothing', async () => {
    const good = { externalId: 'cal-bad', status: 'scheduled', scheduledAt: soon(3), updatedAt: '2026-12-01T10:00:00Z' };
    const cases: Array<[unknown, number, string, RegExp, string?, string?]> = [
      [{ ...good, externalId: undefined }, 400, 'missing_field', /'externalId' is required/],
      [{ ...good, updatedAt: 'yesterday' }, 400, 'invalid_field', /'updatedAt' is invalid: expected an ISO 8601/],
      [{ ...good, scheduledAt: '2026-12-05 15:00' }, 400, 'invalid_field', /'scheduledAt' is invalid/],
      [{ ...good, status: 'tentative' }, 400, 'invalid_appointment_status', /Unknown appointment status "tentative"/],
      [{ ...good, scheduledAt: '2090-01-01T00:00:00Z' }, 400, 'invalid_appointment_time', /within two years/],
      [{ ...good, callId: 'not-a-uuid' }, 400, 'invalid_field', /'callId' is invalid/],
      [{ ...good, callId: callId }, 422, 'appointment_reference_not_found', /No call with this id/, otherKey],
      [{ ...good, phoneNumber: '030 123' }, 400, 'check_violation', /international format/],
      ['{"externalId": ', 400, 'bad_request', /JSON/],
      [good, 415, 'unsupported_media_type', /Content-Type application\/json/, writeKey, 'text/plain'],
      [good, 401, 'unauthenticated', /API key with the write scope/, ''],
      [good, 401, 'invalid_token', /Bearer/, 'nonsense token'],
      [good, 401, 'invalid_api_key', /invalid, revoked or expired/, 'sbk_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      [good, 403, 'read_only_api_key', /read-only/, readKey],
    ];
    for (const [body, status, error, message, key, contentType] of cases) {
      const result = await postCalendar(body, key === '' ? null : (key ?? writeKey), contentType);
      expect(result.status, JSON.stringify(result.body)).toBe(status);
      expect(result.body.error).toBe(error);
      expect(String(result.body.message)).toMatch(message);
    }
    const { rows } = await api.db.pool.query(`select 1 from app_public.appointments where external_id = 'cal-bad'`);
    expect(rows).toEqual([]);
  });
});
