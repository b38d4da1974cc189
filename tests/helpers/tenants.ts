/**
 * Tenants with a little of everything (agents, phone numbers, contacts, calls,
 * transcripts, analyses, ledger rows, follow-ups, customers, targets), written
 * as the owner through the real triggers. Used by the isolation and worker tests.
 *
 *   const a = await seedTenant(client, { tag: 1, name: 'Tenant A' });
 *   await addCalls(client, a, 5);          // more calls (pending rollup deltas)
 */
import type pg from 'pg';
import { createTenant } from './fixtures.ts';

export interface TenantSpec {
  /** 1-9: makes emails, provider ids and phone numbers unique per tenant. */
  tag: number;
  name: string;
  timezone?: string;
  /** `users.role`; platform admins act through the `app_admin` database role. */
  role?: 'user' | 'admin';
  /** Calls inserted by `seedTenant` (default 6). */
  calls?: number;
}

export interface Tenant {
  tag: number;
  userId: string;
  agentIds: string[];
  phoneNumberIds: string[];
  contactIds: string[];
  callIds: string[];
  followUpIds: string[];
  customerIds: string[];
  targetIds: string[];
  /** Calls inserted so far (numbers the next ones). */
  callCount: number;
}

/** Cycled through by `addCalls`: every outcome, both directions and all sources occur. */
const CALL_SHAPES = [
  { status: 'completed', duration: 95, voicemail: false, direction: 'outbound', source: 'phone' },
  { status: 'completed', duration: 30, voicemail: true, direction: 'outbound', source: 'phone' },
  { status: 'busy', duration: 0, voicemail: false, direction: 'outbound', source: 'phone' },
  { status: 'completed', duration: 240, voicemail: false, direction: 'inbound', source: 'internet' },
  { status: 'no_answer', duration: 0, voicemail: false, direction: 'outbound', source: 'unknown' },
  { status: 'failed', duration: 0, voicemail: false, direction: 'outbound', source: 'phone' },
] as const;

function phone(tag: number, n: number): string {
  return `+1555${tag}${String(n).padStart(6, '0')}`;
}

async function ids(client: pg.ClientBase, sql: string, params: unknown[]): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(sql, params);
  return rows.map((row) => row.id);
}

/** A tenant and its data; run as the owner (triggers fill contacts, ledger and rollup deltas). */
export async function seedTenant(client: pg.ClientBase, spec: TenantSpec): Promise<Tenant> {
  const { tag } = spec;
  const { id: userId } = await createTenant(client, {
    email: `tenant${tag}@example.com`,
    name: spec.name,
    role: spec.role ?? 'user',
    timezone: spec.timezone ?? 'UTC',
    credits: 15,
  });
  const agentIds = await ids(
    client,
    `insert into app_public.agents (user_id, provider, provider_agent_id, name)
     select $1, 'bolna', format('t%s-agent-%s', $2::int, i), format('Agent %s', i) from generate_series(1, 2) i
     returning id`,
    [userId, tag],
  );
  const phoneNumberIds = await ids(
    client,
    `insert into app_public.phone_numbers (user_id, agent_id, phone_number, name)
     select $1, a.id, $3 || lpad(a.n::text, 6, '0'), 'Line'
       from unnest($2::uuid[]) with ordinality a(id, n)
     returning id`,
    [userId, agentIds, `+1666${tag}`],
  );
  // Explicit contacts for the first numbers the calls use; the rest are created from calls.
  const contactIds = await ids(
    client,
    `insert into app_public.contacts (user_id, phone_number, name, email)
     select $1, $2 || lpad(i::text, 6, '0'), format('Contact %s', i), format('c%s@tenant%s.example', i, $3::int)
       from generate_series(0, 1) i
     returning id`,
    [userId, `+1555${tag}`, tag],
  );
  const tenant: Tenant = {
    tag,
    userId,
    agentIds,
    phoneNumberIds,
    contactIds,
    callIds: [],
    followUpIds: [],
    customerIds: [],
    targetIds: [],
    callCount: 0,
  };
  await addCalls(client, tenant, spec.calls ?? 6);
  // A success criterion with an answer for every analysed call (the taxonomy comes with the tenant).
  await client.query(
    `with k as (insert into app_public.success_criteria (user_id, name, question) values ($1, 'Budget asked', 'Did the agent ask for the budget?')
                returning id)
     insert into app_public.call_criterion_results (call_id, criterion_id, user_id, passed, evidence)
     select a.call_id, k.id, $1, a.total_score >= 60, 'fixture'
       from app_public.lead_analytics a, k where a.user_id = $1 and a.analysis_type = 'individual'`,
    [userId],
  );

  tenant.followUpIds = await ids(
    client,
    `insert into app_public.follow_ups (user_id, contact_id, lead_phone, lead_name, follow_up_date, remark)
     values ($1, $2, $3, 'Lead one', current_date + 1, 'call back'),
            ($1, null, $4, 'Lead two', current_date + 2, null)
     returning id`,
    [userId, contactIds[0], phone(tag, 0), phone(tag, 1)],
  );
  tenant.customerIds = await ids(
    client,
    `insert into app_public.customers (user_id, contact_id, name, phone) values ($1, $2, 'Customer', $3) returning id`,
    [userId, contactIds[0], phone(tag, 0)],
  );
  // An appointment made through the API (no caller number, so caller erasures leave it alone).
  await client.query(
    `insert into app_public.appointments (user_id, agent_id, scheduled_at, source, status_source, contact_name)
     values ($1, $2, now() + interval '2 days', 'api', 'api', 'Walk-in')`,
    [userId, agentIds[0]],
  );
  // A finished re-scoring run (runs are written by functions; the fixture writes one as the owner).
  await client.query(
    `insert into app_public.rescoring_runs (user_id, from_date, to_date, status, estimated_input_tokens, estimated_output_tokens,
                                            estimated_cost_cents, finished_at)
     values ($1, current_date - 7, current_date, 'cancelled', 0, 0, 0, now())`,
    [userId],
  );
  tenant.targetIds = await ids(
    client,
    `insert into app_public.agent_targets (user_id, agent_id, period_type, period_start, target_calls, target_leads)
     select $1, a, 'month', date_trunc('month', app_hidden.tenant_today($2))::date, 100, 10 from unnest($3::uuid[]) a
     returning id`,
    [userId, spec.timezone ?? 'UTC', agentIds],
  );
  await client.query(
    `insert into app_public.usage_alerts (user_id, period_start, threshold_percent, balance, reference_balance)
     values ($1, date_trunc('month', now())::date, 20, 10, 100)`,
    [userId],
  );
  await client.query(`insert into app_public.usage_alert_thresholds (user_id, threshold_percent) values ($1, 25)`, [userId]);
  await client.query(
    `insert into app_public.privacy_requests (user_id, kind, status, progress, finished_at) values ($1, 'erase_contact', 'completed', 1, now())`,
    [userId],
  );
  // (an API key row without a usable secret: enough for the isolation checks)
  await client.query(
    `insert into app_public.api_keys (user_id, name, key_prefix, scopes) values ($1, 'Fixture key', $2, '{read}')`,
    [userId, `f1f7${String(tag).padStart(4, '0')}`],
  );
  await client.query(
    `insert into app_public.credit_transactions (user_id, type, amount, description) values ($1, 'purchase', 500, 'Top-up')`,
    [userId],
  );
  return tenant;
}

