/**
 * Tenant isolation: as tenant A, every table, view and function returns none of
 * tenant B's rows and rejects writes to them; anonymous sees nothing.
 *
 * The objects are enumerated from the catalog (every relation of app_public and
 * app_hidden the role can select), so a new table or view is covered without
 * editing this file; the fixture check makes sure B actually has rows in each.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAnonymous, asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { addCalls, compactPostAndRefresh, seedTenant, type Tenant } from '../helpers/tenants.ts';

type Row = Record<string, unknown>;
type Outcome = { ok: true; rows: Row[]; rowCount: number } | { ok: false; code: string; message: string };

interface Relation {
  name: string; // schema-qualified, quoted
  kind: string; // pg_class.relkind
  columns: string[];
}

const PERMISSION_DENIED = '42501'; // also the SQLSTATE of a row-level security violation
const FOREIGN_KEY_VIOLATION = '23503';

let db: TestDatabase;
let a: Tenant;
let b: Tenant;
let operator: Tenant;
/** Every uuid of B's rows (and B's email): none may appear anywhere A can read. */
let bIdentifiers: Set<string>;
let relations: Relation[];

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  throw error;
}

/** Runs one statement inside a savepoint, so a failure does not abort the surrounding transaction. */
async function attempt(client: pg.ClientBase, sql: string, params: unknown[] = []): Promise<Outcome> {
  await client.query('savepoint attempt');
  try {
    const result = await client.query<Row>(sql, params);
    await client.query('release savepoint attempt');
    return { ok: true, rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    await client.query('rollback to savepoint attempt');
    return { ok: false, code: errorCode(error), message: error instanceof Error ? error.message : String(error) };
  }
}

/** A labelled statement to attempt: [what, sql, params]. */
type Case = [what: string, sql: string, params?: unknown[]];

async function attemptAll(client: pg.ClientBase, cases: Case[]): Promise<Array<[string, Outcome]>> {
  const results: Array<[string, Outcome]> = [];
  for (const [what, sql, params] of cases) results.push([what, await attempt(client, sql, params)]);
  return results;
}

function describeOutcome(outcome: Outcome): string {
  return outcome.ok ? `succeeded (${outcome.rowCount} rows)` : `failed ${outcome.code}: ${outcome.message}`;
}

/** Outcomes that are not "permission denied", as readable lines (an empty list passes). */
function notDenied(results: Array<[string, Outcome]>): string[] {
  return results
    .filter(([, outcome]) => outcome.ok || outcome.code !== PERMISSION_DENIED)
    .map(([what, outcome]) => `${what}: ${describeOutcome(outcome)}`);
}

/** Outcomes other than "succeeded, 0 rows" (an empty list passes). */
function notNoOps(results: Array<[string, Outcome]>): string[] {
  return results
    .filter(([, outcome]) => !outcome.ok || outcome.rowCount !== 0)
    .map(([what, outcome]) => `${what}: ${describeOutcome(outcome)}`);
}

/** Runs `fn` as the given role with the given claims, in a transaction rolled back afterwards. */
async function asRole<T>(role: string, userId: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(db.pool, (client) =>
    inTransaction(client, async () => {
      await client.query(`select set_config('role', $1, true), set_config('jwt.claims.user_id', $2, true)`, [role, userId]);
      return fn(client);
    }),
  );
}

function asA<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(db.pool, (client) =>
    inTransaction(client, async () => {
      await asTenant(client, a.userId);
      return fn(client);
    }),
  );
}

/** The key that says which tenant a row belongs to, if the relation has one. */
function tenantKey(relation: Relation): string | undefined {
  if (relation.name === 'app_public.users') return 'id';
  return relation.columns.includes('user_id') ? 'user_id' : undefined;
}

