/**
 * A deterministic KPI dataset for the API tests, written as the owner through
 * the real triggers (contacts, credit charges, rollup deltas).
 *
 * Three tenants in different time zones (Asia/Kolkata, America/New_York, UTC)
 * with 3-4 agents each (one inactive with history, one without any call) and
 * ~400-650 calls over the 75 days before today: every status and outcome,
 * voicemail, zero-duration completed calls, exact-minute durations, both
 * directions, all call sources, calls minutes around tenant-local midnight
 * (and exactly at it), a few today. About half the calls have an individual
 * analysis (random tags including none, scores including nulls, CTA flags);
 * complete analyses exist too (they must not count). Agent targets for days,
 * ISO weeks and months. Plus a small admin tenant (`users.role = 'admin'`).
 *
 * Written in two phases: phase 1, then `compact_rollups()` (and the credit
 * posting), then phase 2 (new calls, late analyses, corrections that move
 * calls across days and agents, re-scored and deleted analyses, deleted calls),
 * so the KPI figures come partly from the rollup tables and partly from
 * pending deltas.
 *
 *   const data = await seedKpiDataset(db.pool);
 *   const [kolkata, newYork] = data.tenants;
 */
import type pg from 'pg';
import { createRandom, createTenant, type Random } from './fixtures.ts';

export interface KpiTenant {
  key: string;
  userId: string;
  email: string;
  name: string;
  timezone: string;
  role: 'user' | 'admin';
  /** In creation order; names start with distinct capital letters. */
  agents: Array<{ id: string; name: string; isActive: boolean }>;
}

export interface KpiDataset {
  /** Regular tenants, in the order of TENANT_SPECS. */
  tenants: KpiTenant[];
  /** A platform admin (`users.role = 'admin'`) with a few calls of its own. */
  admin: KpiTenant;
}

interface TenantSpec {
  key: string;
  name: string;
  timezone: string;
  role: 'user' | 'admin';
  agentNames: string[];
  /** Index of an agent made inactive after its calls (history kept), if any. */
  inactiveAgent?: number;
  /** Index of an agent that never gets a call, if any. */
  idleAgent?: number;
  calls: number;
}

export const TENANT_SPECS: readonly TenantSpec[] = [
  { key: 'kolkata', name: 'Kolkata Dialers', timezone: 'Asia/Kolkata', role: 'user', agentNames: ['Asha', 'Bharat', 'Chitra', 'Dev'], inactiveAgent: 2, idleAgent: 3, calls: 620 },
  { key: 'newyork', name: 'New York Outreach', timezone: 'America/New_York', role: 'user', agentNames: ['Avery', 'Blake', 'Casey'], calls: 520 },
  { key: 'utc', name: 'Greenwich Leads', timezone: 'UTC', role: 'user', agentNames: ['Alpha', 'Bravo', 'Charlie'], inactiveAgent: 1, calls: 420 },
];

const ADMIN_SPEC: TenantSpec = {
  key: 'admin', name: 'Platform Operator', timezone: 'Europe/Berlin', role: 'admin', agentNames: ['Operator'], calls: 90,
};

const STATUSES = [
  ['completed', 52], ['busy', 8], ['no_answer', 10], ['failed', 5], ['canceled', 4],
  ['queued', 3], ['in_progress', 4], ['ringing', 2], ['scheduled', 2], ['initiated', 2], ['disconnected', 2],
] as const;
type Status = (typeof STATUSES)[number][0];

const DAY_SECONDS = 86_400;
const HISTORY_DAYS = 75;
/** Tenant-local days (before today) around whose midnight calls are placed, and the minute offsets. */
const MIDNIGHT_DAYS = [1, 3, 17, 29, 30, 31, 45, 61];
const MIDNIGHT_MINUTES = [-7, -1, 0, 2, 9];

interface CallSpec {
  ref: string;
  agent_id: string;
  status: Status;
  duration_seconds: number;
  answered_by_voicemail: boolean;
  direction: 'inbound' | 'outbound';
  call_source: 'phone' | 'internet' | 'unknown';
  phone_number: string;
  /** Either seconds before now() ... */
  seconds_ago: number | null;
  /** ... or minutes from tenant-local midnight starting the day `local_day_offset` days before today. */
  local_day_offset: number | null;
  minute_offset: number | null;
}

