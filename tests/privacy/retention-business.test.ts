/**
 * Retention per data type (limits enforced in SQL, coded errors through the
 * API, transcripts and recordings removed apart from the call rows) and the
 * erasure of a whole business (every tenant row gone, the login last, a
 * platform record that outlives it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startApi, type ApiServer } from '../helpers/api.ts';
import { createCall, createTenant } from '../helpers/fixtures.ts';
import { createAgent } from '../helpers/fixtures.ts';
import { verifyTenants } from '../helpers/rollups.ts';
import { count } from '../worker/support.ts';
import { createBusiness, kpiSnapshot, type Business } from './support.ts';

let api: ApiServer;
let a: Business;
let other: Business;

interface Setting {
  dataType: string;
  retainDays: number;
  defaultDays: number;
  minDays: number | null;
  maxDays: number | null;
  isOverride: boolean;
}

const SETTING_FIELDS = 'dataType retainDays defaultDays minDays maxDays isOverride';

beforeAll(async () => {
  api = await startApi();
  a = await createBusiness(api.db.pool, { seed: 2 });
  other = await createBusiness(api.db.pool, { seed: 2, timezone: 'Europe/London' });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe('retention settings', () => {
  it('lists the editable data types with their limits, and only to a signed-in business', async () => {
    const { body } = await api.graphql<{ retentionSettings: Setting[] }>(`{ retentionSettings { ${SETTING_FIELDS} } }`, {}, api.tokenFor(a.userId));
    expect(body.errors).toBeUndefined();
    expect(body.data?.retentionSettings.map((s) => s.dataType)).toEqual(['calls', 'transcripts', 'recordings']);
    expect(body.data?.retentionSettings[0]).toEqual({ dataType: 'calls', retainDays: 400, defaultDays: 730, minDays: 30, maxDays: 1825, isOverride: true });
    const anonymous = await api.graphql<{ retentionSettings: Setting[] | null }>(`{ retentionSettings { dataType } }`);
    expect(anonymous.body.data?.retentionSettings ?? []).toEqual([]);
  });

  it('refuses values outside the platform limits and platform-only data types with RETENTION_OUT_OF_LIMITS', async () => {
    const set = (dataType: string, retainDays: number | null) =>
      api.graphql<{ setRetention: { result: Setting } }>(
        `mutation($t: String!, $d: Int) { setRetention(input: { dataType: $t, retainDays: $d }) { result { ${SETTING_FIELDS} } } }`,
        { t: dataType, d: retainDays },
        api.tokenFor(a.userId),
      );
    expect(errorCodes((await set('calls', 10)).body)).toEqual(['RETENTION_OUT_OF_LIMITS']);
    expect(errorCodes((await set('transcripts', 5000)).body)).toEqual(['RETENTION_OUT_OF_LIMITS']);
    expect(errorCodes((await set('webhook_events', 10)).body)).toEqual(['RETENTION_OUT_OF_LIMITS']);
    expect(errorCodes((await set('nonsense', 10)).body)).toEqual(['RETENTION_OUT_OF_LIMITS']);
    // The limit holds whoever writes: the owner too (a trigger, not only the API).
    await expect(
      api.db.pool.query(`insert into app_private.tenant_retention (user_id, data_type, retain_days) values ($1, 'recordings', 9999)`, [a.userId]),
    ).rejects.toMatchObject({ code: 'SB401' });

    const ok = await set('transcripts', 10);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?.setRetention.result).toMatchObject({ dataType: 'transcripts', retainDays: 10, isOverride: true });
    expect((await set('recordings', 5)).body.errors).toBeUndefined();
    const reset = await set('calls', null);
    expect(reset.body.data?.setRetention.result).toMatchObject({ dataType: 'calls', retainDays: 730, isOverride: false });
    // Another business's settings are its own.
    const theirs = await api.graphql<{ retentionSettings: Setting[] }>(`{ retentionSettings { ${SETTING_FIELDS} } }`, {}, api.tokenFor(other.userId));
    expect(theirs.body.data?.retentionSettings.find((s) => s.dataType === 'transcripts')).toMatchObject({ retainDays: 365, isOverride: false });
  });

  it('removes transcripts and recording links past the business\'s retention, keeping the calls and their KPIs', async () => {
    const pool = api.db.pool;
    const agent = await createAgent(pool, a.userId);
    const old = await createCall(pool, { userId: a.userId, agentId: agent.id, status: 'completed', durationSeconds: 60, startedAt: new Date(Date.now() - 20 * 86_400_000) });
    const recent = await createCall(pool, { userId: a.userId, agentId: agent.id, status: 'completed', durationSeconds: 60, startedAt: new Date(Date.now() - 2 * 86_400_000) });
    await pool.query(`update app_public.calls set recording_url = 'https://rec.example/' || id where id = any($1::uuid[])`, [[old.id, recent.id]]);
    await pool.query(`insert into app_public.transcripts (user_id, call_id, content, analysis_status) select $1, id, 'hi', 'completed' from unnest($2::uuid[]) id`, [a.userId, [old.id, recent.id]]);
    const otherOld = await count(pool, `select count(*) from app_public.transcripts t join app_public.calls c on c.id = t.call_id where t.user_id = $1 and c.started_at < now() - interval '10 days'`, [other.userId]);
    expect(otherOld).toBeGreaterThan(0);
    const kpis = await kpiSnapshot(pool, a.userId);
    const calls = await count(pool, 'select count(*) from app_public.calls where user_id = $1', [a.userId]);

    for (const type of ['transcripts', 'recordings']) {
      while (Number((await pool.query<{ n: number }>('select app_hidden.retention_batch($1, 1000) as n', [type])).rows[0]?.n) > 0);
    }
    expect(await count(pool, 'select count(*) from app_public.transcripts where call_id = $1', [old.id])).toBe(0);
    expect(await count(pool, 'select count(*) from app_public.transcripts where call_id = $1', [recent.id])).toBe(1);
    expect(await count(pool, `select count(*) from app_public.transcripts t join app_public.calls c on c.id = t.call_id where t.user_id = $1 and c.started_at < now() - interval '10 days'`, [a.userId])).toBe(0);
    expect(await count(pool, 'select count(*) from app_public.calls where id = $1 and recording_url is null', [old.id])).toBe(1);
    expect(await count(pool, 'select count(*) from app_public.calls where id = $1 and recording_url is not null', [recent.id])).toBe(1);
    expect(await count(pool, 'select count(*) from app_public.calls where user_id = $1', [a.userId])).toBe(calls);
    expect(await kpiSnapshot(pool, a.userId)).toEqual(kpis);
    // The other business keeps the default (365 days): its transcripts stay.
    expect(await count(pool, `select count(*) from app_public.transcripts t join app_public.calls c on c.id = t.call_id where t.user_id = $1 and c.started_at < now() - interval '10 days'`, [other.userId])).toBe(otherOld);
  });
});

describe('export archives', () => {
  it('expire: retention removes their chunks and marks them expired, keeping the request row', async () => {
    const pool = api.db.pool;
    const { rows } = await pool.query<{ id: string }>(
      `insert into app_public.privacy_requests (user_id, kind, status, progress, finished_at, expires_at, archive_bytes)
       values ($1, 'export', 'completed', 1, now() - interval '8 days', now() - interval '1 day', 3),
              ($1, 'export', 'completed', 1, now(), now() + interval '7 days', 3)
       returning id`,
      [other.userId],
    );
    const [old, fresh] = rows.map((r) => r.id);
    await pool.query(`insert into app_private.privacy_export_chunks (request_id, seq, data) select id, 0, '\\x010203' from unnest($1::uuid[]) id`, [[old, fresh]]);
    while (Number((await pool.query<{ n: number }>(`select app_hidden.retention_batch('privacy_exports', 1000) as n`)).rows[0]?.n) > 0);
    expect(await count(pool, 'select count(*) from app_private.privacy_export_chunks where request_id = $1', [old])).toBe(0);
    expect(await count(pool, 'select count(*) from app_private.privacy_export_chunks where request_id = $1', [fresh])).toBe(1);
    expect(await count(pool, `select count(*) from app_public.privacy_requests where id = $1 and status = 'expired'`, [old])).toBe(1);
    const response = await fetch(`${api.url}/exports/${old}`, { headers: { authorization: `Bearer ${api.tokenFor(other.userId)}` } });
    expect(response.status).toBe(410);
    expect(((await response.json()) as { error: string }).error).toBe('export_expired');
  });
});

describe('erasing the whole business', () => {
  it('needs the account email typed, a password session, and leaves the other business alone', async () => {
    const wrong = await api.graphql(`mutation { eraseBusiness(input: { confirmEmail: "nope@example.com" }) { result } }`, {}, api.tokenFor(a.userId));
    expect(errorCodes(wrong.body)).toEqual(['CONFIRMATION_MISMATCH']);
    expect(await count(api.db.pool, 'select count(*) from app_public.users where id = $1', [a.userId])).toBe(1);
  });

  it('removes every row of the tenant, the login last, and records it on the platform', async () => {
    const pool = api.db.pool;
    const otherKpis = await kpiSnapshot(pool, other.userId);
    await pool.query(`insert into app_private.login_attempts (email, user_id, outcome) values ($1, $2, 'ok')`, [a.email, a.userId]);
    expect(await count(pool, `select count(*) from app_hidden.audit_log where concat(old_values, new_values) ilike '%' || $1 || '%'`, [a.email])).toBeGreaterThan(0);
    const { body } = await api.graphql<{ eraseBusiness: { result: string } }>(
      `mutation($e: String!) { eraseBusiness(input: { confirmEmail: $e }) { result } }`,
      { e: a.email.toUpperCase() },
      api.tokenFor(a.userId),
    );
    expect(body.errors).toBeUndefined();
    const recordId = body.data?.eraseBusiness.result;

    // Every table with a user_id column, whatever the schema: nothing of the tenant is left.
    const { rows: tables } = await pool.query<{ name: string }>(
      `select format('%I.%I', c.table_schema, c.table_name) as name
         from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
        where c.column_name = 'user_id' and t.table_type = 'BASE TABLE'
          and c.table_schema in ('app_public', 'app_hidden', 'app_private')
          and c.table_name not in ('erased_businesses', 'retention_log')`,
    );
    expect(tables.length).toBeGreaterThan(15);
    for (const { name } of tables) {
      expect([name, await count(pool, `select count(*) from ${name} where user_id = $1`, [a.userId])]).toEqual([name, 0]);
    }
    expect(await count(pool, 'select count(*) from app_public.users where id = $1', [a.userId])).toBe(0);
    expect(await count(pool, 'select count(*) from app_private.user_secrets where user_id = $1', [a.userId])).toBe(0);
    expect(await count(pool, 'select count(*) from app_private.login_attempts where email = $1', [a.email])).toBe(0);
    // The audit trail keeps none of the erased business's values (its settings, agents, numbers).
    expect(await count(pool, `select count(*) from app_hidden.audit_log where concat(old_values, new_values) ilike '%' || $1 || '%'`, [a.email])).toBe(0);

    const { rows } = await pool.query<{ user_id: string; email_hash: string; counts: Record<string, number>; rec: string }>(
      'select user_id, email_hash, counts, to_jsonb(e)::text as rec from app_private.erased_businesses e where id = $1',
      [recordId],
    );
    expect(rows[0]?.user_id).toBe(a.userId);
    expect(rows[0]?.email_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.rec).not.toContain(a.email);
    expect(rows[0]?.counts.calls).toBeGreaterThan(0);
    expect(rows[0]?.counts.agents).toBe(3);

    // The other business is untouched and every tenant's rollups still verify.
    expect(await kpiSnapshot(pool, other.userId)).toEqual(otherKpis);
    expect(await verifyTenants(pool, [other.userId])).toEqual([]);
    await pool.query('select app_hidden.compact_rollups()');
    expect(await count(pool, 'select count(*) from app_public.user_analytics where user_id = $1', [a.userId])).toBe(0);
  });

  it('is refused to anonymous callers and API keys', async () => {
    const tenant = await createTenant(api.db.pool);
    const anonymous = await api.graphql(`mutation($e: String!) { eraseBusiness(input: { confirmEmail: $e }) { result } }`, { e: tenant.email });
    expect(anonymous.body.errors?.length).toBeGreaterThan(0);
    const key = await api.graphql<{ createApiKey: { result: { secret: string } } }>(
      `mutation { createApiKey(input: { name: "ci", scopes: ["read", "write"] }) { result { secret } } }`,
      {},
      api.tokenFor(tenant.id),
    );
    expect(key.body.errors).toBeUndefined();
    const secret = key.body.data!.createApiKey.result.secret;
    const byKey = await api.graphql(`mutation($e: String!) { eraseBusiness(input: { confirmEmail: $e }) { result } }`, { e: tenant.email }, secret);
    expect(errorCodes(byKey.body)).toEqual(['FORBIDDEN']);
    const exportByKey = await api.graphql(`mutation { requestDataExport(input: {}) { result { rowId } } }`, {}, secret);
    expect(errorCodes(exportByKey.body)).toEqual(['FORBIDDEN']);
    expect(await count(api.db.pool, 'select count(*) from app_public.users where id = $1', [tenant.id])).toBe(1);
  });
});
