/**
 * Row factories for database tests: tenants, agents, calls and analyses with
 * sensible defaults, written through the real triggers (run them as the owner,
 * or inside `asTenant` where the role may insert). Every name that must be
 * unique (emails, provider ids) is generated, so tests can call these freely
 * on a shared database.
 *
 *   const tenant = await createTenant(db.pool, { timezone: 'America/New_York' });
 *   const agent = await createAgent(db.pool, tenant.id);
 *   const call = await createCall(db.pool, { userId: tenant.id, agentId: agent.id, status: 'completed', durationSeconds: 95 });
 *   await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 80 });
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/** A pool or a client: anything that runs a parameterised query. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export type CallStatus =
  | 'scheduled' | 'queued' | 'initiated' | 'ringing' | 'in_progress' | 'disconnected'
  | 'completed' | 'busy' | 'no_answer' | 'canceled' | 'failed';
export type CallOutcome = 'successful' | 'unanswered' | 'failed';
export type Provider = 'bolna' | 'twilio' | 'vapi' | 'retell' | 'other';

// A prefix per process plus a counter: unique across files sharing a cluster and across calls in a file.
const runTag = randomBytes(3).toString('hex');
let counter = 0;
/** A string unique within this test run, e.g. `call-1a2b3c-17`. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${runTag}-${counter}`;
}

/** A valid E.164 number derived from `n` (the same `n` gives the same number). */
export function phoneNumber(n: number): string {
  return `+1555${String(n).padStart(7, '0')}`;
}

async function one<R extends pg.QueryResultRow>(db: Queryable, sql: string, values: unknown[]): Promise<R> {
  const { rows } = await db.query<R>(sql, values);
  const [row] = rows;
  if (!row) throw new Error(`expected one row from: ${sql.slice(0, 80)}`);
  return row;
}

// --- tenants -----------------------------------------------------------------

export interface TenantInput {
  name?: string;
  email?: string;
  /** IANA zone (default UTC). */
  timezone?: string;
  /** Opening balance; a non-zero value creates a posted 'bonus' ledger row (default 0). */
  credits?: number;
  role?: 'user' | 'admin' | 'super_admin';
}

export interface TenantRow {
  id: string;
  email: string;
  name: string;
  timezone: string;
}

export async function createTenant(db: Queryable, input: TenantInput = {}): Promise<TenantRow> {
  const slug = uniqueName('tenant');
  const name = input.name ?? slug;
  return one<TenantRow>(
    db,
    `insert into app_public.users (email, name, timezone, credits, role)
     values ($1, $2, $3, $4, $5)
     returning id, email::text as email, name, timezone`,
    [input.email ?? `${slug}@example.com`, name, input.timezone ?? 'UTC', input.credits ?? 0, input.role ?? 'user'],
  );
}

// --- agents ------------------------------------------------------------------

export interface AgentInput {
  name?: string;
  provider?: Provider;
  providerAgentId?: string;
  isActive?: boolean;
}

export interface AgentRow {
  id: string;
  userId: string;
  name: string;
}

export async function createAgent(db: Queryable, userId: string, input: AgentInput = {}): Promise<AgentRow> {
  const providerAgentId = input.providerAgentId ?? uniqueName('agent');
  return one<AgentRow>(
    db,
    `insert into app_public.agents (user_id, provider, provider_agent_id, name, is_active)
     values ($1, $2, $3, $4, $5)
     returning id, user_id as "userId", name`,
    [userId, input.provider ?? 'bolna', providerAgentId, input.name ?? providerAgentId, input.isActive ?? true],
  );
}

// --- calls -------------------------------------------------------------------

export interface CallInput {
  userId: string;
  agentId: string;
  /** Default 'completed'. */
  status?: CallStatus;
  /** Default 0. */
  durationSeconds?: number;
  answeredByVoicemail?: boolean;
  direction?: 'inbound' | 'outbound';
  callSource?: 'phone' | 'internet' | 'unknown';
  /** Default now(). */
  startedAt?: Date | string;
  /** Default null (no contact is linked). */
  phoneNumber?: string | null;
  provider?: Provider;
  /** Default: a generated unique id. */
  providerCallId?: string;
  callerName?: string | null;
  contactId?: string | null;
  /** Provider cost in cents (up to 4 decimals); default null (not reported). */
  costCents?: number | string | null;
  /** The provider's hangup_by; default null. */
  hangupBy?: string | null;
  /** Lifecycle times; default null. */
  ringingAt?: Date | string | null;
  answeredAt?: Date | string | null;
}

