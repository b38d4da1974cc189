/**
 * Ingest edge cases that lost or misplaced data, with realistic provider
 * payloads over real HTTP:
 *
 * - a Bolna execution id beyond 2^53 is stored and keyed by its exact digits;
 * - a scheduled execution counts at the tenant-local hour and day it was
 *   dialled, not when it was created the evening before;
 * - every provider status maps to the class and the disposition sql/README.md
 *   says (the table is read by this test); Bolna balance-low is failed / errored;
 * - provider ids are per business: another tenant naming the same agent id,
 *   number, AccountSid or call id neither learns it is used nor blocks the
 *   owner; Twilio callbacks go to the tenant whose auth token signed them, or
 *   to the per-business URL;
 * - responses and data freshness show nothing of other tenants' activity;
 * - numbers padded with Unicode spaces are trimmed; created_at after updated_at
 *   is refused by name.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { encryptSecret } from '../../server/webhooks/secrets.ts';
import { asTenant, inTransaction, withClient } from '../helpers/db.ts';
import { createAgent, createTenant } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import {
  bolnaSequence,
  callRow,
  deliveryRow,
  seedIngestTenant,
  startWebhookApp,
  storedCounts,
  TEST_SECRETS_KEY,
  testPhoneNumber,
  twilioSequence,
  twilioStatusPath,
  withRepeats,
  type BolnaPayload,
  type IngestTenant,
  type WebhookApp,
} from '../helpers/webhooks.ts';

let app: WebhookApp;
let tenant: IngestTenant;

beforeAll(async () => {
  app = await startWebhookApp();
  tenant = await seedIngestTenant(app.pool);
});

afterAll(async () => {
  await app?.close();
});

/** Runs `fn` as the tenant (app_user with its claims), rolled back unless `commit`. */
function asUser<T>(userId: string, fn: (query: <R extends object>(sql: string, params?: unknown[]) => Promise<R[]>) => Promise<T>, commit = false): Promise<T> {
  return withClient(app.pool, (client) =>
    inTransaction(
      client,
      async () => {
        await asTenant(client, userId);
        return fn(async <R extends object>(sql: string, params: unknown[] = []) => (await client.query<R & Record<string, unknown>>(sql, params)).rows);
      },
      { commit },
    ),
  );
}

/** Sets a tenant's Twilio credentials as its password session would (encrypted by the server). */
async function connectTwilio(userId: string, accountSid: string, authToken: string): Promise<void> {
  await withClient(app.pool, (client) =>
    inTransaction(
      client,
      async () => {
        await client.query(`select set_config('jwt.claims.user_id', $1, true)`, [userId]);
        await client.query('select app_hidden.store_provider_secret($1, $2, $3, null)', [
          'twilio_auth_token',
          encryptSecret(TEST_SECRETS_KEY, 'twilio_auth_token', userId, authToken),
          accountSid,
        ]);
      },
      { commit: true },
    ),
  );
}

describe('a Bolna execution id beyond 2^53', () => {
  it('is stored and keyed by its exact digits: two ids a double cannot tell apart stay two calls', async () => {
    const big = '9007199254740993'; // 2^53 + 1: JSON.parse reads it as ...992
    const neighbour = '9007199254740992';
    const [queued, , , , completed] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const withId = (payload: BolnaPayload, id: string): string => JSON.stringify({ ...payload, id: 'ID' }).replace('"ID"', id);
    const first = await app.postBolna(tenant.bolnaToken, withId(queued!, big));
    expect([first.status, first.body.status, first.body.eventKey]).toEqual([200, 'processed', `${big}:queued:${String(queued!.updated_at)}`]);
    const second = await app.postBolna(tenant.bolnaToken, withId(queued!, neighbour));
    expect([second.status, second.body.duplicate]).toEqual([200, false]);
    expect(second.body.callId).not.toBe(first.body.callId);
    const final = await app.postBolna(tenant.bolnaToken, withId(completed!, big));
    expect([final.status, final.body.callId]).toEqual([200, first.body.callId]);

    expect(await callRow(app.pool, 'bolna', big, tenant.userId)).toMatchObject({ id: first.body.callId, status: 'completed', duration_seconds: 87 });
    expect(await callRow(app.pool, 'bolna', neighbour, tenant.userId)).toMatchObject({ id: second.body.callId, status: 'queued' });
    const { rows } = await app.pool.query<{ id: string }>(
      `select payload ->> 'id' as id from app_private.webhook_events where user_id = $1 and event_key like $2`,
      [tenant.userId, `${big}:%`],
    );
    expect(rows.map((row) => row.id)).toEqual([big, big]);
  });
});

