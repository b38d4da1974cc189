/**
 * Team access in PostgreSQL: every write mutation × every role (owner, manager,
 * viewer of business A, and the owner of business B acting on A's rows). The
 * database must refuse what the role may not do and change nothing: each
 * attempt runs as the role (what the GraphQL server sets: role, business and
 * member claims, read-only transactions for viewers), then a fingerprint of
 * all of A's rows (tables, secrets, audit trail) is compared with the one
 * taken before. Allowed attempts must change the fingerprint (so the check can
 * fail), and are rolled back.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asMember, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { seedTenant, type Tenant } from '../helpers/tenants.ts';

type Role = 'owner' | 'manager' | 'viewer' | 'other';
/** 'ok': allowed and changes A; 'refused': an error (code checked) and A unchanged; 'nothing': no error, A unchanged. */
type Expect = { ok: true } | { refused: string[] } | { nothing: true };

const OK: Expect = { ok: true };
const PERMISSION = ['42501'];
const READ_ONLY = ['25006'];

let db: TestDatabase;
let a: Tenant;
let b: Tenant;
const members: Record<'manager' | 'viewer', string> = { manager: '', viewer: '' };
let apiKeyId: string;
let leadId: string;
let appointmentId: string;

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.pool.query(sql, params);
  return rows[0] as T;
}

/** Every row of A, its secrets and its audit trail, hashed. Run as the owner (superuser). */
const FINGERPRINT = `
  select md5(concat_ws('|',
    (select string_agg(t::text, ',' order by t::text) from app_public.users t where t.id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.members t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_private.member_secrets t join app_public.members m on m.id = t.member_id where m.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.invitations t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_private.member_links t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.agents t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.phone_numbers t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.agent_targets t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.contacts t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.customers t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.follow_ups t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.lead_analytics t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.api_keys t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_private.provider_credentials t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_private.tenant_retention t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.privacy_requests t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.usage_alert_thresholds t where t.user_id = $1),
    (select string_agg(t::text, ',' order by t::text) from app_public.appointments t where t.user_id = $1),
    (select count(*)::text from app_hidden.audit_log t where t.user_id = $1)
  )) as fp`;

interface Mutation {
  name: string;
  sql: () => [string, unknown[]];
  /** What the manager may do (the owner may do everything; viewers nothing; B's owner nothing to A). */
  ownerOnly?: boolean;
  /** The owner's allowed call is refused for its input on purpose (erase_business without the right email). */
  ownerRefused?: string[];
}