interface AnalysisSpec {
  ref: string;
  total_score: number | null;
  intent_score: number | null;
  urgency_score: number | null;
  budget_score: number | null;
  fit_score: number | null;
  engagement_score: number | null;
  lead_status_tag: 'hot' | 'warm' | 'cold' | null;
  cta_pricing_clicked: boolean;
  cta_demo_clicked: boolean;
  cta_followup_clicked: boolean;
  cta_sample_clicked: boolean;
  cta_escalated_to_human: boolean;
  smart_notification: string | null;
  /** Conversation fields (issue 17), from their own PRNG so the stream above is unchanged. */
  sentiment_label: string | null;
  sentiment_score: number | null;
  call_quality_score: number | null;
  csat_score: number | null;
  human_transfer_requested: boolean | null;
  human_transfer_happened: boolean | null;
  conversation_outcome: string | null;
  topics: string[] | null;
  free_topics: string[] | null;
  objections: string[] | null;
}

const TOPIC_KEYS = ['pricing', 'scheduling', 'product_features', 'support', 'billing', 'competitor'];
const OBJECTION_KEYS = ['price', 'timing', 'authority', 'need', 'competitor', 'trust', 'other'];
const OUTCOMES = ['converted', 'interested', 'callback_requested', 'not_interested', 'wrong_person', 'no_outcome'];