export interface CallRow {
  id: string;
  userId: string;
  agentId: string;
  contactId: string | null;
  providerCallId: string;
  status: CallStatus;
  outcome: CallOutcome | null;
  durationSeconds: number;
  billedMinutes: number;
  creditsUsed: number;
  answeredByVoicemail: boolean;
  direction: 'inbound' | 'outbound';
  callSource: 'phone' | 'internet' | 'unknown';
  phoneNumber: string | null;
  startedAt: Date;
}

/** The columns of `CallRow`, aliased (for `returning` and selects on app_public.calls). */
export const CALL_COLUMNS = `id, user_id as "userId", agent_id as "agentId", contact_id as "contactId",
  provider_call_id as "providerCallId", status, outcome, duration_seconds as "durationSeconds",
  billed_minutes as "billedMinutes", credits_used as "creditsUsed", answered_by_voicemail as "answeredByVoicemail",
  direction, call_source as "callSource", phone_number as "phoneNumber", started_at as "startedAt"`;

function callRecord(input: CallInput): Record<string, unknown> {
  return {
    user_id: input.userId,
    agent_id: input.agentId,
    contact_id: input.contactId ?? null,
    provider: input.provider ?? 'bolna',
    provider_call_id: input.providerCallId ?? uniqueName('call'),
    phone_number: input.phoneNumber ?? null,
    direction: input.direction ?? 'outbound',
    call_source: input.callSource ?? 'phone',
    caller_name: input.callerName ?? null,
    status: input.status ?? 'completed',
    answered_by_voicemail: input.answeredByVoicemail ?? false,
    duration_seconds: input.durationSeconds ?? 0,
    started_at: input.startedAt instanceof Date ? input.startedAt.toISOString() : (input.startedAt ?? null),
    cost_cents: input.costCents ?? null,
    hangup_by: input.hangupBy ?? null,
    ringing_at: input.ringingAt instanceof Date ? input.ringingAt.toISOString() : (input.ringingAt ?? null),
    answered_at: input.answeredAt instanceof Date ? input.answeredAt.toISOString() : (input.answeredAt ?? null),
  };
}

/**
 * Inserts the calls in one statement, in the given order (a provider batch:
 * all row triggers fire within one statement). Returns them in that order.
 */
export async function createCalls(db: Queryable, inputs: readonly CallInput[]): Promise<CallRow[]> {
  if (inputs.length === 0) return [];
  const { rows } = await db.query<CallRow>(
    `insert into app_public.calls (user_id, agent_id, contact_id, provider, provider_call_id, phone_number, direction,
                                   call_source, caller_name, status, answered_by_voicemail, duration_seconds, started_at,
                                   cost_cents, hangup_by, ringing_at, answered_at)
     select r.user_id, r.agent_id, r.contact_id, r.provider, r.provider_call_id, r.phone_number, r.direction,
            r.call_source, r.caller_name, r.status, r.answered_by_voicemail, r.duration_seconds,
            coalesce(r.started_at, now()), r.cost_cents, r.hangup_by, r.ringing_at, r.answered_at
       from jsonb_array_elements($1::jsonb) with ordinality as e(v, ord)
      cross join lateral jsonb_to_record(e.v) as r(
              user_id uuid, agent_id uuid, contact_id uuid, provider text, provider_call_id text, phone_number text,
              direction text, call_source text, caller_name text, status text, answered_by_voicemail boolean,
              duration_seconds integer, started_at timestamptz, cost_cents numeric, hangup_by text,
              ringing_at timestamptz, answered_at timestamptz)
      order by e.ord
     returning ${CALL_COLUMNS}`,
    [JSON.stringify(inputs.map(callRecord))],
  );
  // RETURNING follows insertion order, which follows the ORDER BY above.
  return rows;
}