/** Relations of the app schemas, with the columns `role` may select (all columns when role is undefined). */
async function listRelations(client: pg.ClientBase, schemas: string[], role?: string): Promise<Relation[]> {
  const { rows } = await client.query<Relation>(
    `select format('%I.%I', n.nspname, c.relname) as name, c.relkind::text as kind,
            array(select a.attname::text from pg_attribute a
                   where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                     and ($2::text is null or has_column_privilege($2, c.oid, a.attnum, 'select'))
                   order by a.attnum) as columns
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any ($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and ($2::text is null or has_any_column_privilege($2, c.oid, 'select'))
      order by 1`,
    [schemas, role ?? null],
  );
  return rows;
}

function selectAll(relation: Relation): string {
  return `select ${relation.columns.map((column) => `"${column}"`).join(', ')} from ${relation.name}`;
}

/** Values in `row` (including inside JSON) that identify B. */
function bValuesIn(row: Row): string[] {
  const found: string[] = [];
  for (const [column, value] of Object.entries(row)) {
    if (value === null || value === undefined) continue;
    const text = typeof value === 'string' ? value : value instanceof Date ? '' : JSON.stringify(value);
    if (bIdentifiers.has(text)) found.push(`${column}=${text}`);
    else if (typeof value === 'object') {
      for (const identifier of bIdentifiers) if (text.includes(identifier)) found.push(`${column} contains ${identifier}`);
    }
  }
  return found;
}

/**
 * Every function of the app schemas `role` may not execute (trigger functions
 * aside), with a call passing typed nulls: the call must fail on the privilege check.
 */
async function functionsDeniedTo(role: string): Promise<Array<{ name: string; call: string }>> {
  const { rows } = await db.pool.query<{ name: string; call: string }>(
    `select p.oid::regprocedure::text as name,
            case when p.prokind = 'p' then 'call ' else 'select ' end
            || format('%I.%I', n.nspname, p.proname) || '('
            || coalesce((select string_agg(format('null::%s', format_type(t, null)), ', ' order by i)
                           from unnest(p.proargtypes) with ordinality x(t, i)), '') || ')' as call
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('app_public', 'app_hidden', 'app_private')
        and p.prorettype <> 'trigger'::regtype
        and not has_function_privilege($1, p.oid, 'execute')
      order by 1`,
    [role],
  );
  return rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await withClient(db.pool, (client) =>
    inTransaction(
      client,
      async () => {
        a = await seedTenant(client, { tag: 1, name: 'Tenant A', timezone: 'America/New_York', calls: 8 });
        b = await seedTenant(client, { tag: 2, name: 'Tenant B', timezone: 'Asia/Kolkata', calls: 5 });
        operator = await seedTenant(client, { tag: 3, name: 'Operator', role: 'admin', calls: 2 });
        await compactPostAndRefresh(client);
        // More calls after compaction and posting: pending rollup deltas and credit charges, and
        // a purchase each that is not posted yet.
        await addCalls(client, a, 3);
        await addCalls(client, b, 2);
        await client.query(
          `insert into app_public.credit_transactions (user_id, type, amount, description)
           select id, 'purchase', 250, 'Top-up' from unnest($1::uuid[]) id`,
          [[a.userId, b.userId]],
        );
        await client.query('select app_hidden.refresh_kpi_summary()');
      },
      { commit: true },
    ),
  );
  await withClient(db.pool, async (client) => {
    relations = await listRelations(client, ['app_public', 'app_hidden', 'app_private']);
    bIdentifiers = new Set([b.userId, 'tenant2@example.com']);
    for (const relation of relations) {
      const { rows: uuidColumns } = await client.query<{ column: string }>(
        `select a.attname::text as column from pg_attribute a
          where a.attrelid = $1::regclass and a.atttypid = 'uuid'::regtype and a.attnum > 0 and not a.attisdropped`,
        [relation.name],
      );
      const key = tenantKey(relation);
      if (!key || relation.kind !== 'r') continue;
      for (const { column } of uuidColumns) {
        if (column === 'user_id') continue;
        const { rows } = await client.query<{ value: string }>(
          `select distinct "${column}"::text as value from ${relation.name} where "${key}" = $1 and "${column}" is not null`,
          [b.userId],
        );
        for (const { value } of rows) bIdentifiers.add(value);
      }
    }
  });
});