describe('a scheduled Bolna execution', () => {
  it('counts at the tenant-local hour and day it was dialled, not when it was created the evening before', async () => {
    // Kolkata is UTC+5:30: created Thursday 2026-11-19 20:30, dialled Friday 2026-11-20 09:15 local time.
    const kolkata = await seedIngestTenant(app.pool);
    await app.pool.query(`update app_public.users set timezone = 'Asia/Kolkata' where id = $1`, [kolkata.userId]);
    const createdAt = new Date('2026-11-19T15:00:00Z');
    const dialledAt = new Date('2026-11-20T03:45:00Z');
    const sequence = bolnaSequence({ agentId: kolkata.bolnaAgentId, createdAt, dialledAt });
    const executionId = String(sequence[0]!.id);

    const hourOf = async (): Promise<Array<{ day: string; hour: number; calls: number }>> => {
      const { rows } = await app.pool.query<{ day: string; hour: number; calls: number }>(
        `select day::text, hour::int, calls::int from app_public.tenant_hourly_stats where user_id = $1 and calls <> 0 order by day, hour`,
        [kolkata.userId],
      );
      return rows;
    };
    // Before it is dialled it counts, provisionally, when it was scheduled.
    expect((await app.postBolna(kolkata.bolnaToken, sequence[0])).status).toBe(200);
    expect(await hourOf()).toEqual([{ day: '2026-11-19', hour: 20, calls: 1 }]);

    for (const payload of withRepeats(sequence.slice(1), 13)) {
      const response = await app.postBolna(kolkata.bolnaToken, payload);
      expect([response.status, response.body.status], JSON.stringify(response.body)).toEqual([200, 'processed']);
    }
    const call = await callRow(app.pool, 'bolna', executionId, kolkata.userId);
    expect(call).toMatchObject({ status: 'completed', outcome: 'successful' });
    expect((call?.started_at as Date).toISOString()).toBe(dialledAt.toISOString());
    expect(await hourOf()).toEqual([{ day: '2026-11-20', hour: 9, calls: 1 }]);

    // Through the KPI functions, as the tenant: the daily series and the hour x weekday matrix.
    await asUser(kolkata.userId, async (query) => {
      const series = await query<{ day: string; calls: string }>(
        `select period_start::text as day, (figures).calls::text as calls from app_public.kpi_series('2026-11-19', '2026-11-20', 'day')`,
      );
      expect(series).toEqual([
        { day: '2026-11-19', calls: '0' },
        { day: '2026-11-20', calls: '1' },
      ]);
      const cells = await query<{ iso_weekday: number; hour: number; calls: string; successful_calls: string }>(
        `select iso_weekday, hour, calls::text, successful_calls::text from app_public.kpi_hourly_matrix('2026-11-19', '2026-11-20') where calls <> 0`,
      );
      expect(cells).toEqual([{ iso_weekday: 5, hour: 9, calls: '1', successful_calls: '1' }]);
    });
    expect(await verifyRollups(app.pool, kolkata.userId)).toEqual([]);
  });

  it('a late pre-dial event never moves a dialled call back to its creation time', async () => {
    const sequence = bolnaSequence({ agentId: tenant.bolnaAgentId, createdAt: new Date('2026-11-19T21:00:00Z'), dialledAt: new Date('2026-11-20T08:00:00Z') });
    const [scheduled, queued, initiated, ringing] = sequence;
    for (const payload of [ringing!, initiated!, queued!, scheduled!]) {
      expect((await app.postBolna(tenant.bolnaToken, payload)).status).toBe(200);
    }
    const call = await callRow(app.pool, 'bolna', String(initiated!.id), tenant.userId);
    expect((call?.started_at as Date).toISOString()).toBe(initiated!.updated_at);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });
});