export async function createCall(db: Queryable, input: CallInput): Promise<CallRow> {
  const [row] = await createCalls(db, [input]);
  if (!row) throw new Error('call not created');
  return row;
}

export interface CallChanges {
  status?: CallStatus;
  durationSeconds?: number;
  answeredByVoicemail?: boolean;
  agentId?: string;
  startedAt?: Date | string;
  direction?: 'inbound' | 'outbound';
  callSource?: 'phone' | 'internet' | 'unknown';
  hangupReason?: string | null;
  hangupBy?: string | null;
  costCents?: number | string | null;
  ringingAt?: Date | string | null;
  answeredAt?: Date | string | null;
}

const CALL_CHANGE_COLUMNS: Record<keyof CallChanges, string> = {
  status: 'status',
  durationSeconds: 'duration_seconds',
  answeredByVoicemail: 'answered_by_voicemail',
  agentId: 'agent_id',
  startedAt: 'started_at',
  direction: 'direction',
  callSource: 'call_source',
  hangupReason: 'hangup_reason',
  hangupBy: 'hangup_by',
  costCents: 'cost_cents',
  ringingAt: 'ringing_at',
  answeredAt: 'answered_at',
};

/** Updates the given columns of one call (as a provider status webhook would) and returns the row. */
export async function updateCall(db: Queryable, callId: string, changes: CallChanges): Promise<CallRow> {
  const sets: string[] = [];
  const values: unknown[] = [callId];
  for (const key of Object.keys(CALL_CHANGE_COLUMNS) as (keyof CallChanges)[]) {
    const value = changes[key];
    if (value === undefined) continue;
    values.push(value instanceof Date ? value.toISOString() : value);
    sets.push(`${CALL_CHANGE_COLUMNS[key]} = $${values.length}`);
  }
  if (sets.length === 0) throw new Error('updateCall: nothing to change');
  return one<CallRow>(db, `update app_public.calls set ${sets.join(', ')} where id = $1 returning ${CALL_COLUMNS}`, values);
}

/** The outcome the generated column `calls.outcome` gives (mirrors the KPI definitions in sql/README.md). */
export function expectedOutcome(status: CallStatus, durationSeconds: number, voicemail = false): CallOutcome | null {
  if (status === 'completed' && durationSeconds > 0 && !voicemail) return 'successful';
  if (status === 'completed' || status === 'busy' || status === 'no_answer') return 'unanswered';
  if (status === 'failed' || status === 'canceled') return 'failed';
  return null;
}

// --- analyses ----------------------------------------------------------------

export interface AnalysisInput {
  userId: string;
  callId: string;
  totalScore?: number | null;
  intentScore?: number | null;
  urgencyScore?: number | null;
  budgetScore?: number | null;
  fitScore?: number | null;
  engagementScore?: number | null;
  leadStatusTag?: 'hot' | 'warm' | 'cold' | null;
  ctaPricing?: boolean;
  ctaDemo?: boolean;
  ctaFollowup?: boolean;
  ctaSample?: boolean;
  ctaEscalatedToHuman?: boolean;
  /** The booked appointment's time (ISO), or null. */
  demoBookDatetime?: string | null;
  /** Conversation intelligence (issue 17). */
  sentimentLabel?: 'positive' | 'neutral' | 'negative' | 'mixed' | null;
  sentimentScore?: number | null;
  callQualityScore?: number | null;
  csatScore?: number | null;
  transferRequested?: boolean | null;
  transferHappened?: boolean | null;
  conversationOutcome?: 'converted' | 'interested' | 'callback_requested' | 'not_interested' | 'wrong_person' | 'no_outcome' | null;
  topics?: string[] | null;
  objections?: string[] | null;
}

export interface AnalysisRow {
  id: string;
  userId: string;
  callId: string;
  totalScore: number | null;
}