afterAll(async () => {
  await db?.drop();
});

describe('tenant A (its owner, app_owner, with its own claims)', () => {
  it('sees exactly its own rows in every table and view it can select, and nothing of tenant B', async () => {
    const problems: string[] = [];
    const owner = new Map<string, { mine: number; theirs: number }>();
    const visible = await withClient(db.pool, (client) => listRelations(client, ['app_public', 'app_hidden'], 'app_user'));
    await withClient(db.pool, async (client) => {
      for (const relation of visible) {
        const key = tenantKey(relation);
        if (!key) continue;
        const { rows } = await client.query<{ mine: number; theirs: number }>(
          `select count(*) filter (where "${key}" = $1)::int as mine, count(*) filter (where "${key}" = $2)::int as theirs
             from ${relation.name}`,
          [a.userId, b.userId],
        );
        const counts = rows[0] ?? { mine: 0, theirs: 0 };
        owner.set(relation.name, counts);
        // Without rows of both tenants the check below would pass vacuously: extend tests/helpers/tenants.ts.
        if (counts.mine === 0 || counts.theirs === 0) problems.push(`${relation.name}: the fixture has no rows of A or B`);
      }
    });

    await asA(async (client) => {
      for (const relation of visible) {
        const outcome = await attempt(client, selectAll(relation));
        if (!outcome.ok) {
          problems.push(`${relation.name}: ${describeOutcome(outcome)}`);
          continue;
        }
        const leaking = outcome.rows.map(bValuesIn).filter((leaked) => leaked.length > 0);
        if (leaking.length) problems.push(`${relation.name}: ${leaking.length} rows show B's ids, e.g. ${leaking[0]?.join(', ')}`);
        const key = tenantKey(relation);
        if (!key) continue;
        const foreign = outcome.rows.filter((row) => row[key] !== a.userId).length;
        if (foreign) problems.push(`${relation.name}: ${foreign} rows of other tenants`);
        const expected = owner.get(relation.name)?.mine;
        if (outcome.rows.length !== expected) problems.push(`${relation.name}: A sees ${outcome.rows.length} of its ${expected} rows`);
      }
    });

    const names = visible.map((relation) => relation.name);
    expect(names).toEqual(
      expect.arrayContaining(['app_public.calls', 'app_public.kpi_summaries', 'app_hidden.rollup_deltas', 'app_hidden.credit_charges']),
    );
    expect(problems).toEqual([]);
  });

  it('gets only its own figures from the KPI views', async () => {
    const totalA = a.callCount;
    expect(totalA).not.toBe(b.callCount);
    await asA(async (client) => {
      const sum = async (sql: string): Promise<number> => {
        const { rows } = await client.query<{ n: number | null }>(sql);
        return Number(rows[0]?.n);
      };
      expect(await sum('select sum(calls)::int as n from app_public.tenant_daily_stats')).toBe(totalA);
      expect(await sum('select sum(calls)::int as n from app_public.tenant_hourly_stats')).toBe(totalA);
      expect(await sum('select sum(calls)::int as n from app_public.agent_daily_stats')).toBe(totalA);
      expect(await sum(`select sum(calls)::int as n from app_public.period_analytics where period_type = 'month'`)).toBe(totalA);
      expect(await sum('select sum(calls)::int as n from app_public.call_source_analytics')).toBe(totalA);
      expect(await sum('select sum(calls_lifetime)::int as n from app_public.agent_performance')).toBe(totalA);
      expect(await sum('select count(*)::int as n from app_public.agent_performance')).toBe(a.agentIds.length);
      expect(await sum(`select count(*)::int as n from app_public.agent_trends`)).toBe(2 * a.agentIds.length);
      expect(await sum('select count(*)::int as n from app_public.agent_target_progress')).toBe(a.targetIds.length);

      const { rows } = await client.query<{ user_id: string; calls_lifetime: string; total_agents: string }>(
        'select user_id, calls_lifetime, total_agents from app_public.kpi_summaries',
      );
      expect(rows).toEqual([{ user_id: a.userId, calls_lifetime: String(totalA), total_agents: String(a.agentIds.length) }]);
    });
  });

  it('updates and deletes no row of tenant B, through any column it may update (from the catalog)', async () => {
    const { rows: targets } = await db.pool.query<{ name: string; key: string; columns: string[]; can_delete: boolean }>(
      `select format('%I.%I', n.nspname, c.relname) as name,
              case when c.oid = 'app_public.users'::regclass then 'id' else 'user_id' end as key,
              array(select a.attname::text from pg_attribute a
                     where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                       and has_column_privilege('app_user', c.oid, a.attnum, 'update') order by a.attnum) as columns,
              has_table_privilege('app_user', c.oid, 'delete') as can_delete
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('app_public', 'app_hidden') and c.relkind in ('r', 'p')
          and (has_any_column_privilege('app_user', c.oid, 'update') or has_table_privilege('app_user', c.oid, 'delete'))
        order by 1`,
    );
    expect(targets.length).toBeGreaterThan(5);
    const problems: string[] = [];
    await asA(async (client) => {
      for (const target of targets) {
        for (const column of target.columns) {
          const outcome = await attempt(client, `update ${target.name} set "${column}" = "${column}" where "${target.key}" = $1`, [b.userId]);
          if (!outcome.ok || outcome.rowCount !== 0) problems.push(`update ${target.name}.${column}: ${describeOutcome(outcome)}`);
        }
        if (target.can_delete) {
          const outcome = await attempt(client, `delete from ${target.name} where "${target.key}" = $1`, [b.userId]);
          if (!outcome.ok || outcome.rowCount !== 0) problems.push(`delete from ${target.name}: ${describeOutcome(outcome)}`);
        }
      }
    });
    expect(problems).toEqual([]);
  });

  it("changes none of B's agents, contacts, follow-ups, customers, targets or analyses", async () => {
    const writes: Case[] = [
      ['update agents', `update app_public.agents set name = 'mine' where id = any ($1)`, [b.agentIds]],
      ['delete agents', `delete from app_public.agents where id = any ($1)`, [b.agentIds]],
      ['update contacts', `update app_public.contacts set notes = 'mine' where id = any ($1)`, [b.contactIds]],
      ['delete contacts', `delete from app_public.contacts where id = any ($1)`, [b.contactIds]],
      ['update follow_ups', `update app_public.follow_ups set remark = 'mine' where id = any ($1)`, [b.followUpIds]],
      ['delete follow_ups', `delete from app_public.follow_ups where id = any ($1)`, [b.followUpIds]],
      ['update customers', `update app_public.customers set notes = 'mine' where id = any ($1)`, [b.customerIds]],
      ['delete customers', `delete from app_public.customers where id = any ($1)`, [b.customerIds]],
      ['update agent_targets', `update app_public.agent_targets set target_calls = 1 where id = any ($1)`, [b.targetIds]],
      ['delete agent_targets', `delete from app_public.agent_targets where id = any ($1)`, [b.targetIds]],
      ['update phone_numbers', `update app_public.phone_numbers set is_active = false where id = any ($1)`, [b.phoneNumberIds]],
      ['mark analyses read', `update app_public.lead_analytics set is_read = true where user_id = $1`, [b.userId]],
      ['update analysis_topics', `update app_public.analysis_topics set label = 'mine' where user_id = $1`, [b.userId]],
      ['delete analysis_topics', `delete from app_public.analysis_topics where user_id = $1`, [b.userId]],
      ['update success_criteria', `update app_public.success_criteria set name = 'mine' where user_id = $1`, [b.userId]],
      ['delete success_criteria', `delete from app_public.success_criteria where user_id = $1`, [b.userId]],
      ['rename tenant B', `update app_public.users set name = 'mine' where id = $1`, [b.userId]],
    ];
    const snapshot = `select (select count(*) from app_public.agents where user_id = $1 and name like 'Agent %')
                          + (select count(*) from app_public.contacts where user_id = $1 and notes is null)
                          + (select count(*) from app_public.follow_ups where user_id = $1 and remark is distinct from 'mine')
                          + (select count(*) from app_public.customers where user_id = $1 and notes is null)
                          + (select count(*) from app_public.agent_targets where user_id = $1 and target_calls = 100)
                          + (select count(*) from app_public.phone_numbers where user_id = $1 and is_active)
                          + (select count(*) from app_public.lead_analytics where user_id = $1 and not is_read)
                          + (select count(*) from app_public.analysis_topics where user_id = $1 and label <> 'mine')
                          + (select count(*) from app_public.success_criteria where user_id = $1 and name <> 'mine')
                          + (select count(*) from app_public.call_criterion_results where user_id = $1)
                          + (select count(*) from app_public.users where id = $1 and name = 'Tenant B') as untouched`;
    const before = (await db.pool.query<{ untouched: string }>(snapshot, [b.userId])).rows[0]?.untouched;
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, a.userId);
        const results = await attemptAll(client, writes);
        expect(notNoOps(results)).toEqual([]);
        await client.query('reset role');
        const after = (await client.query<{ untouched: string }>(snapshot, [b.userId])).rows[0]?.untouched;
        expect(after).toBe(before);
      }),
    );
  });

  it('cannot insert rows that belong to tenant B (row-level security)', async () => {
    const inserts: Case[] = [
      ['agents', `insert into app_public.agents (user_id, provider_agent_id, name) values ($1, 'stolen-agent', 'x')`, [b.userId]],
      ['phone_numbers', `insert into app_public.phone_numbers (user_id, phone_number) values ($1, '+15559990001')`, [b.userId]],
      ['contacts', `insert into app_public.contacts (user_id, phone_number) values ($1, '+15559990002')`, [b.userId]],
      ['follow_ups', `insert into app_public.follow_ups (user_id, lead_phone, follow_up_date) values ($1, '+15559990003', current_date)`, [b.userId]],
      ['customers', `insert into app_public.customers (user_id, name) values ($1, 'x')`, [b.userId]],
      [
        'agent_targets',
        `insert into app_public.agent_targets (user_id, agent_id, period_type, period_start) values ($1, $2, 'day', current_date)`,
        [b.userId, b.agentIds[0]],
      ],
      ['usage_alert_thresholds', `insert into app_public.usage_alert_thresholds (user_id, threshold_percent) values ($1, 33)`, [b.userId]],
      ['analysis_topics', `insert into app_public.analysis_topics (user_id, key, label) values ($1, 'stolen', 'x')`, [b.userId]],
      ['success_criteria', `insert into app_public.success_criteria (user_id, name, question) values ($1, 'stolen', 'x?')`, [b.userId]],
    ];
    // Every table app_user may insert into has a case above (a new one needs a conscious addition).
    const { rows } = await db.pool.query<{ name: string }>(
      `select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('app_public', 'app_hidden') and c.relkind in ('r', 'p')
          and has_any_column_privilege('app_user', c.oid, 'insert') order by 1`,
    );
    expect(rows.map((row) => row.name).sort()).toEqual(inserts.map(([table]) => table).sort());
    await asA(async (client) => {
      const results = await attemptAll(client, inserts);
      expect(notDenied(results)).toEqual([]);
    });
  });

  it("cannot point its own rows at B's agents or contacts (composite foreign keys)", async () => {
    const [bContact] = b.contactIds;
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        // An agent of B without a phone number, so only the foreign key can refuse the assignment.
        const { rows } = await client.query<{ id: string }>(
          `insert into app_public.agents (user_id, provider_agent_id, name) values ($1, 't2-agent-spare', 'Spare') returning id`,
          [b.userId],
        );
        const bAgent = rows[0]?.id;
        await asTenant(client, a.userId);
        const attempts = await attemptAll(client, [
          [
            'phone number on B agent',
            `insert into app_public.phone_numbers (user_id, agent_id, phone_number) values ($1, $2, '+15559990011')`,
            [a.userId, bAgent],
          ],
          ['move A phone number to B agent', `update app_public.phone_numbers set agent_id = $1 where id = $2`, [bAgent, a.phoneNumberIds[0]]],
          [
            'target for B agent',
            `insert into app_public.agent_targets (user_id, agent_id, period_type, period_start) values ($1, $2, 'day', current_date)`,
            [a.userId, bAgent],
          ],
          [
            'follow-up on B contact',
            `insert into app_public.follow_ups (user_id, contact_id, lead_phone, follow_up_date) values ($1, $2, '+15559990012', current_date)`,
            [a.userId, bContact],
          ],
          ['customer from B contact', `insert into app_public.customers (user_id, contact_id, name) values ($1, $2, 'x')`, [a.userId, bContact]],
        ]);
        const unexpected = attempts.filter(([, o]) => o.ok || o.code !== FOREIGN_KEY_VIOLATION);
        expect(unexpected.map(([what, o]) => `${what}: ${describeOutcome(o)}`)).toEqual([]);
      }),
    );
  });

  it("cannot point its own follow-up's completed_by at tenant B's user", async () => {
    // follow_ups.completed_by references app_public.users with a single-column key and is in
    // app_user's update grant: a cross-tenant reference (and a probe for whether a user id exists).
    await asA(async (client) => {
      const outcome = await attempt(
        client,
        `update app_public.follow_ups set status = 'completed', completed_at = now(), completed_by = $1 where id = $2`,
        [b.userId, a.followUpIds[0]],
      );
      expect(describeOutcome(outcome)).toMatch(/^failed/);
    });
  });

  it('cannot change its credits, role or email, its calls, ledger, analyses or rollups', async () => {
    const [call] = a.callIds;
    await asA(async (client) => {
      const results = await attemptAll(client, [
        ['credits', `update app_public.users set credits = 1000000 where id = $1`, [a.userId]],
        ['role', `update app_public.users set role = 'super_admin' where id = $1`, [a.userId]],
        ['email', `update app_public.users set email = 'new@example.com' where id = $1`, [a.userId]],
        ['call duration', `update app_public.calls set duration_seconds = 0 where id = $1`, [call]],
        ['call status', `update app_public.calls set status = 'failed'`],
        ['delete call', `delete from app_public.calls where id = $1`, [call]],
        [
          'insert call',
          `insert into app_public.calls (user_id, agent_id, provider, provider_call_id) values ($1, $2, 'bolna', 'x')`,
          [a.userId, a.agentIds[0]],
        ],
        ['mint credits', `insert into app_public.credit_transactions (user_id, type, amount) values ($1, 'purchase', 1000000)`, [a.userId]],
        ['edit ledger', `update app_public.credit_transactions set amount = 1000000`],
        [
          'insert analysis',
          `insert into app_public.lead_analytics (user_id, analysis_type, call_id, total_score) values ($1, 'individual', $2, 100)`,
          [a.userId, call],
        ],
        ['edit score', `update app_public.lead_analytics set total_score = 100`],
        ['edit transcript', `update app_public.transcripts set content = ''`],
        ['edit rollup', `update app_public.user_analytics set calls = 0`],
        ['insert delta', `insert into app_hidden.rollup_deltas (user_id, day) values ($1, current_date)`, [a.userId]],
        [
          'insert charge',
          `insert into app_hidden.credit_charges (user_id, call_id, amount, description) values ($1, $2, 1000000, 'x')`,
          [a.userId, call],
        ],
        ['edit charge', `update app_hidden.credit_charges set amount = 1000000`],
        ['delete charge', `delete from app_hidden.credit_charges`],
      ]);
      expect(notDenied(results)).toEqual([]);
    });
  });

  it('cannot execute maintenance functions (from the catalog: every function not granted to app_owner, its role)', async () => {
    const named: Case[] = [
      ['verify_rollups', 'select * from app_hidden.verify_rollups($1)', [b.userId]],
      ['rebuild_rollups', 'select app_hidden.rebuild_rollups($1)', [b.userId]],
      ['compact_rollups', 'select app_hidden.compact_rollups()', []],
      ['purge_calls', `select app_hidden.purge_calls($1, now())`, [b.userId]],
      ['refresh_kpi_summary', 'select app_hidden.refresh_kpi_summary()', []],
    ];
    // A is its business's owner (asTenant): owner-only functions are its to run; what managers and
    // viewers may not run is tested in team-roles.test.ts.
    const functions = await functionsDeniedTo('app_owner');
    const names = functions.map((fn) => fn.name);
    for (const [name] of named) expect(names.some((fn) => fn.startsWith(`app_hidden.${name}(`))).toBe(true);
    await asA(async (client) => {
      const results = await attemptAll(client, [...named, ...functions.map((fn): Case => [fn.name, fn.call])]);
      expect(notDenied(results)).toEqual([]);
    });
  });

  it('cannot read app_private or the KPI materialized view and purged history directly', async () => {
    const hiddenFromTenants = relations.filter(
      (relation) =>
        relation.name.startsWith('app_private.') ||
        relation.name === 'app_hidden.user_kpi_summary' ||
        relation.name === 'app_hidden.purged_rollups',
    );
    expect(hiddenFromTenants.length).toBeGreaterThan(5);
    await asA(async (client) => {
      const results = await attemptAll(client, hiddenFromTenants.map((relation): Case => [relation.name, `select * from ${relation.name}`]));
      expect(notDenied(results)).toEqual([]);
    });
  });

  it("counts none of B's pending ledger rows in users_available_credits, even when handed B's row", async () => {
    // Pending for each tenant, as the owner sees it: unposted ledger rows and call charges not yet moved.
    const pendingOf = async (userId: string): Promise<{ unposted: number; charges: number; pending: number; credits: number }> => {
      const { rows } = await db.pool.query<{ unposted: number; charges: number; pending: number; credits: number }>(
        `select (select count(*)::int from app_public.credit_transactions where user_id = $1 and posted_at is null) as unposted,
                (select count(*)::int from app_hidden.credit_charges where user_id = $1) as charges,
                (select coalesce(sum(amount), 0)::int from app_public.credit_transactions where user_id = $1 and posted_at is null)
                  + (select coalesce(sum(amount), 0)::int from app_hidden.credit_charges where user_id = $1) as pending,
                (select credits from app_public.users where id = $1) as credits`,
        [userId],
      );
      const [row] = rows;
      if (!row) throw new Error('tenant missing');
      return row;
    };
    const mine = await pendingOf(a.userId);
    const theirs = await pendingOf(b.userId);
    for (const counts of [mine, theirs]) {
      expect(counts.unposted).toBeGreaterThan(0);
      expect(counts.charges).toBeGreaterThan(0);
    }
    expect(theirs.pending).not.toBe(0);
    expect(mine.pending).not.toBe(theirs.pending);
    await asA(async (client) => {
      const available = async (userId: string): Promise<number | undefined> => {
        const { rows } = await client.query<{ credits: number }>(
          `select app_public.users_available_credits(
                    jsonb_populate_record(null::app_public.users, jsonb_build_object('id', $1::uuid, 'credits', 0))) as credits`,
          [userId],
        );
        return rows[0]?.credits;
      };
      // B's row handed in: none of B's unposted rows or charges count.
      expect(await available(b.userId)).toBe(0);
      // A's own pending rows and charges do count (the function is not simply blind).
      expect(await available(a.userId)).toBe(mine.pending);
      const { rows } = await client.query<{ available: number }>(
        'select app_public.users_available_credits(u) as available from app_public.users u',
      );
      expect(rows).toEqual([{ available: mine.credits + mine.pending }]);
    });
  });
});