// --- status classes --------------------------------------------------------------------------

interface StatusRow {
  provider: 'bolna' | 'twilio';
  status: string;
  callStatus: string;
  outcome: 'successful' | 'unanswered' | 'failed' | null;
  /** app_hidden.call_disposition of a final event with conversation; null in progress. */
  disposition: string | null;
}

/** The "Provider statuses and their class" table of sql/README.md. */
async function statusTable(): Promise<StatusRow[]> {
  const text = await readFile(path.join(PROJECT_ROOT, 'sql', 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('### Provider statuses and their class'));
  const rows: StatusRow[] = [];
  for (const line of section.split('\n')) {
    const cells = /^\| (Bolna|Twilio) \| `([^`]+)` \| `([^`]+)` \| ([a-z ]+)[^|]*\| ([^|(]+)/.exec(line);
    if (!cells) continue;
    const [, provider, status, callStatus, klass, disposition] = cells as unknown as [string, string, string, string, string, string];
    const first = klass.trim().split(' ')[0];
    const shown = disposition.trim();
    rows.push({
      provider: provider === 'Bolna' ? 'bolna' : 'twilio',
      status,
      callStatus,
      outcome: first === 'successful' || first === 'unanswered' || first === 'failed' ? first : null,
      disposition: shown === '—' ? null : shown.replaceAll(' ', '_'),
    });
  }
  return rows;
}

async function dispositionOf(callId: string): Promise<string | null> {
  const { rows } = await app.pool.query<{ d: string | null }>(
    'select app_hidden.call_disposition(status, duration_seconds, answered_by_voicemail) as d from app_public.calls where id = $1',
    [callId],
  );
  return rows[0]?.d ?? null;
}

describe('provider statuses', () => {
  it('sql/README.md lists every status the SQL knows, and only those', async () => {
    const table = await statusTable();
    for (const provider of ['bolna', 'twilio'] as const) {
      const { rows } = await app.pool.query<{ def: string }>(`select pg_get_functiondef($1::regprocedure) as def`, [`app_hidden.${provider}_status(text)`]);
      const known = [...(rows[0]?.def ?? '').matchAll(/\('([a-z-]+)', '[a-z_]+', \d+\)/g)].map((match) => match[1]);
      expect(table.filter((row) => row.provider === provider).map((row) => row.status).sort()).toEqual(known.sort());
    }
    expect(table.find((row) => row.status === 'balance-low')).toMatchObject({ callStatus: 'failed', outcome: 'failed', disposition: 'errored' });
  });

  it('each status maps to exactly its call status and class (a final event with conversation)', async () => {
    const table = await statusTable();
    expect(table.length).toBeGreaterThanOrEqual(25);
    const got: StatusRow[] = [];
    for (const row of table) {
      if (row.provider === 'bolna') {
        const final = bolnaSequence({ agentId: tenant.bolnaAgentId }).at(-1)!;
        const response = await app.postBolna(tenant.bolnaToken, { ...final, status: row.status });
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        const call = await callRow(app.pool, 'bolna', String(final.id), tenant.userId);
        got.push({ ...row, callStatus: String(call?.status), outcome: (call?.outcome ?? null) as StatusRow['outcome'], disposition: await dispositionOf(String(call?.id)) });
      } else {
        const completed = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber }).at(-1)!;
        const response = await app.postTwilio({ ...completed, CallStatus: row.status }, { authToken: tenant.twilioAuthToken });
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        const call = await callRow(app.pool, 'twilio', completed.CallSid!, tenant.userId);
        got.push({ ...row, callStatus: String(call?.status), outcome: (call?.outcome ?? null) as StatusRow['outcome'], disposition: await dispositionOf(String(call?.id)) });
      }
    }
    expect(got).toEqual(table);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });
});

// --- provider ids per business -----------------------------------------------------------------