/**
 * `n` more calls over the last days (cycling through CALL_SHAPES and the tenant's
 * agents), a transcript for each completed one, an individual analysis for every
 * other call, and a complete analysis per phone number.
 */
export async function addCalls(client: pg.ClientBase, tenant: Tenant, n: number): Promise<string[]> {
  const first = tenant.callCount;
  const shapes = Array.from({ length: n }, (_, i) => CALL_SHAPES[(first + i) % CALL_SHAPES.length]!);
  const callIds = await ids(
    client,
    `insert into app_public.calls (user_id, agent_id, provider, provider_call_id, phone_number, direction, call_source,
                                   status, answered_by_voicemail, duration_seconds, started_at)
     select $1, ($2::uuid[])[1 + (k % cardinality($2::uuid[]))], 'bolna', format('t%s-call-%s', $3::int, k),
            $4 || lpad((k % 4)::text, 6, '0'), s.v ->> 'direction', s.v ->> 'source', s.v ->> 'status',
            (s.v ->> 'voicemail')::boolean, (s.v ->> 'duration')::integer,
            now() - make_interval(hours => 5 * (k - $5::int))
       from jsonb_array_elements($6::jsonb) with ordinality s(v, ord)
      cross join lateral (select $5::int + s.ord::int - 1 as k) x
      order by k
     returning id`,
    [tenant.userId, tenant.agentIds, tenant.tag, `+1555${tenant.tag}`, first, JSON.stringify(shapes)],
  );
  await client.query(
    `insert into app_public.transcripts (user_id, call_id, content)
     select c.user_id, c.id, 'Agent: hello. Caller: hi.' from app_public.calls c
      where c.id = any ($1::uuid[]) and c.status = 'completed'`,
    [callIds],
  );
  await client.query(
    `insert into app_public.lead_analytics (user_id, analysis_type, call_id, total_score, intent_score, lead_status_tag,
                                            cta_demo_clicked, smart_notification, sentiment_label, sentiment_score, topics,
                                            objections, conversation_outcome, csat_score)
     select c.user_id, 'individual', c.id, 40 + 15 * (k % 4), 50, (array['hot', 'warm', 'cold'])[1 + k % 3],
            k % 3 = 0, 'Follow up with this lead', (array['positive', 'neutral', 'negative'])[1 + k % 3], 30 - 20 * (k % 3),
            array['pricing'], case when k % 3 = 2 then array['price'] else '{}' end,
            (array['interested', 'converted', 'not_interested'])[1 + k % 3], 60
       from unnest($1::uuid[]) with ordinality x(id, k)
       join app_public.calls c on c.id = x.id
      where k % 2 = 1`,
    [callIds],
  );
  await client.query(
    `insert into app_public.lead_analytics (user_id, analysis_type, phone_number, latest_call_id, calls_analyzed, total_score)
     select distinct on (c.phone_number) c.user_id, 'complete', c.phone_number, c.id, 1, 70
       from app_public.calls c where c.id = any ($1::uuid[])
      order by c.phone_number, c.started_at desc
     on conflict (user_id, phone_number) where analysis_type = 'complete'
     do update set latest_call_id = excluded.latest_call_id, calls_analyzed = app_public.lead_analytics.calls_analyzed + 1`,
    [callIds],
  );
  tenant.callIds.push(...callIds);
  tenant.callCount += n;
  return callIds;
}

/**
 * What the worker's maintenance jobs do, to completion, as the owner
 * (`app_hidden.settle()`): links skipped calls and applies pending contact
 * counters, folds pending deltas into the rollups, posts the ledger and
 * refreshes the KPI materialized view.
 */
export async function compactPostAndRefresh(client: pg.ClientBase): Promise<void> {
  await client.query('select app_hidden.settle()');
}