describe('anonymous (app_anonymous)', () => {
  it('gets zero rows or permission denied from every relation of the app schemas', async () => {
    const problems: string[] = [];
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asAnonymous(client);
        for (const relation of relations) {
          const outcome = await attempt(client, `select * from ${relation.name}`);
          if (outcome.ok && outcome.rowCount > 0) problems.push(`${relation.name}: ${outcome.rowCount} rows`);
          if (!outcome.ok && outcome.code !== PERMISSION_DENIED) problems.push(`${relation.name}: ${describeOutcome(outcome)}`);
        }
      }),
    );
    expect(problems).toEqual([]);
  });

  it('may execute no function it was not granted (from the catalog)', async () => {
    const functions = await functionsDeniedTo('app_anonymous');
    expect(functions.map((fn) => fn.name)).toContain('app_public.users_available_credits(app_public.users)');
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asAnonymous(client);
        const results = await attemptAll(client, functions.map((fn): Case => [fn.name, fn.call]));
        expect(notDenied(results)).toEqual([]);
      }),
    );
  });

  it('holds no write privilege and every write is refused', async () => {
    const { rows: writable } = await db.pool.query<{ name: string }>(
      `select format('%I.%I', n.nspname, c.relname) as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('app_public', 'app_hidden', 'app_private') and c.relkind in ('r', 'p', 'v', 'm')
          and (has_any_column_privilege('app_anonymous', c.oid, 'insert') or has_any_column_privilege('app_anonymous', c.oid, 'update')
               or has_table_privilege('app_anonymous', c.oid, 'delete') or has_table_privilege('app_anonymous', c.oid, 'truncate'))`,
    );
    expect(writable).toEqual([]);
    const tables = relations.filter((relation) => relation.kind === 'r');
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asAnonymous(client);
        const results = await attemptAll(
          client,
          tables.flatMap((table): Case[] => {
            const first = `"${table.columns[0]}"`;
            return [
              [`insert into ${table.name}`, `insert into ${table.name} default values`],
              // `= default`: also valid for a generated-always identity column (app_hidden.audit_log.id), whose
              // `set id = id` fails in the rewriter (428C9) before the privilege check this test is about.
              [`update ${table.name}`, `update ${table.name} set ${first} = default`],
              [`delete from ${table.name}`, `delete from ${table.name}`],
            ];
          }),
        );
        expect(notDenied(results)).toEqual([]);
      }),
    );
  });
});