describe('provider ids are per business', () => {
  it("another business may use the same provider agent id and number: no ALREADY_EXISTS, and each tenant's deliveries reach its own agent", async () => {
    const squatter = await seedIngestTenant(app.pool);
    const agents = await asUser(
      squatter.userId,
      (query) =>
        query<{ id: string }>(
          `insert into app_public.agents (provider, provider_agent_id, name) values ('bolna', $1, 'Copy') returning id`,
          [tenant.bolnaAgentId],
        ),
      true,
    );
    const twilioAgent = await createAgent(app.pool, squatter.userId, { provider: 'twilio' });
    await asUser(
      squatter.userId,
      (query) => query('insert into app_public.phone_numbers (agent_id, phone_number) values ($1, $2)', [twilioAgent.id, tenant.twilioNumber]),
      true,
    );
    // The same id within one tenant is still a duplicate.
    await expect(
      asUser(squatter.userId, (query) => query(`insert into app_public.agents (provider, provider_agent_id, name) values ('bolna', $1, 'Twice')`, [tenant.bolnaAgentId])),
    ).rejects.toMatchObject({ code: '23505' });

    const [queued] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const owner = await app.postBolna(tenant.bolnaToken, queued);
    expect(await callRow(app.pool, 'bolna', String(queued!.id), tenant.userId)).toMatchObject({ id: owner.body.callId, agent_id: tenant.agentId });
    const [initiated] = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber });
    const call = await app.postTwilio(initiated!, { authToken: tenant.twilioAuthToken });
    expect([call.status, call.body.status]).toEqual([200, 'processed']);
    expect(await callRow(app.pool, 'twilio', initiated!.CallSid!, tenant.userId)).toMatchObject({ agent_id: tenant.twilioAgent });

    const [own] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const theirs = await app.postBolna(squatter.bolnaToken, own);
    expect(await callRow(app.pool, 'bolna', String(own!.id), squatter.userId)).toMatchObject({ id: theirs.body.callId, agent_id: agents[0]?.id });
  });

  it('naming another business\'s AccountSid neither receives nor blocks its callbacks (global URL)', async () => {
    const owner = await seedIngestTenant(app.pool);
    const squatter = await createTenant(app.pool);
    await connectTwilio(squatter.id, owner.twilioAccountSid, 'a'.repeat(32));
    const sequence = twilioSequence({ accountSid: owner.twilioAccountSid, from: owner.twilioNumber });
    for (const params of sequence) {
      const response = await app.postTwilio(params, { authToken: owner.twilioAuthToken });
      expect([response.status, response.body.status], JSON.stringify(response.body)).toEqual([200, 'processed']);
    }
    expect(await callRow(app.pool, 'twilio', sequence[0]!.CallSid!)).toMatchObject({ user_id: owner.userId, status: 'completed' });
    const before = await storedCounts(app.pool);
    const forged = await app.postTwilio(twilioSequence({ accountSid: owner.twilioAccountSid, from: owner.twilioNumber })[0]!, { authToken: 'b'.repeat(32) });
    expect([forged.status, forged.body.error?.code]).toEqual([403, 'INVALID_SIGNATURE']);
    const unsigned = await app.postTwilio(sequence[0]!);
    expect([unsigned.status, unsigned.body.error?.code]).toEqual([401, 'MISSING_SIGNATURE']);
    expect(await storedCounts(app.pool)).toEqual(before);
  });

  it('the same account connected by two businesses: a callback goes to the one that has the number', async () => {
    const first = await seedIngestTenant(app.pool);
    const second = await createTenant(app.pool);
    await connectTwilio(second.id, first.twilioAccountSid, first.twilioAuthToken);
    const agent = await createAgent(app.pool, second.id, { provider: 'twilio' });
    const secondNumber = testPhoneNumber();
    await app.pool.query('insert into app_public.phone_numbers (user_id, agent_id, phone_number) values ($1, $2, $3)', [second.id, agent.id, secondNumber]);
    const [toFirst] = twilioSequence({ accountSid: first.twilioAccountSid, from: first.twilioNumber });
    const [toSecond] = twilioSequence({ accountSid: first.twilioAccountSid, from: secondNumber });
    expect((await app.postTwilio(toFirst!, { authToken: first.twilioAuthToken })).status).toBe(200);
    expect((await app.postTwilio(toSecond!, { authToken: first.twilioAuthToken })).status).toBe(200);
    expect(await callRow(app.pool, 'twilio', toFirst!.CallSid!)).toMatchObject({ user_id: first.userId });
    expect(await callRow(app.pool, 'twilio', toSecond!.CallSid!)).toMatchObject({ user_id: second.id, agent_id: agent.id });
  });

  it('the per-business status callback URL: the token picks the tenant, whose auth token must have signed the URL', async () => {
    const owner = await seedIngestTenant(app.pool);
    const squatter = await seedIngestTenant(app.pool);
    await connectTwilio(squatter.userId, owner.twilioAccountSid, squatter.twilioAuthToken);
    const [initiated, ringing] = twilioSequence({ accountSid: owner.twilioAccountSid, from: owner.twilioNumber });
    const accepted = await app.postTwilio(initiated!, { path: twilioStatusPath(owner.bolnaToken), authToken: owner.twilioAuthToken });
    expect([accepted.status, accepted.body.status], JSON.stringify(accepted.body)).toEqual([200, 'processed']);
    expect(await callRow(app.pool, 'twilio', initiated!.CallSid!)).toMatchObject({ user_id: owner.userId });

    const before = await storedCounts(app.pool);
    // Signed for the global URL, sent to the per-business one: the URL is part of the signature.
    const otherUrl = await app.postTwilio(ringing!, { path: twilioStatusPath(owner.bolnaToken), authToken: owner.twilioAuthToken, signUrl: `${app.url}/webhooks/twilio/status` });
    expect(otherUrl.body.error?.code).toBe('INVALID_SIGNATURE');
    // The owner's genuine callback sent to the squatter's URL is not the squatter's.
    const misrouted = await app.postTwilio(ringing!, { path: twilioStatusPath(squatter.bolnaToken), authToken: owner.twilioAuthToken });
    expect([misrouted.status, misrouted.body.error?.code]).toEqual([403, 'INVALID_SIGNATURE']);
    const unknown = await app.postTwilio(ringing!, { path: twilioStatusPath(`sbw_${'A'.repeat(43)}`), authToken: owner.twilioAuthToken });
    expect([unknown.status, unknown.body.error?.code]).toEqual([401, 'UNKNOWN_TOKEN']);
    const malformed = await app.postTwilio(ringing!, { path: twilioStatusPath('nope'), authToken: owner.twilioAuthToken });
    expect([malformed.status, malformed.body.error?.code]).toEqual([401, 'UNKNOWN_TOKEN']);
    const foreignAccount = { ...ringing!, AccountSid: `AC${'0'.repeat(32)}` };
    const wrongAccount = await app.postTwilio(foreignAccount, { path: twilioStatusPath(owner.bolnaToken), authToken: owner.twilioAuthToken });
    expect([wrongAccount.status, wrongAccount.body.error?.code]).toEqual([403, 'UNKNOWN_ACCOUNT']);
    expect(await storedCounts(app.pool)).toEqual(before);
  });
});