const MUTATIONS: Mutation[] = [
  { name: 'update users (settings)', sql: () => [`update app_public.users set name = 'Renamed' where id = $1`, [a.userId]] },
  {
    name: 'insert agents',
    sql: () => [`insert into app_public.agents (user_id, provider, provider_agent_id, name) values ($1, 'bolna', 'new-agent', 'New')`, [a.userId]],
  },
  { name: 'update agents', sql: () => [`update app_public.agents set name = 'Renamed' where id = $1`, [a.agentIds[0]]] },
  { name: 'delete agent_targets', sql: () => [`delete from app_public.agent_targets where id = $1`, [a.targetIds[0]]] },
  { name: 'update phone_numbers', sql: () => [`update app_public.phone_numbers set name = 'Line' where id = $1`, [a.phoneNumberIds[0]]] },
  { name: 'update contacts', sql: () => [`update app_public.contacts set notes = 'note' where id = $1`, [a.contactIds[0]]] },
  { name: 'delete customers', sql: () => [`delete from app_public.customers where id = $1`, [a.customerIds[0]]] },
  { name: 'complete_follow_up', sql: () => [`select app_public.complete_follow_up($1, 'done')`, [a.followUpIds[0]]] },
  { name: 'mark_notification_read', sql: () => [`select app_public.mark_notification_read($1, true)`, [leadId]] },
  { name: 'set_retention', sql: () => [`select app_public.set_retention('transcripts', 90)`, []] },
  { name: 'create_api_key', ownerOnly: true, sql: () => [`select app_public.create_api_key('k', '{read}')`, []] },
  { name: 'revoke_api_key', ownerOnly: true, sql: () => [`select app_public.revoke_api_key($1)`, [apiKeyId]] },
  { name: 'rotate_bolna_ingest_token', ownerOnly: true, sql: () => [`select app_public.rotate_bolna_ingest_token()`, []] },
  {
    name: 'store_provider_secret',
    ownerOnly: true,
    sql: () => [`select app_hidden.store_provider_secret('bolna_signing_secret', '\\x0102'::bytea, null, true)`, []],
  },
  { name: 'erase_business', ownerOnly: true, ownerRefused: ['SB403'], sql: () => [`select app_public.erase_business('wrong@example.com')`, []] },
  { name: 'invite_member', ownerOnly: true, sql: () => [`select app_public.invite_member('new.person@example.com', 'viewer')`, []] },
  { name: 'set_member_role', ownerOnly: true, sql: () => [`select app_public.set_member_role($1, 'manager')`, [members.viewer]] },
  { name: 'remove_member', ownerOnly: true, sql: () => [`select app_public.remove_member($1)`, [members.viewer]] },
  { name: 'issue_password_reset', ownerOnly: true, sql: () => [`select app_public.issue_password_reset($1)`, [members.manager]] },
  // Settings pages (agents and numbers, targets, account), leads and follow-ups: managers may, viewers meet the read-only transaction.
  { name: 'save_agent (new)', sql: () => [`select app_public.save_agent(null, 'bolna', 'roles-new-agent', 'New agent', '+14155550999')`, []] },
  { name: 'save_agent (rename)', sql: () => [`select app_public.save_agent($1, null, null, 'Renamed agent', null)`, [a.agentIds[0]]] },
  { name: 'set_agent_active', sql: () => [`select app_public.set_agent_active($1, false)`, [a.agentIds[0]]] },
  { name: 'set_agent_target', sql: () => [`select app_public.set_agent_target($1, 'month', current_date, 'calls', 321)`, [a.agentIds[0]]] },
  { name: 'set_business_profile', sql: () => [`select app_public.set_business_profile('Renamed business', 'UTC')`, []] },
  { name: 'set_analysis_prompts', sql: () => [`select app_public.set_analysis_prompts('Score the caller.', null)`, []] },
  { name: 'set_alert_phone', sql: () => [`select app_public.set_alert_phone('+14155550998')`, []] },
  { name: 'save_usage_alert_threshold', sql: () => [`select app_public.save_usage_alert_threshold(null, 42)`, []] },
  { name: 'mark_leads_read', sql: () => [`select app_public.mark_leads_read('2000-01-01', '2100-01-01')`, []] },
  {
    name: 'insert follow_ups',
    sql: () => [`insert into app_public.follow_ups (user_id, lead_phone, follow_up_date, remark) values ($1, '+14155550997', current_date + 1, 'call back')`, [a.userId]],
  },
  // Appointments: managers may, viewers meet the read-only transaction, B's owner finds no such appointment (SB186).
  { name: 'create_appointment', sql: () => [`select app_public.create_appointment(now() + interval '1 day', null, $1)`, [a.agentIds[0]]] },
  { name: 'update_appointment_status', sql: () => [`select app_public.update_appointment_status($1, 'confirmed')`, [appointmentId]] },
  { name: 'reschedule_appointment', sql: () => [`select app_public.reschedule_appointment($1, now() + interval '3 days')`, [appointmentId]] },
];

function expected(mutation: Mutation, role: Role): Expect {
  switch (role) {
    case 'owner':
      return mutation.ownerRefused ? { refused: mutation.ownerRefused } : OK;
    case 'manager':
      return mutation.ownerOnly ? { refused: PERMISSION } : OK;
    case 'viewer':
      // Owner-only functions are not even executable; everything else meets the read-only transaction.
      return { refused: mutation.ownerOnly ? PERMISSION : READ_ONLY };
    case 'other':
      // B's owner acting on A's rows: RLS hides them (no change), or the function works on B (not A).
      return { nothing: true };
  }
}