describe('platform admin (app_admin with an admin tenant claims)', () => {
  it("sees every tenant's KPI summary and user, while a plain tenant sees only its own summary", async () => {
    const everyone = [a.userId, b.userId, operator.userId].sort();
    await asRole('app_admin', operator.userId, async (client) => {
      const summaries = await client.query<{ user_id: string }>('select user_id from app_public.kpi_summaries order by user_id');
      expect(summaries.rows.map((row) => row.user_id)).toEqual(everyone);
      const users = await client.query<{ id: string }>('select id from app_public.users order by id');
      expect(users.rows.map((row) => row.id)).toEqual(everyone);
    });
    await asRole('app_user', operator.userId, async (client) => {
      const summaries = await client.query<{ user_id: string }>('select user_id from app_public.kpi_summaries');
      expect(summaries.rows).toEqual([{ user_id: operator.userId }]);
    });
  });
});

describe('app_authenticator without switching role', () => {
  it('reads nothing (the GraphQL pool must set a role first)', async () => {
    const problems: string[] = [];
    await asRole('app_authenticator', a.userId, async (client) => {
      for (const relation of relations) {
        const outcome = await attempt(client, `select * from ${relation.name}`);
        if (outcome.ok && outcome.rowCount > 0) problems.push(`${relation.name}: ${outcome.rowCount} rows`);
        if (!outcome.ok && outcome.code !== PERMISSION_DENIED) problems.push(`${relation.name}: ${describeOutcome(outcome)}`);
      }
    });
    expect(problems).toEqual([]);
  });
});