// --- nothing of other tenants' activity ------------------------------------------------------------

describe('what a tenant sees of the platform', () => {
  it('a response names the delivery by its own key, never by a platform-wide number', async () => {
    const [queued] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const response = await app.postBolna(tenant.bolnaToken, queued);
    expect(Object.keys(response.body).sort()).toEqual(['callId', 'duplicate', 'eventKey', 'status']);
    expect(response.body.eventKey).toBe(`${String(queued!.id)}:queued:${String(queued!.updated_at)}`);
    expect(await deliveryRow(app.pool, tenant.userId, 'bolna', response.body.eventKey)).toMatchObject({ status: 'processed', call_id: response.body.callId });
  });

  it("dataFreshness.rollupsCompactedAt is the tenant's own latest compaction: another tenant's does not move it", async () => {
    const mine = await seedIngestTenant(app.pool);
    const other = await seedIngestTenant(app.pool);
    const compactedAt = async (userId: string): Promise<string | null> =>
      asUser(userId, async (query) => (await query<{ at: string | null }>(`select (app_public.data_freshness()).rollups_compacted_at::text as at`))[0]?.at ?? null);

    expect(await compactedAt(mine.userId)).toBeNull();
    await app.postBolna(mine.bolnaToken, bolnaSequence({ agentId: mine.bolnaAgentId })[0]);
    await app.pool.query('select app_hidden.compact_rollups()');
    const first = await compactedAt(mine.userId);
    expect(first).not.toBeNull();

    await app.postBolna(other.bolnaToken, bolnaSequence({ agentId: other.bolnaAgentId })[0]);
    await app.pool.query('select app_hidden.compact_rollups()');
    expect(await compactedAt(mine.userId)).toBe(first);
    const theirs = await compactedAt(other.userId);
    expect(theirs).not.toBeNull();
    expect(Date.parse(theirs!)).toBeGreaterThan(Date.parse(first!));
  });
});