function refSeed(ref: string): number {
  let h = 2166136261;
  for (const ch of ref) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** The conversation fields of an analysis: about 10 % analysed before them (all null). */
function conversation(ref: string) {
  const r = createRandom(refSeed(ref));
  const old = r.next() < 0.1;
  const some = (keys: readonly string[], p: number): string[] => keys.filter(() => r.next() < p);
  const nullable = <T,>(make: () => T): T | null => (old || r.next() < 0.1 ? null : make());
  return {
    sentiment_label: nullable(() => r.pick(['positive', 'neutral', 'negative', 'mixed'])),
    sentiment_score: nullable(() => r.between(-100, 100)),
    call_quality_score: nullable(() => r.between(0, 100)),
    csat_score: nullable(() => r.between(0, 100)),
    human_transfer_requested: old ? null : r.next() < 0.1,
    human_transfer_happened: old ? null : r.next() < 0.05,
    conversation_outcome: nullable(() => r.pick(OUTCOMES)),
    topics: old ? null : some(TOPIC_KEYS, 0.3),
    free_topics: old ? null : some(['Onboarding', 'onboarding', 'Data export', 'Holidays'], 0.15),
    objections: old ? null : some(OBJECTION_KEYS, 0.15),
  };
}

function weighted<T>(random: Random, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let u = random.next() * total;
  for (const [item, w] of items) {
    u -= w;
    if (u < 0) return item;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error('weighted: no items');
  return last[0];
}

function maybeNull<T>(random: Random, p: number, value: () => T): T | null {
  return random.next() < p ? null : value();
}

function duration(random: Random, status: Status, voicemail: boolean): number {
  if (status === 'completed') {
    if (voicemail) return random.between(5, 45);
    const r = random.next();
    if (r < 0.1) return 0; // completed without conversation: unanswered
    if (r < 0.2) return 60 * random.between(1, 5); // exact minutes: billed without rounding up
    return random.between(1, 900);
  }
  if (status === 'failed' || status === 'in_progress' || status === 'disconnected') {
    return random.next() < 0.4 ? random.between(1, 120) : 0;
  }
  return 0;
}

function makeCall(random: Random, spec: TenantSpec, agents: string[], ref: string, when: Pick<CallSpec, 'seconds_ago' | 'local_day_offset' | 'minute_offset'>): CallSpec {
  const callers = agents.filter((_, i) => i !== spec.idleAgent);
  const status = weighted(random, STATUSES);
  const voicemail = status === 'completed' && random.next() < 0.12;
  return {
    ref,
    agent_id: random.pick(callers),
    status,
    duration_seconds: duration(random, status, voicemail),
    answered_by_voicemail: voicemail,
    direction: random.next() < 0.3 ? 'inbound' : 'outbound',
    call_source: weighted(random, [['phone', 65], ['internet', 25], ['unknown', 10]] as const),
    phone_number: `+1555${String(TENANT_SPECS.indexOf(spec) + 1)}${String(random.int(60)).padStart(6, '0')}`,
    ...when,
  };
}

function makeAnalysis(random: Random, ref: string): AnalysisSpec {
  const score = (): number => random.between(0, 100);
  const total = maybeNull(random, 0.08, () => (random.next() < 0.1 ? random.pick([59, 60, 61]) : score()));
  return {
    ref,
    total_score: total,
    intent_score: maybeNull(random, 0.15, score),
    urgency_score: maybeNull(random, 0.2, score),
    budget_score: maybeNull(random, 0.25, score),
    fit_score: maybeNull(random, 0.15, score),
    engagement_score: maybeNull(random, 0.3, score),
    lead_status_tag: weighted(random, [['hot', 25], ['warm', 30], ['cold', 30], [null, 15]] as const),
    cta_pricing_clicked: random.next() < 0.2,
    cta_demo_clicked: random.next() < 0.15,
    cta_followup_clicked: random.next() < 0.18,
    cta_sample_clicked: random.next() < 0.08,
    cta_escalated_to_human: random.next() < 0.06,
    smart_notification: random.next() < 0.4 ? 'Call this lead back today' : null,
    ...conversation(ref),
  };
}

async function insertCalls(client: pg.ClientBase, userId: string, key: string, calls: readonly CallSpec[]): Promise<Map<string, string>> {
  if (calls.length === 0) return new Map();
  const { rows } = await client.query<{ id: string; provider_call_id: string }>(
    `insert into app_public.calls (user_id, agent_id, provider, provider_call_id, phone_number, direction, call_source,
                                   status, answered_by_voicemail, duration_seconds, started_at,
                                   cost_cents, hangup_by, ringing_at, answered_at)
     select u.id, r.agent_id, 'bolna', $3 || r.ref, r.phone_number, r.direction, r.call_source,
            r.status, r.answered_by_voicemail, r.duration_seconds, s.started_at,
            -- provider cost, hang-up side and lifecycle times from a hash of the ref (the PRNG stream of the
            -- other columns stays as it was): some not reported, some answers before ringing (not counted)
            case when abs(hashtext(r.ref || 'c')) % 10 >= 2 then (abs(hashtext(r.ref || 'c')) % 2000000) / 10000.0 end,
            (array['agent', 'user', 'Callee', 'Caller', 'API Request', 'carrier', null])[1 + abs(hashtext(r.ref || 'h')) % 7],
            case when abs(hashtext(r.ref || 'r')) % 10 >= 3
                 then s.started_at + (abs(hashtext(r.ref || 'r')) % 5000) * interval '1 millisecond' end,
            case when abs(hashtext(r.ref || 'r')) % 10 >= 3 and abs(hashtext(r.ref || 'a')) % 10 >= 2
                 then s.started_at + (abs(hashtext(r.ref || 'r')) % 5000 + abs(hashtext(r.ref || 'a')) % 20000 - 700)
                      * interval '1 millisecond' end
       from app_public.users u
      cross join jsonb_to_recordset($2::jsonb) as r(
             ref text, agent_id uuid, status text, duration_seconds integer, answered_by_voicemail boolean,
             direction text, call_source text, phone_number text, seconds_ago integer, local_day_offset integer,
             minute_offset integer)
      cross join lateral (select case when r.local_day_offset is not null
                 then ((app_hidden.tenant_today(u.timezone) - r.local_day_offset)::timestamp at time zone u.timezone)
                      + make_interval(mins => r.minute_offset)
                 else now() - make_interval(secs => r.seconds_ago) end as started_at) s
      where u.id = $1
     returning id, provider_call_id`,
    [userId, JSON.stringify(calls), `kpi-${key}-`],
  );
  return new Map(rows.map((row) => [row.provider_call_id.slice(`kpi-${key}-`.length), row.id]));
}

async function insertAnalyses(client: pg.ClientBase, userId: string, ids: Map<string, string>, analyses: readonly AnalysisSpec[]): Promise<void> {
  if (analyses.length === 0) return;
  const rows = analyses.map((a) => {
    const callId = ids.get(a.ref);
    if (!callId) throw new Error(`no call ${a.ref}`);
    return { ...a, call_id: callId };
  });
  await client.query(
    `insert into app_public.lead_analytics (user_id, analysis_type, call_id, total_score, intent_score, urgency_score,
                                            budget_score, fit_score, engagement_score, lead_status_tag,
                                            cta_pricing_clicked, cta_demo_clicked, cta_followup_clicked,
                                            cta_sample_clicked, cta_escalated_to_human, smart_notification,
                                            demo_book_datetime,
                                            sentiment_label, sentiment_score, call_quality_score, csat_score,
                                            human_transfer_requested, human_transfer_happened, conversation_outcome,
                                            topics, free_topics, objections)
     select $1, 'individual', r.call_id, r.total_score, r.intent_score, r.urgency_score, r.budget_score, r.fit_score,
            r.engagement_score, r.lead_status_tag, r.cta_pricing_clicked, r.cta_demo_clicked, r.cta_followup_clicked,
            r.cta_sample_clicked, r.cta_escalated_to_human, r.smart_notification,
            -- a lead that asked for a demo booked one, 10 days ago to 19 days ahead (no extra random draws)
            case when r.cta_demo_clicked
                 then date_trunc('hour', now()) + make_interval(days => coalesce(r.total_score, 50) % 30 - 10, hours => coalesce(r.fit_score, 7) % 24) end,
            r.sentiment_label, r.sentiment_score, r.call_quality_score, r.csat_score,
            r.human_transfer_requested, r.human_transfer_happened, r.conversation_outcome, r.topics, r.free_topics, r.objections
       from jsonb_to_recordset($2::jsonb) as r(
              call_id uuid, total_score smallint, intent_score smallint, urgency_score smallint, budget_score smallint,
              fit_score smallint, engagement_score smallint, lead_status_tag text, cta_pricing_clicked boolean,
              cta_demo_clicked boolean, cta_followup_clicked boolean, cta_sample_clicked boolean,
              cta_escalated_to_human boolean, smart_notification text, sentiment_label text, sentiment_score smallint,
              call_quality_score smallint, csat_score smallint, human_transfer_requested boolean,
              human_transfer_happened boolean, conversation_outcome text, topics text[], free_topics text[], objections text[])`,
    [userId, JSON.stringify(rows)],
  );
  // Answers to the tenant's success criteria (seedKpiDataset creates them) for the calls analysed now.
  await client.query(
    `insert into app_public.call_criterion_results (call_id, criterion_id, user_id, passed, evidence)
     select a.call_id, k.id, $1, (ascii(right(a.call_id::text, 1)) + ascii(left(k.name, 1))) % 3 <> 0, 'dataset'
       from app_public.lead_analytics a
       join app_public.success_criteria k on k.user_id = $1
      where a.user_id = $1 and a.analysis_type = 'individual' and a.call_id = any ($2::uuid[])`,
    [userId, rows.map((r) => r.call_id)],
  );
}

interface Plan {
  phase1: CallSpec[];
  phase2: CallSpec[];
  analyses1: AnalysisSpec[];
  /** Analyses inserted after compaction (for phase-1 calls: late arrivals; and for phase-2 calls). */
  analyses2: AnalysisSpec[];
}

function plan(random: Random, spec: TenantSpec, agents: string[]): Plan {
  const calls: CallSpec[] = [];
  let n = 0;
  const ref = (): string => String((n += 1));
  const plain = spec.calls - MIDNIGHT_DAYS.length * MIDNIGHT_MINUTES.length - 6;
  for (let i = 0; i < plain; i += 1) {
    calls.push(makeCall(random, spec, agents, ref(), { seconds_ago: random.between(3600, HISTORY_DAYS * DAY_SECONDS), local_day_offset: null, minute_offset: null }));
  }
  for (const day of MIDNIGHT_DAYS) {
    for (const minutes of MIDNIGHT_MINUTES) {
      calls.push(makeCall(random, spec, agents, ref(), { seconds_ago: null, local_day_offset: day, minute_offset: minutes }));
    }
  }
  // Today (unless the tenant's day began less than half an hour ago).
  for (let i = 0; i < 6; i += 1) {
    calls.push(makeCall(random, spec, agents, ref(), { seconds_ago: random.between(30, 1800), local_day_offset: null, minute_offset: null }));
  }
  const phase1: CallSpec[] = [];
  const phase2: CallSpec[] = [];
  for (const call of calls) (random.next() < 0.7 ? phase1 : phase2).push(call);

  const analyses1: AnalysisSpec[] = [];
  const analyses2: AnalysisSpec[] = [];
  for (const call of calls) {
    const p = call.status === 'completed' ? 0.55 : 0.12;
    if (random.next() >= p) continue;
    const analysis = makeAnalysis(random, call.ref);
    // Phase-1 calls get most analyses at once, some late (after compaction).
    if (phase1.includes(call) && random.next() < 0.8) analyses1.push(analysis);
    else analyses2.push(analysis);
  }
  return { phase1, phase2, analyses1, analyses2 };
}

async function createTenantRows(client: pg.ClientBase, spec: TenantSpec): Promise<KpiTenant> {
  const email = `kpi-${spec.key}@example.com`;
  const { id: userId } = await createTenant(client, { email, name: spec.name, role: spec.role, timezone: spec.timezone, credits: 100 });
  const agents = await client.query<{ id: string; name: string }>(
    `insert into app_public.agents (user_id, provider, provider_agent_id, name)
     select $1, 'bolna', format('kpi-%s-%s', $2::text, a.n), a.name
       from unnest($3::text[]) with ordinality a(name, n)
      order by a.n
     returning id, name`,
    [userId, spec.key, spec.agentNames],
  );
  await client.query(
    `insert into app_public.credit_transactions (user_id, type, amount, description) values ($1, 'purchase', 5000, 'Top-up')`,
    [userId],
  );
  const byName = new Map(agents.rows.map((row) => [row.name, row.id]));
  return {
    key: spec.key,
    userId,
    email,
    name: spec.name,
    timezone: spec.timezone,
    role: spec.role,
    agents: spec.agentNames.map((name, i) => {
      const id = byName.get(name);
      if (!id) throw new Error(`agent ${name} not created`);
      return { id, name, isActive: i !== spec.inactiveAgent };
    }),
  };
}

/** Targets per calling agent: days (today, 5 days ago), ISO weeks (this, 2 ago), months (this, 1 and 2 ago). */
async function insertTargets(client: pg.ClientBase, random: Random, tenant: KpiTenant, spec: TenantSpec): Promise<void> {
  const periods = [['day', 0], ['day', 5], ['week', 0], ['week', 2], ['month', 0], ['month', 1], ['month', 2]] as const;
  const rows = tenant.agents
    .filter((_, i) => i !== spec.idleAgent)
    .flatMap((agent) =>
      periods.map(([periodType, back]) => {
        const scale = periodType === 'day' ? 1 : periodType === 'week' ? 7 : 30;
        return {
          agent_id: agent.id,
          period_type: periodType,
          back,
          target_calls: maybeNull(random, 0.1, () => random.between(0, 3) === 0 ? 0 : random.between(1, 4) * scale),
          target_successful_calls: maybeNull(random, 0.2, () => random.between(1, 2) * scale),
          target_leads: maybeNull(random, 0.2, () => random.between(1, 2) * scale),
          target_qualified_leads: maybeNull(random, 0.3, () => random.between(0, 1) * scale),
          target_success_rate: maybeNull(random, 0.3, () => random.between(10, 90) / 100),
          target_conversion_rate: maybeNull(random, 0.3, () => random.between(10, 90) / 100),
        };
      }),
    );
  await client.query(
    `insert into app_public.agent_targets (user_id, agent_id, period_type, period_start, target_calls,
                                           target_successful_calls, target_leads, target_qualified_leads,
                                           target_success_rate, target_conversion_rate)
     select u.id, r.agent_id, r.period_type,
            case r.period_type
              when 'day' then app_hidden.tenant_today(u.timezone) - r.back
              when 'week' then (date_trunc('week', app_hidden.tenant_today(u.timezone)::timestamp) - make_interval(weeks => r.back))::date
              else (date_trunc('month', app_hidden.tenant_today(u.timezone)::timestamp) - make_interval(months => r.back))::date
            end,
            r.target_calls, r.target_successful_calls, r.target_leads, r.target_qualified_leads,
            r.target_success_rate, r.target_conversion_rate
       from app_public.users u
      cross join jsonb_to_recordset($2::jsonb) as r(
             agent_id uuid, period_type text, back integer, target_calls integer, target_successful_calls integer,
             target_leads integer, target_qualified_leads integer, target_success_rate numeric,
             target_conversion_rate numeric)
      where u.id = $1`,
    [tenant.userId, JSON.stringify(rows)],
  );
}

/** Complete (per phone number) analyses: they never count as leads. */
async function insertCompleteAnalyses(client: pg.ClientBase, userId: string): Promise<void> {
  await client.query(
    `insert into app_public.lead_analytics (user_id, analysis_type, phone_number, latest_call_id, calls_analyzed,
                                            total_score, lead_status_tag, cta_demo_clicked)
     select distinct on (c.phone_number) c.user_id, 'complete', c.phone_number, c.id, 3, 90, 'hot', true
       from app_public.calls c
      where c.user_id = $1 and c.phone_number is not null
      order by c.phone_number, c.started_at desc
      limit 12`,
    [userId],
  );
}

/**
 * Phase-2 corrections of phase-1 rows (all after compaction, so they are pending
 * deltas): calls finishing, moving across local midnight or to another agent,
 * re-scored / untagged / deleted analyses, deleted calls (only ones that never
 * used credits, so the credit identity of the oracle stays simple).
 */
async function corrections(client: pg.ClientBase, random: Random, tenant: KpiTenant, spec: TenantSpec, ids: Map<string, string>): Promise<void> {
  const phase1Ids = [...ids.values()];
  const callers = tenant.agents.filter((_, i) => i !== spec.idleAgent && i !== spec.inactiveAgent).map((agent) => agent.id);
  const sample = (k: number): string[] => random.shuffle(phase1Ids).slice(0, k);

  // In-flight calls finish: completed with conversation (credits charged now).
  await client.query(
    `update app_public.calls set status = 'completed', duration_seconds = 37 + (ascii(right(id::text, 1)) % 200)
      where user_id = $1 and status in ('in_progress', 'ringing', 'queued') and id = any ($2::uuid[])`,
    [tenant.userId, sample(Math.floor(phase1Ids.length / 4))],
  );
  // Moves across days (a few hours either way) and to another agent; the analysis moves with the call.
  for (const [i, callId] of sample(14).entries()) {
    await client.query(
      // (never into the future: a call counts on the day it started, and nothing has started tomorrow)
      `update app_public.calls
          set started_at = least(started_at + make_interval(hours => $2), now() - interval '1 minute'), agent_id = $3,
              -- the lifecycle times move with the start (calls_lifecycle_order)
              ringing_at = ringing_at + (least(started_at + make_interval(hours => $2), now() - interval '1 minute') - started_at),
              answered_at = answered_at + (least(started_at + make_interval(hours => $2), now() - interval '1 minute') - started_at)
        where id = $1`,
      [callId, i % 2 === 0 ? -random.between(2, 30) : random.between(2, 30), random.pick(callers)],
    );
  }
  // Re-scored analyses (tag removed, score across the qualified threshold, CTA changes).
  await client.query(
    `update app_public.lead_analytics a
        set total_score = case when a.total_score is null then 75 when a.total_score >= 60 then 40 else 85 end,
            lead_status_tag = case a.lead_status_tag when 'hot' then null when 'cold' then 'warm' else 'hot' end,
            cta_pricing_clicked = not a.cta_pricing_clicked,
            intent_score = null,
            sentiment_label = case a.sentiment_label when 'positive' then 'negative' when 'negative' then null else 'mixed' end,
            sentiment_score = case when a.sentiment_score is null then 10 else -a.sentiment_score end,
            conversation_outcome = case a.conversation_outcome when 'converted' then 'not_interested' else 'converted' end,
            human_transfer_happened = not coalesce(a.human_transfer_happened, false),
            topics = case when a.topics is null then array['billing'] else array_append(array_remove(a.topics, 'pricing'), 'competitor') end,
            objections = case when 'price' = any (a.objections) then '{}' else array['price'] end
      where a.user_id = $1 and a.analysis_type = 'individual' and a.call_id = any ($2::uuid[])`,
    [tenant.userId, sample(Math.floor(phase1Ids.length / 5))],
  );
  await client.query(
    `update app_public.call_criterion_results r set passed = not r.passed
      where r.user_id = $1 and r.call_id = any ($2::uuid[])`,
    [tenant.userId, sample(Math.floor(phase1Ids.length / 5))],
  );
  await client.query(
    `delete from app_public.lead_analytics a
      where a.user_id = $1 and a.analysis_type = 'individual' and a.call_id = any ($2::uuid[])`,
    [tenant.userId, sample(Math.floor(phase1Ids.length / 12))],
  );
  // Late provider reports: cost and hang-up side corrected, an answer time filled (hash-picked, no PRNG draws).
  await client.query(
    `update app_public.calls c
        set cost_cents = case when c.cost_cents is null then 3.5 else c.cost_cents + 0.0101 end,
            hangup_by = case when c.hangup_by = 'agent' then 'Callee' else 'agent' end,
            answered_at = coalesce(c.answered_at, c.ringing_at + interval '1234 milliseconds')
      where c.user_id = $1 and abs(hashtext(c.id::text)) % 9 = 0`,
    [tenant.userId],
  );
  await client.query(
    `delete from app_public.calls c
      where c.user_id = $1 and c.id = any ($2::uuid[]) and c.credits_used = 0
        and c.status in ('busy', 'no_answer', 'failed', 'canceled', 'scheduled')`,
    [tenant.userId, sample(Math.floor(phase1Ids.length / 8))],
  );
}

/** Seeds every tenant (see the file comment). Run once per test database, before the API server reads it. */
export async function seedKpiDataset(pool: pg.Pool, seed = 20_250_601): Promise<KpiDataset> {
  const client = await pool.connect();
  try {
    const specs = [...TENANT_SPECS, ADMIN_SPEC];
    const tenants: KpiTenant[] = [];
    const plans: Plan[] = [];
    const randoms: Random[] = [];
    const phase1Ids: Array<Map<string, string>> = [];

    for (const [i, spec] of specs.entries()) {
      const random = createRandom(seed + 7919 * i);
      const tenant = await createTenantRows(client, spec);
      await client.query(
        `insert into app_public.success_criteria (user_id, name, question, is_active)
         values ($1, 'Budget asked', 'Did the agent ask for the budget?', true),
                ($1, 'Next step agreed', 'Was a next step agreed?', true),
                ($1, 'Retired rule', 'Did the agent read the old script?', false)`,
        [tenant.userId],
      );
      const p = plan(random, spec, tenant.agents.map((agent) => agent.id));
      const ids = await insertCalls(client, tenant.userId, spec.key, p.phase1);
      await insertAnalyses(client, tenant.userId, ids, p.analyses1.filter((a) => ids.has(a.ref)));
      await insertTargets(client, random, tenant, spec);
      tenants.push(tenant);
      plans.push(p);
      randoms.push(random);
      phase1Ids.push(ids);
    }

    await client.query('select app_hidden.compact_rollups()');
    await client.query('select app_hidden.post_credit_transactions()');

    for (const [i, spec] of specs.entries()) {
      const tenant = tenants[i];
      const p = plans[i];
      const random = randoms[i];
      const ids1 = phase1Ids[i];
      if (!tenant || !p || !random || !ids1) throw new Error('dataset bookkeeping');
      await corrections(client, random, tenant, spec, ids1);
      const ids2 = await insertCalls(client, tenant.userId, spec.key, p.phase2);
      const all = new Map([...ids1, ...ids2]);
      // Late analyses of phase-1 calls may belong to calls deleted by the corrections: skip those.
      const { rows } = await client.query<{ id: string }>(`select id from app_public.calls where id = any ($1::uuid[])`, [[...all.values()]]);
      const existing = new Set(rows.map((row) => row.id));
      await insertAnalyses(client, tenant.userId, all, p.analyses2.filter((a) => existing.has(all.get(a.ref) ?? '')));
      await insertCompleteAnalyses(client, tenant.userId);
      if (spec.inactiveAgent !== undefined) {
        const agent = tenant.agents[spec.inactiveAgent];
        if (agent) await client.query('update app_public.agents set is_active = false where id = $1', [agent.id]);
      }
    }
    await client.query('select app_hidden.sync_contacts()');

    const admin = tenants.pop();
    if (!admin) throw new Error('admin tenant missing');
    return { tenants, admin };
  } finally {
    client.release();
  }
}