const ANALYSIS_COLUMNS: Record<Exclude<keyof AnalysisInput, 'userId' | 'callId'>, string> = {
  totalScore: 'total_score',
  intentScore: 'intent_score',
  urgencyScore: 'urgency_score',
  budgetScore: 'budget_score',
  fitScore: 'fit_score',
  engagementScore: 'engagement_score',
  leadStatusTag: 'lead_status_tag',
  ctaPricing: 'cta_pricing_clicked',
  ctaDemo: 'cta_demo_clicked',
  ctaFollowup: 'cta_followup_clicked',
  ctaSample: 'cta_sample_clicked',
  ctaEscalatedToHuman: 'cta_escalated_to_human',
  demoBookDatetime: 'demo_book_datetime',
  sentimentLabel: 'sentiment_label',
  sentimentScore: 'sentiment_score',
  callQualityScore: 'call_quality_score',
  csatScore: 'csat_score',
  transferRequested: 'human_transfer_requested',
  transferHappened: 'human_transfer_happened',
  conversationOutcome: 'conversation_outcome',
  topics: 'topics',
  objections: 'objections',
};
type AnalysisField = keyof typeof ANALYSIS_COLUMNS;

function analysisFields(input: Partial<AnalysisInput>): { columns: string[]; values: unknown[] } {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const key of Object.keys(ANALYSIS_COLUMNS) as AnalysisField[]) {
    const value = input[key];
    if (value === undefined) continue;
    columns.push(ANALYSIS_COLUMNS[key]);
    values.push(value);
  }
  return { columns, values };
}

const ANALYSIS_RETURNING = `id, user_id as "userId", call_id as "callId", total_score as "totalScore"`;

/** An individual analysis of one call (default total score 70, no sub-scores, no tag, no CTA). */
export async function createAnalysis(db: Queryable, input: AnalysisInput): Promise<AnalysisRow> {
  const { columns, values } = analysisFields({ totalScore: 70, ...input });
  const placeholders = columns.map((_, i) => `$${i + 3}`);
  return one<AnalysisRow>(
    db,
    `insert into app_public.lead_analytics (user_id, analysis_type, call_id${columns.map((c) => `, ${c}`).join('')})
     values ($1, 'individual', $2${placeholders.map((p) => `, ${p}`).join('')})
     returning ${ANALYSIS_RETURNING}`,
    [input.userId, input.callId, ...values],
  );
}

/** Re-scores an existing analysis (the columns given; others keep their values). */
export async function updateAnalysis(
  db: Queryable,
  analysisId: string,
  changes: Partial<Omit<AnalysisInput, 'userId' | 'callId'>>,
): Promise<AnalysisRow> {
  const { columns, values } = analysisFields(changes);
  if (columns.length === 0) throw new Error('updateAnalysis: nothing to change');
  const sets = columns.map((c, i) => `${c} = $${i + 2}`);
  return one<AnalysisRow>(
    db,
    `update app_public.lead_analytics set ${sets.join(', ')} where id = $1 returning ${ANALYSIS_RETURNING}`,
    [analysisId, ...values],
  );
}

// --- misc ----------------------------------------------------------------------

/** Noon, tenant-local, `daysAgo` days before the tenant's today (as a timestamptz). */
export async function localNoon(db: Queryable, timezone: string, daysAgo: number): Promise<Date> {
  const row = await one<{ at: Date }>(
    db,
    `select ((app_hidden.tenant_today($1) - $2::int) + time '12:00') at time zone $1 as at`,
    [timezone, daysAgo],
  );
  return row.at;
}

/** The tenant's today (tenant-local date) as YYYY-MM-DD. */
export async function tenantToday(db: Queryable, timezone: string): Promise<string> {
  const row = await one<{ today: string }>(db, `select app_hidden.tenant_today($1)::text as today`, [timezone]);
  return row.today;
}

/** A small seeded PRNG (mulberry32) for reproducible randomized tests. */
export interface Random {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [min, max]. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick<T>(items: readonly T[]): T {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    shuffle<T>(items: readonly T[]): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = int(i + 1);
        const a = copy[i] as T;
        copy[i] = copy[j] as T;
        copy[j] = a;
      }
      return copy;
    },
  };
}
