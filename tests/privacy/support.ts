/**
 * Shared by the privacy tests: a business with calls to several callers,
 * transcripts, analyses (individual and complete), follow-ups, a customer,
 * a posted credit ledger, a retention override and retention-purged history;
 * and readers of what the business's KPIs and ledger look like.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { createAgent, createAnalysis, createCalls, createTenant, type CallInput, type Queryable } from '../helpers/fixtures.ts';

const DAY = 86_400_000;

export interface Business {
  userId: string;
  email: string;
  agentIds: string[];
  /** The caller the tests erase, and the others. */
  erased: string;
  kept: string[];
}

export async function createBusiness(pool: pg.Pool, options: { timezone?: string; seed?: number } = {}): Promise<Business> {
  const seed = options.seed ?? 1;
  const tenant = await createTenant(pool, { timezone: options.timezone ?? 'America/New_York', credits: 500 });
  const agents = [await createAgent(pool, tenant.id, { name: 'Alpha' }), await createAgent(pool, tenant.id, { name: 'Beta' })];
  const phones = [0, 1, 2, 3].map((i) => `+4420${seed}${String(1000000 + i * 7919).slice(-7)}`);
  const statuses: Array<CallInput['status']> = ['completed', 'completed', 'no_answer', 'busy', 'failed', 'completed'];
  const inputs: CallInput[] = [];
  for (let i = 0; i < 60; i += 1) {
    const status = statuses[i % statuses.length];
    inputs.push({
      userId: tenant.id,
      agentId: agents[i % 2]!.id,
      status,
      durationSeconds: status === 'completed' ? 20 + ((i * 37) % 300) : 0,
      phoneNumber: phones[i % phones.length],
      direction: i % 3 === 0 ? 'inbound' : 'outbound',
      startedAt: new Date(Date.now() - ((i * 7) % 25) * DAY - (i % 11) * 3_600_000),
    });
  }
  // Old calls that retention will purge (their KPIs stay, in purged_rollups).
  for (let i = 0; i < 6; i += 1) {
    inputs.push({
      userId: tenant.id,
      agentId: agents[0]!.id,
      status: 'completed',
      durationSeconds: 90 + i,
      phoneNumber: phones[1],
      startedAt: new Date(Date.now() - (800 + i) * DAY),
    });
  }
  const calls = await createCalls(pool, inputs);
  await pool.query(
    `insert into app_public.transcripts (user_id, call_id, content, analysis_status)
     select $1, id, 'agent: hello\nuser: call me back', 'completed' from unnest($2::uuid[]) id`,
    [tenant.id, calls.filter((_, i) => i % 2 === 0).map((call) => call.id)],
  );
  for (const [i, call] of calls.entries()) {
    if (i % 3 !== 0) continue;
    await createAnalysis(pool, {
      userId: tenant.id,
      callId: call.id,
      totalScore: 40 + ((i * 13) % 60),
      leadStatusTag: i % 2 ? 'hot' : 'warm',
      ctaDemo: i % 4 === 0,
      intentScore: 50,
    });
  }
  await pool.query(
    `insert into app_public.lead_analytics (user_id, analysis_type, phone_number, total_score, smart_notification)
     select $1, 'complete', p, 75, 'Call back ' || p from unnest($2::text[]) p`,
    [tenant.id, phones],
  );
  const { rows: contacts } = await pool.query<{ id: string; phone_number: string }>(
    'select id, phone_number from app_public.contacts where user_id = $1',
    [tenant.id],
  );
  const contactOf = (phone: string): string | null => contacts.find((c) => c.phone_number === phone)?.id ?? null;
  await pool.query(
    `insert into app_public.follow_ups (user_id, contact_id, lead_phone, lead_name, follow_up_date, created_by)
     select $1, c, p, 'Lead ' || p, current_date + 3, $1 from unnest($2::text[], $3::uuid[]) x (p, c)`,
    [tenant.id, phones, phones.map(contactOf)],
  );
  await pool.query(
    `insert into app_public.customers (user_id, contact_id, name, phone) values ($1, $2, 'Erased Customer', $3), ($1, $4, 'Kept Customer', $5)`,
    [tenant.id, contactOf(phones[0]!), phones[0], contactOf(phones[2]!), phones[2]],
  );
  await pool.query(`insert into app_public.credit_transactions (user_id, type, amount, description) values ($1, 'purchase', 1000, 'Top-up')`, [
    tenant.id,
  ]);
  await pool.query('select app_hidden.post_credit_transactions()');
  await pool.query(`select app_hidden.purge_calls($1, now() - interval '730 days', 1000)`, [tenant.id]);
  await pool.query(`insert into app_private.tenant_retention (user_id, data_type, retain_days) values ($1, 'calls', 400)`, [tenant.id]);
  await pool.query(
    `insert into app_private.webhook_events (provider, event_key, user_id, payload, status)
     values ('bolna', 'evt-' || $1::text, $1::uuid, jsonb_build_object('user_number', $2::text), 'processed'),
            ('bolna', 'evt-kept-' || $1::text, $1::uuid, jsonb_build_object('user_number', $3::text), 'processed')`,
    [tenant.id, phones[0], phones[2]],
  );
  return { userId: tenant.id, email: tenant.email, agentIds: agents.map((a) => a.id), erased: phones[0]!, kept: phones.slice(1) };
}

/** Everything the business's KPIs are read from: the live daily views (rollups + pending changes), all days. */
export async function kpiSnapshot(db: Queryable, userId: string): Promise<unknown> {
  const { rows: daily } = await db.query('select * from app_public.tenant_daily_stats where user_id = $1 order by day', [userId]);
  const { rows: agents } = await db.query('select * from app_public.agent_daily_stats where user_id = $1 order by day, agent_id', [userId]);
  const { rows: hourly } = await db.query('select * from app_public.tenant_hourly_stats where user_id = $1 order by day, hour', [userId]);
  return { daily, agents, hourly };
}

/** kpi_summary over a range, as the tenant (the API's own function). */
export async function kpiSummary(pool: pg.Pool, userId: string, from: string, to: string): Promise<unknown> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('role', 'app_user', true), set_config('jwt.claims.user_id', $1, true)`, [userId]);
    const { rows } = await client.query('select to_jsonb(app_public.kpi_summary($1::date, $2::date)) as s', [from, to]);
    await client.query('rollback');
    return rows[0]?.s;
  } finally {
    client.release();
  }
}

export interface Ledger {
  credits: number;
  sum: number;
  rows: number;
  /** Every posted row's balance_after equals the running sum in posting order. */
  chainOk: boolean;
}

export async function ledger(db: Queryable, userId: string): Promise<Ledger> {
  const { rows } = await db.query<{ credits: number; sum: number; rows: number; chain_ok: boolean }>(
    `select u.credits,
            (select coalesce(sum(amount), 0)::integer from app_public.credit_transactions t where t.user_id = u.id) as sum,
            (select count(*)::integer from app_public.credit_transactions t where t.user_id = u.id) as rows,
            (select bool_and(balance_after = running)
               from (select balance_after, sum(amount) over (order by posted_at, created_at, id) as running
                       from app_public.credit_transactions t where t.user_id = u.id and posted_at is not null) x) as chain_ok
       from app_public.users u where u.id = $1`,
    [userId],
  );
  const row = rows[0];
  if (!row) throw new Error('no such tenant');
  return { credits: row.credits, sum: row.sum, rows: row.rows, chainOk: row.chain_ok };
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