// --- valid-looking deliveries the database could not apply -----------------------------------------

describe('deliveries that used to fail on every replay', () => {
  it('Bolna numbers padded with Unicode spaces (U+00A0, U+3000, U+FEFF, U+2028) are trimmed and applied', async () => {
    const final = bolnaSequence({ agentId: tenant.bolnaAgentId }).at(-1)!;
    const telephony = final.telephony_data as BolnaPayload;
    const padded: BolnaPayload = {
      ...final,
      conversation_duration: '\u00a087.4\u00a0',
      conversation_time: '87.4\u3000',
      total_cost: '\ufeff12.35',
      telephony_data: { ...telephony, duration: '95\u2028', to_number: '\u00a0+14155550123\u3000', hangup_provider_code: '\ufeff4000' },
    };
    const response = await app.postBolna(tenant.bolnaToken, padded);
    expect([response.status, response.body.status], JSON.stringify(response.body)).toEqual([200, 'processed']);
    expect(await callRow(app.pool, 'bolna', String(final.id), tenant.userId)).toMatchObject({
      duration_seconds: 87,
      cost_cents: '12.3500',
      phone_number: '+14155550123',
      hangup_code: 4000,
    });
  });

  it('Twilio numbers padded with Unicode spaces are trimmed after the signature check', async () => {
    const sequence = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber });
    const completed = sequence.at(-1)!;
    const padded = { ...completed, From: `\ufeff${tenant.twilioNumber}`, Caller: `${tenant.twilioNumber}\u00a0`, To: `${completed.To}\u2028`, CallDuration: '64\u3000', SequenceNumber: '\u00a03' };
    const response = await app.postTwilio(padded, { authToken: tenant.twilioAuthToken });
    expect([response.status, response.body.status], JSON.stringify(response.body)).toEqual([200, 'processed']);
    expect(response.body.eventKey).toBe(`${completed.CallSid}:3:completed`);
    expect(await callRow(app.pool, 'twilio', completed.CallSid!, tenant.userId)).toMatchObject({
      agent_id: tenant.twilioAgent,
      duration_seconds: 64,
      phone_number: completed.To,
    });
  });

  it('created_at later than updated_at is refused by name (400 INVALID_FIELD created_at), storing nothing', async () => {
    const [, ringing] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const created = new Date(Date.parse(String(ringing!.updated_at)) + 3_600_000).toISOString();
    const before = await storedCounts(app.pool);
    const response = await app.postBolna(tenant.bolnaToken, { ...ringing, created_at: created });
    expect([response.status, response.body.error?.code, response.body.error?.field]).toEqual([400, 'INVALID_FIELD', 'created_at']);
    // Without an offset both are UTC: the same instant is accepted.
    const same = await app.postBolna(tenant.bolnaToken, { ...ringing, created_at: '2026-11-20T09:30:02', updated_at: '2026-11-20T09:30:02Z' });
    expect(same.status).toBe(200);
    expect(await storedCounts(app.pool)).toMatchObject({ events: before.events + 1 });
  });
});