async function become(client: pg.ClientBase, role: Role): Promise<void> {
  if (role === 'other') return asMember(client, b.userId, b.userId, 'owner');
  if (role === 'owner') return asMember(client, a.userId, a.userId, 'owner');
  return asMember(client, a.userId, members[role], role);
}

interface Attempt {
  error?: { code: string; message: string };
  changed: boolean;
}

async function attempt(mutation: Mutation, role: Role): Promise<Attempt> {
  const before = (await one<{ fp: string }>(FINGERPRINT, [a.userId])).fp;
  return withClient(db.pool, async (client) => {
    await client.query('begin');
    try {
      await become(client, role);
      const [sql, params] = mutation.sql();
      try {
        await client.query(sql, params);
      } catch (error) {
        await client.query('rollback');
        const { code, message } = error as { code: string; message: string };
        const after = (await one<{ fp: string }>(FINGERPRINT, [a.userId])).fp;
        return { error: { code, message }, changed: after !== before };
      }
      await client.query('reset role');
      const { rows } = await client.query<{ fp: string }>(FINGERPRINT, [a.userId]);
      return { changed: rows[0]?.fp !== before };
    } finally {
      await client.query('rollback').catch(() => undefined);
    }
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  await withClient(db.pool, async (client) => {
    a = await seedTenant(client, { tag: 1, name: 'Business A' });
    b = await seedTenant(client, { tag: 2, name: 'Business B' });
  });
  for (const role of ['manager', 'viewer'] as const) {
    members[role] = (
      await one<{ id: string }>(`insert into app_public.members (user_id, email, name, role) values ($1, $2, $3, $4) returning id`, [
        a.userId,
        `${role}@a.example.com`,
        `A ${role}`,
        role,
      ])
    ).id;
  }
  apiKeyId = await withClient(db.pool, (client) =>
    inTransaction(
      client,
      async () => {
        await asMember(client, a.userId, a.userId, 'owner');
        const { rows } = await client.query<{ id: string }>(`select ((app_public.create_api_key('existing', '{read}')).api_key).id as id`);
        return rows[0]?.id ?? '';
      },
      { commit: true },
    ),
  );
  leadId = (await one<{ id: string }>(`select id from app_public.lead_analytics where user_id = $1 limit 1`, [a.userId])).id;
  appointmentId = (
    await one<{ id: string }>(
      `insert into app_public.appointments (user_id, agent_id, scheduled_at, source, status_source)
       values ($1, $2, now() + interval '2 days', 'api', 'api') returning id`,
      [a.userId, a.agentIds[0]],
    )
  ).id;
});

afterAll(async () => {
  await db?.drop();
});

describe('every write mutation × every role', () => {
  it('has the fixtures it needs', () => {
    expect([apiKeyId, leadId, appointmentId, members.manager, members.viewer, a.followUpIds[0], a.customerIds[0], a.targetIds[0]].every(Boolean)).toBe(true);
  });

  for (const mutation of MUTATIONS) {
    for (const role of ['owner', 'manager', 'viewer', 'other'] as const) {
      const want = expected(mutation, role);
      const label = 'ok' in want ? 'allowed' : 'refused' in want ? `refused (${want.refused.join('/')})` : 'changes nothing of A';
      it(`${mutation.name} as ${role === 'other' ? "another business's owner" : role}: ${label}`, async () => {
        const result = await attempt(mutation, role);
        if ('ok' in want) {
          expect(result.error).toBeUndefined();
          expect(result.changed).toBe(true);
        } else if ('refused' in want) {
          expect(result.error?.code, result.error?.message).toBeOneOf(want.refused);
          expect(result.changed).toBe(false);
        } else {
          expect(result.changed).toBe(false);
        }
      });
    }
  }
});

describe('read-only viewers and owner-only reads', () => {
  it("a viewer cannot switch its transaction back to read-write", async () => {
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asMember(client, a.userId, members.viewer, 'viewer');
        await expect(client.query(`select set_config('transaction_read_only', 'off', true)`)).rejects.toMatchObject({ code: '25001' });
      }),
    );
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asMember(client, a.userId, members.viewer, 'viewer');
        await expect(client.query(`set transaction read write`)).rejects.toMatchObject({ code: '25001' });
      }),
    );
  });

  it('a security definer function cannot write for a viewer either', async () => {
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asMember(client, a.userId, members.viewer, 'viewer');
        // mark_all_notifications_read: security definer in app_public, executable by app_user.
        await expect(client.query(`select app_public.mark_all_notifications_read()`)).rejects.toMatchObject({ code: '25006' });
      }),
    );
  });

  it('managers and viewers read the members list, but not API keys, invitations or the audit trail', async () => {
    for (const role of ['manager', 'viewer'] as const) {
      await withClient(db.pool, (client) =>
        inTransaction(client, async () => {
          await asMember(client, a.userId, members[role], role);
          const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from app_public.members`);
          expect(rows[0]?.n).toBe(3);
          const me = await client.query<{ role: string }>(`select role from app_public.current_member()`);
          expect(me.rows[0]?.role).toBe(role);
          await client.query('savepoint s');
          await expect(client.query(`select * from app_public.api_keys`)).rejects.toMatchObject({ code: '42501' });
          await client.query('rollback to savepoint s');
          await expect(client.query(`select * from app_public.invitations`)).rejects.toMatchObject({ code: '42501' });
          await client.query('rollback to savepoint s');
          const audit = await client.query<{ n: number }>(`select count(*)::int as n from app_hidden.audit_log`);
          expect(audit.rows[0]?.n).toBe(0);
        }),
      );
    }
  });

  it("another business's owner sees none of A's members", async () => {
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asMember(client, b.userId, b.userId, 'owner');
        const { rows } = await client.query<{ user_id: string }>(`select distinct user_id from app_public.members`);
        expect(rows).toEqual([{ user_id: b.userId }]);
      }),
    );
  });
});

describe('the matrix covers every write function', () => {
  /**
   * Write functions checked elsewhere, by role, with the data they need (failed deliveries, failed analyses,
   * test calls, exports): each is a write for owners and managers, and meets the read-only transaction for viewers.
   */
  const COVERED_ELSEWHERE: Record<string, string> = {
    cancel_follow_up: 'like complete_follow_up (same checks)',
    mark_all_notifications_read: 'the viewer case below; tests/api/leads.test.ts',
    remove_test_calls: 'tests/api/onboarding.test.ts (needs test calls)',
    replay_failed_deliveries: 'tests/api/provider-deliveries.test.ts (needs failed deliveries)',
    retry_call_analysis: 'tests/api/call-page.test.ts (needs a failed analysis)',
    remove_usage_alert_threshold: 'tests/api/settings.test.ts (needs a threshold)',
    request_data_export: 'tests/privacy/export-erase.test.ts',
    erase_contact: 'tests/privacy/export-erase.test.ts',
    revoke_invitation: 'tests/api/team.test.ts (needs an invitation)',
    start_rescoring: 'tests/db/rescoring.test.ts (needs analysed calls with transcripts; manager may, viewer 25006, other tenant)',
    cancel_rescoring: 'tests/db/rescoring.test.ts (needs a run)',
  };

  it('lists every VOLATILE app_public function a member role may execute (a new mutation must join the matrix)', async () => {
    const { rows } = await db.pool.query<{ name: string }>(
      `select distinct p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'app_public' and p.provolatile = 'v' and p.prokind = 'f'
          and (has_function_privilege('app_user', p.oid, 'execute') or has_function_privilege('app_owner', p.oid, 'execute'))
        order by 1`,
    );
    const names = rows.map((r) => r.name);
    expect(names).toContain('save_agent');
    expect(Object.keys(COVERED_ELSEWHERE).filter((name) => !names.includes(name)), 'stale entries').toEqual([]);
    const inMatrix = new Set(MUTATIONS.map((m) => m.name.split(' ')[0]));
    const missing = rows.map((r) => r.name).filter((name) => !inMatrix.has(name) && !Object.hasOwn(COVERED_ELSEWHERE, name));
    expect(missing).toEqual([]);
  });
});
