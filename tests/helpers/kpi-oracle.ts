/**
 * The KPI oracle: every KPI the API serves, recomputed independently from the
 * raw calls and their individual analyses (never the rollups,
 * app_hidden.call_contribution or the app_hidden rate functions), following
 * the definitions in sql/README.md and migration 000004:
 *
 * - successful: status completed, duration > 0, not voicemail; unanswered: busy,
 *   no_answer, or completed by voicemail or without conversation; failed:
 *   failed or canceled; other statuses (in flight) count as calls only;
 * - billed minutes: duration rounded up to minutes (every call); credits: the
 *   billed minutes of completed calls with duration > 0; talk seconds: the
 *   duration of successful calls;
 * - a lead is a call with an individual analysis, counted on the call's day;
 *   qualified: total score >= 60; averages over the leads that have the score;
 * - rates: round(numerator / denominator, 4), null when the denominator is 0;
 *   averages: round(total / n, 2), null when n is 0 (half away from zero);
 * - dispositions split the outcomes by status (voicemail, no conversation, busy,
 *   no answer; canceled, errored); who ended a successful call comes from
 *   hangup_by and the direction (the table in `hangupSide` below); time to
 *   answer is answered_at - ringing_at of ended calls with both (answer not
 *   before ringing), in whole milliseconds; provider cost sums cost_cents where
 *   reported, and cost figures are null when no call reported one;
 * - a call counts on the tenant-local day and hour of started_at.
 *
 * PostgreSQL only turns timestamps into tenant-local dates and hours (that is
 * the definition of the local day); all arithmetic is exact BigInt here.
 * Every value is returned normalised (see `canonical`): integers and decimals
 * as canonical strings, null as null, so API answers compare with `toEqual`
 * after `normalise`.
 */
import type pg from 'pg';

// --- exact decimals -------------------------------------------------------------

/** A decimal as canonical text: no trailing fractional zeros, no leading zeros, no "-0". */
export function canonical(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
  if (typeof text !== 'string') throw new Error(`not a number: ${JSON.stringify(value)}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, sign = '', int = '0', frac = ''] = match;
  const fraction = frac.replace(/0+$/, '');
  const integer = int.replace(/^0+(?=\d)/, '');
  const body = fraction ? `${integer}.${fraction}` : integer;
  return body === '0' ? '0' : `${sign}${body}`;
}

/** Deeply replaces numbers and numeric strings by their canonical form (for comparing API answers). */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, normalise(v)]));
  }
  if (typeof value === 'number' || typeof value === 'bigint') return canonical(value);
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return canonical(value);
  return value;
}

/** round(num / den, places), half away from zero, as a scaled integer (value * 10^places); null when den <= 0. */
function roundedScaled(num: bigint, den: bigint, places: number): bigint | null {
  if (den <= 0n) return null;
  const scaled = num * 10n ** BigInt(places);
  const negative = scaled < 0n;
  const magnitude = negative ? -scaled : scaled;
  let q = magnitude / den;
  if (2n * (magnitude % den) >= den) q += 1n;
  return negative ? -q : q;
}

function decimalText(scaled: bigint | null, places: number): string | null {
  if (scaled === null) return null;
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0');
  const text = `${negative ? '-' : ''}${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
  return canonical(text);
}

const RATE_PLACES = 4;
const AVERAGE_PLACES = 2;

/** round(num / den, 4) as text, null when den is 0. */
export function rate(num: bigint, den: bigint): string | null {
  return decimalText(roundedScaled(num, den, RATE_PLACES), RATE_PLACES);
}

export function average(total: bigint, n: bigint): string | null {
  return decimalText(roundedScaled(total, n, AVERAGE_PLACES), AVERAGE_PLACES);
}

const int = (n: bigint): string => n.toString();

// --- dates ------------------------------------------------------------------------

/** YYYY-MM-DD plus `days`. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function addMonths(day: string, months: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

/** Days from `from` to `to` inclusive. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** 1 = Monday ... 7 = Sunday. */
export function isoWeekday(day: string): number {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export type Granularity = 'day' | 'week' | 'month';

function bucketStart(day: string, unit: Granularity): string {
  if (unit === 'day') return day;
  if (unit === 'week') return addDays(day, 1 - isoWeekday(day));
  return `${day.slice(0, 7)}-01`;
}

function bucketNext(start: string, unit: Granularity): string {
  if (unit === 'day') return addDays(start, 1);
  if (unit === 'week') return addDays(start, 7);
  return addMonths(start, 1);
}

// --- the raw data ------------------------------------------------------------------

export interface RawCall {
  id: string;
  agentId: string;
  status: string;
  durationSeconds: number;
  voicemail: boolean;
  direction: string;
  callSource: string;
  /** Tenant-local day and hour of started_at. */
  day: string;
  hour: number;
  /** cost_cents as text (null: not reported). */
  costCents: string | null;
  hangupBy: string | null;
  /** ringing_at and answered_at as microseconds since the epoch. */
  ringingMicros: bigint | null;
  answeredMicros: bigint | null;
  lead: RawLead | null;
}

export interface RawLead {
  /** lead_analytics.id of the call's individual analysis. */
  id: string;
  /** Marked read (is_read). */
  read: boolean;
  totalScore: number | null;
  intentScore: number | null;
  urgencyScore: number | null;
  budgetScore: number | null;
  fitScore: number | null;
  engagementScore: number | null;
  tag: string | null;
  pricing: boolean;
  demo: boolean;
  followup: boolean;
  sample: boolean;
  human: boolean;
  /** The analysis booked an appointment (demo_book_datetime set). */
  booked: boolean;
}

export interface RawTarget {
  id: string;
  agentId: string;
  periodType: Granularity;
  periodStart: string;
  targetCalls: number | null;
  targetSuccessfulCalls: number | null;
  targetLeads: number | null;
  targetQualifiedLeads: number | null;
  targetSuccessRate: string | null;
  targetConversionRate: string | null;
}

/** One tenant's raw rows, read once (as the owner); every KPI below is computed from this. */
export interface Snapshot {
  userId: string;
  timezone: string;
  /** The tenant-local date at the time of the snapshot. */
  today: string;
  calls: RawCall[];
  agents: Array<{ id: string; name: string; isActive: boolean }>;
  targets: RawTarget[];
  /** Opening balance + every ledger row + unposted call charges (the credit identity). */
  ledgerBalance: string;
}

/**
 * Reads a tenant's raw rows. `timezone` overrides the tenant's zone (to show
 * what a wrong bucketing would give); by default the tenant's own.
 */
export async function loadSnapshot(pool: pg.Pool, userId: string, { timezone }: { timezone?: string } = {}): Promise<Snapshot> {
  const tenant = await pool.query<{ timezone: string; today: string }>(
    `select z.tz as timezone, (now() at time zone z.tz)::date::text as today
       from app_public.users u cross join lateral (select coalesce($2, u.timezone) as tz) z
      where u.id = $1`,
    [userId, timezone ?? null],
  );
  const row = tenant.rows[0];
  if (!row) throw new Error(`no tenant ${userId}`);
  const calls = await pool.query<{
    id: string; agent_id: string; status: string; duration_seconds: number; answered_by_voicemail: boolean;
    direction: string; call_source: string; day: string; hour: number; lead_id: string | null;
    total_score: number | null; intent_score: number | null; urgency_score: number | null; budget_score: number | null;
    fit_score: number | null; engagement_score: number | null; lead_status_tag: string | null;
    cta_pricing_clicked: boolean; cta_demo_clicked: boolean; cta_followup_clicked: boolean;
    cta_sample_clicked: boolean; cta_escalated_to_human: boolean; is_read: boolean; booked: boolean;
    cost_cents: string | null; hangup_by: string | null; ringing_us: string | null; answered_us: string | null;
  }>(
    `select c.id, c.agent_id, c.status, c.duration_seconds, c.answered_by_voicemail, c.direction, c.call_source,
            (c.started_at at time zone $2)::date::text as day,
            extract(hour from c.started_at at time zone $2)::int as hour,
            a.id as lead_id, a.total_score, a.intent_score, a.urgency_score, a.budget_score, a.fit_score,
            a.engagement_score, a.lead_status_tag, a.cta_pricing_clicked, a.cta_demo_clicked, a.cta_followup_clicked,
            a.cta_sample_clicked, a.cta_escalated_to_human, a.is_read, a.demo_book_datetime is not null as booked,
            c.cost_cents::text as cost_cents, c.hangup_by,
            (extract(epoch from c.ringing_at) * 1000000)::bigint::text as ringing_us,
            (extract(epoch from c.answered_at) * 1000000)::bigint::text as answered_us
       from app_public.calls c
       left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
      where c.user_id = $1`,
    [userId, row.timezone],
  );
  const agents = await pool.query<{ id: string; name: string; is_active: boolean }>(
    `select id, name, is_active from app_public.agents where user_id = $1`,
    [userId],
  );
  const targets = await pool.query<{
    id: string; agent_id: string; period_type: Granularity; period_start: string; target_calls: number | null;
    target_successful_calls: number | null; target_leads: number | null; target_qualified_leads: number | null;
    target_success_rate: string | null; target_conversion_rate: string | null;
  }>(
    `select id, agent_id, period_type, period_start::text as period_start, target_calls, target_successful_calls,
            target_leads, target_qualified_leads, target_success_rate::text, target_conversion_rate::text
       from app_public.agent_targets where user_id = $1`,
    [userId],
  );
  const ledger = await pool.query<{ balance: string }>(
    `select ((select coalesce(sum(amount), 0) from app_public.credit_transactions where user_id = $1)
           + (select coalesce(sum(amount), 0) from app_hidden.credit_charges where user_id = $1))::text as balance`,
    [userId],
  );
  return {
    userId,
    timezone: row.timezone,
    today: row.today,
    calls: calls.rows.map((c) => ({
      id: c.id,
      agentId: c.agent_id,
      status: c.status,
      durationSeconds: c.duration_seconds,
      voicemail: c.answered_by_voicemail,
      direction: c.direction,
      callSource: c.call_source,
      day: c.day,
      hour: c.hour,
      costCents: c.cost_cents,
      hangupBy: c.hangup_by,
      ringingMicros: c.ringing_us === null ? null : BigInt(c.ringing_us),
      answeredMicros: c.answered_us === null ? null : BigInt(c.answered_us),
      lead: c.lead_id === null ? null : {
        id: c.lead_id,
        read: c.is_read,
        totalScore: c.total_score,
        intentScore: c.intent_score,
        urgencyScore: c.urgency_score,
        budgetScore: c.budget_score,
        fitScore: c.fit_score,
        engagementScore: c.engagement_score,
        tag: c.lead_status_tag,
        pricing: c.cta_pricing_clicked,
        demo: c.cta_demo_clicked,
        followup: c.cta_followup_clicked,
        sample: c.cta_sample_clicked,
        human: c.cta_escalated_to_human,
        booked: c.booked,
      },
    })),
    agents: agents.rows.map((a) => ({ id: a.id, name: a.name, isActive: a.is_active })),
    targets: targets.rows.map((t) => ({
      id: t.id,
      agentId: t.agent_id,
      periodType: t.period_type,
      periodStart: t.period_start,
      targetCalls: t.target_calls,
      targetSuccessfulCalls: t.target_successful_calls,
      targetLeads: t.target_leads,
      targetQualifiedLeads: t.target_qualified_leads,
      targetSuccessRate: t.target_success_rate,
      targetConversionRate: t.target_conversion_rate,
    })),
    ledgerBalance: canonical(ledger.rows[0]?.balance ?? '0') ?? '0',
  };
}

// --- measures ------------------------------------------------------------------------

/** Additive totals of a set of calls (exact integers). */
export interface Totals {
  calls: bigint;
  successful: bigint;
  failed: bigint;
  unanswered: bigint;
  talkSeconds: bigint;
  billedMinutes: bigint;
  credits: bigint;
  inbound: bigint;
  outbound: bigint;
  phone: bigint;
  internet: bigint;
  unknownSource: bigint;
  leads: bigint;
  qualified: bigint;
  hot: bigint;
  warm: bigint;
  cold: bigint;
  pricing: bigint;
  demo: bigint;
  followup: bigint;
  sample: bigint;
  human: bigint;
  withCta: bigint;
  scores: Record<ScoreName, { sum: bigint; n: bigint }>;
  voicemail: bigint;
  busy: bigint;
  noAnswer: bigint;
  canceled: bigint;
  agentHangup: bigint;
  callerHangup: bigint;
  answerWaitMs: bigint;
  answerWaitN: bigint;
  /** cost_cents x 10,000 */
  costMicros: bigint;
  costed: bigint;
  ctaInteractions: bigint;
  /** Calls whose analysis booked an appointment. */
  booked: bigint;
}

const SCORE_NAMES = ['totalScore', 'intentScore', 'urgencyScore', 'budgetScore', 'fitScore', 'engagementScore'] as const;
type ScoreName = (typeof SCORE_NAMES)[number];

export type Outcome = 'successful' | 'unanswered' | 'failed' | null;

/** The outcome by the sql/README.md definitions. */
export function outcomeOf(call: Pick<RawCall, 'status' | 'durationSeconds' | 'voicemail'>): Outcome {
  if (call.status === 'completed' && call.durationSeconds > 0 && !call.voicemail) return 'successful';
  if (call.status === 'busy' || call.status === 'no_answer' || call.status === 'completed') return 'unanswered';
  if (call.status === 'failed' || call.status === 'canceled') return 'failed';
  return null;
}

/** Who ended a call, by the provider's hangup_by (case and spaces ignored) and the call's direction. */
export function hangupSide(hangupBy: string | null, direction: string): 'agent' | 'caller' | null {
  const by = (hangupBy ?? '').trim().toLowerCase();
  const agent = ['agent', 'assistant', 'bot', 'ai', 'api request', 'api', 'bolna', 'system'];
  const person = ['user', 'customer', 'human', 'contact'];
  if (agent.includes(by)) return 'agent';
  if (person.includes(by)) return 'caller';
  // Bolna names the legs: the callee of an outbound call and the caller of an inbound one are the person.
  if (by === 'callee') return direction === 'outbound' ? 'caller' : 'agent';
  if (by === 'caller') return direction === 'inbound' ? 'caller' : 'agent';
  return null;
}

/** cost_cents (up to 4 decimals) x 10,000, exactly. */
function costMicros(cents: string): bigint {
  const [int = '0', frac = ''] = cents.split('.');
  if (frac.replace(/0+$/, '').length > 4) throw new Error(`cost ${cents} has more than 4 places`);
  return BigInt(int + frac.padEnd(4, '0').slice(0, 4));
}

/** answered - ringing in milliseconds, rounded half away from zero; null when not counted. */
function answerWaitMs(call: RawCall): bigint | null {
  if (outcomeOf(call) === null || call.ringingMicros === null || call.answeredMicros === null) return null;
  const micros = call.answeredMicros - call.ringingMicros;
  if (micros < 0n) return null;
  return (micros + 500n) / 1000n;
}

export function totalsOf(calls: readonly RawCall[]): Totals {
  const count = (predicate: (call: RawCall) => boolean): bigint => BigInt(calls.filter(predicate).length);
  const sum = (value: (call: RawCall) => number): bigint => calls.reduce((acc, call) => acc + BigInt(value(call)), 0n);
  const leads = calls.filter((call) => call.lead !== null);
  const leadCount = (predicate: (lead: RawLead) => boolean): bigint => BigInt(leads.filter((call) => call.lead && predicate(call.lead)).length);
  const minutes = (call: RawCall): number => Math.ceil(call.durationSeconds / 60);
  const scores = Object.fromEntries(SCORE_NAMES.map((name) => {
    const present = leads.map((call) => call.lead?.[name]).filter((v): v is number => v !== null && v !== undefined);
    return [name, { sum: present.reduce((acc, v) => acc + BigInt(v), 0n), n: BigInt(present.length) }];
  })) as Totals['scores'];
  return {
    calls: BigInt(calls.length),
    successful: count((c) => outcomeOf(c) === 'successful'),
    failed: count((c) => outcomeOf(c) === 'failed'),
    unanswered: count((c) => outcomeOf(c) === 'unanswered'),
    talkSeconds: sum((c) => (outcomeOf(c) === 'successful' ? c.durationSeconds : 0)),
    billedMinutes: sum(minutes),
    credits: sum((c) => (c.status === 'completed' && c.durationSeconds > 0 ? minutes(c) : 0)),
    inbound: count((c) => c.direction === 'inbound'),
    outbound: count((c) => c.direction === 'outbound'),
    phone: count((c) => c.callSource === 'phone'),
    internet: count((c) => c.callSource === 'internet'),
    unknownSource: count((c) => c.callSource === 'unknown'),
    leads: BigInt(leads.length),
    qualified: leadCount((l) => l.totalScore !== null && l.totalScore >= 60),
    hot: leadCount((l) => l.tag === 'hot'),
    warm: leadCount((l) => l.tag === 'warm'),
    cold: leadCount((l) => l.tag === 'cold'),
    pricing: leadCount((l) => l.pricing),
    demo: leadCount((l) => l.demo),
    followup: leadCount((l) => l.followup),
    sample: leadCount((l) => l.sample),
    human: leadCount((l) => l.human),
    withCta: leadCount((l) => l.pricing || l.demo || l.followup || l.sample || l.human),
    scores,
    voicemail: count((c) => c.status === 'completed' && c.voicemail),
    busy: count((c) => c.status === 'busy'),
    noAnswer: count((c) => c.status === 'no_answer'),
    canceled: count((c) => c.status === 'canceled'),
    agentHangup: count((c) => outcomeOf(c) === 'successful' && hangupSide(c.hangupBy, c.direction) === 'agent'),
    callerHangup: count((c) => outcomeOf(c) === 'successful' && hangupSide(c.hangupBy, c.direction) === 'caller'),
    answerWaitMs: calls.reduce((acc, c) => acc + (answerWaitMs(c) ?? 0n), 0n),
    answerWaitN: count((c) => answerWaitMs(c) !== null),
    costMicros: calls.reduce((acc, c) => acc + (c.costCents === null ? 0n : costMicros(c.costCents)), 0n),
    costed: count((c) => c.costCents !== null),
    ctaInteractions: leads.reduce((acc, c) => {
      const l = c.lead;
      return l ? acc + BigInt([l.pricing, l.demo, l.followup, l.sample, l.human].filter(Boolean).length) : acc;
    }, 0n),
    booked: count((c) => c.lead?.booked === true),
  };
}

/** The calls of a tenant-local day range, optionally of one agent. */
export function callsIn(snapshot: Snapshot, from: string, to: string, agentId?: string | null): RawCall[] {
  return snapshot.calls.filter((c) => c.day >= from && c.day <= to && (!agentId || c.agentId === agentId));
}

// --- figures ---------------------------------------------------------------------------

/** KpiFigure, field by field (GraphQL names), normalised. */
export interface Figures {
  calls: string;
  successfulCalls: string;
  failedCalls: string;
  unansweredCalls: string;
  answerRate: string | null;
  successRate: string | null;
  talkSeconds: string;
  averageDurationSeconds: string | null;
  billedMinutes: string;
  creditsUsed: string;
  inboundCalls: string;
  outboundCalls: string;
  leads: string;
  qualifiedLeads: string;
  hotLeads: string;
  warmLeads: string;
  coldLeads: string;
  conversionRate: string | null;
  callsWithCta: string;
  ctaRate: string | null;
  averageLeadScore: string | null;
  averageIntentScore: string | null;
  averageUrgencyScore: string | null;
  averageBudgetScore: string | null;
  averageFitScore: string | null;
  averageEngagementScore: string | null;
  voicemailCalls: string;
  noConversationCalls: string;
  busyCalls: string;
  noAnswerCalls: string;
  canceledCalls: string;
  erroredCalls: string;
  agentHangupCalls: string;
  callerHangupCalls: string;
  otherHangupCalls: string;
  averageTimeToAnswerSeconds: string | null;
  providerCostCents: string | null;
  costedCalls: string;
  costPerCallCents: string | null;
  costPerConnectedMinuteCents: string | null;
  costPerLeadCents: string | null;
  costPerQualifiedLeadCents: string | null;
  ctaInteractions: string;
  ctaCallConversionRate: string | null;
  bookedCalls: string;
  bookingRate: string | null;
  costPerBookedAppointmentCents: string | null;
}

export const FIGURE_FIELDS: ReadonlyArray<keyof Figures> = [
  'calls', 'successfulCalls', 'failedCalls', 'unansweredCalls', 'answerRate', 'successRate', 'talkSeconds',
  'averageDurationSeconds', 'billedMinutes', 'creditsUsed', 'inboundCalls', 'outboundCalls', 'leads',
  'qualifiedLeads', 'hotLeads', 'warmLeads', 'coldLeads', 'conversionRate', 'callsWithCta', 'ctaRate',
  'averageLeadScore', 'averageIntentScore', 'averageUrgencyScore', 'averageBudgetScore', 'averageFitScore',
  'averageEngagementScore', 'voicemailCalls', 'noConversationCalls', 'busyCalls', 'noAnswerCalls', 'canceledCalls',
  'erroredCalls', 'agentHangupCalls', 'callerHangupCalls', 'otherHangupCalls', 'averageTimeToAnswerSeconds',
  'providerCostCents', 'costedCalls', 'costPerCallCents', 'costPerConnectedMinuteCents', 'costPerLeadCents',
  'costPerQualifiedLeadCents', 'ctaInteractions', 'ctaCallConversionRate', 'bookedCalls', 'bookingRate',
  'costPerBookedAppointmentCents',
];

/** Cost in cents per unit (4 places; per minute: units are seconds, unitsPer 60); null without a reported cost or units. */
function costPer(t: Totals, units: bigint, unitsPer = 1n): string | null {
  if (t.costed === 0n) return null;
  return decimalText(roundedScaled(t.costMicros * unitsPer, 10_000n * units, 4), 4);
}

export function figuresOf(t: Totals): Figures {
  return {
    calls: int(t.calls),
    successfulCalls: int(t.successful),
    failedCalls: int(t.failed),
    unansweredCalls: int(t.unanswered),
    answerRate: rate(t.successful, t.successful + t.unanswered),
    successRate: rate(t.successful, t.successful + t.unanswered + t.failed),
    talkSeconds: int(t.talkSeconds),
    averageDurationSeconds: average(t.talkSeconds, t.successful),
    billedMinutes: int(t.billedMinutes),
    creditsUsed: int(t.credits),
    inboundCalls: int(t.inbound),
    outboundCalls: int(t.outbound),
    leads: int(t.leads),
    qualifiedLeads: int(t.qualified),
    hotLeads: int(t.hot),
    warmLeads: int(t.warm),
    coldLeads: int(t.cold),
    conversionRate: rate(t.qualified, t.leads),
    callsWithCta: int(t.withCta),
    ctaRate: rate(t.withCta, t.leads),
    averageLeadScore: average(t.scores.totalScore.sum, t.scores.totalScore.n),
    averageIntentScore: average(t.scores.intentScore.sum, t.scores.intentScore.n),
    averageUrgencyScore: average(t.scores.urgencyScore.sum, t.scores.urgencyScore.n),
    averageBudgetScore: average(t.scores.budgetScore.sum, t.scores.budgetScore.n),
    averageFitScore: average(t.scores.fitScore.sum, t.scores.fitScore.n),
    averageEngagementScore: average(t.scores.engagementScore.sum, t.scores.engagementScore.n),
    voicemailCalls: int(t.voicemail),
    noConversationCalls: int(t.unanswered - t.voicemail - t.busy - t.noAnswer),
    busyCalls: int(t.busy),
    noAnswerCalls: int(t.noAnswer),
    canceledCalls: int(t.canceled),
    erroredCalls: int(t.failed - t.canceled),
    agentHangupCalls: int(t.agentHangup),
    callerHangupCalls: int(t.callerHangup),
    otherHangupCalls: int(t.successful - t.agentHangup - t.callerHangup),
    averageTimeToAnswerSeconds: decimalText(roundedScaled(t.answerWaitMs, t.answerWaitN * 1000n, 2), 2),
    providerCostCents: t.costed === 0n ? null : decimalText(t.costMicros, 4),
    costedCalls: int(t.costed),
    costPerCallCents: costPer(t, t.successful + t.unanswered + t.failed),
    costPerConnectedMinuteCents: costPer(t, t.talkSeconds, 60n),
    costPerLeadCents: costPer(t, t.leads),
    costPerQualifiedLeadCents: costPer(t, t.qualified),
    ctaInteractions: int(t.ctaInteractions),
    ctaCallConversionRate: rate(t.withCta, t.calls),
    bookedCalls: int(t.booked),
    bookingRate: rate(t.booked, t.successful),
    costPerBookedAppointmentCents: costPer(t, t.booked),
  };
}

export function figures(snapshot: Snapshot, from: string, to: string, agentId?: string | null): Figures {
  return figuresOf(totalsOf(callsIn(snapshot, from, to, agentId)));
}

// --- summary and changes ----------------------------------------------------------------

export interface Changes {
  calls: string | null;
  answerRate: string | null;
  successRate: string | null;
  averageDurationSeconds: string | null;
  talkSeconds: string | null;
  leads: string | null;
  qualifiedLeads: string | null;
  hotLeads: string | null;
  conversionRate: string | null;
  ctaRate: string | null;
  creditsUsed: string | null;
}

/** A canonical decimal as an integer scaled by 10^places. */
function scaled(value: string, places: number): bigint {
  const [int = '0', frac = ''] = value.replace('-', '').split('.');
  const magnitude = BigInt(int + frac.padEnd(places, '0').slice(0, places));
  if (frac.length > places) throw new Error(`${value} has more than ${places} places`);
  return value.startsWith('-') ? -magnitude : magnitude;
}

/** (cur - prev) / prev rounded to 4 places; null when prev is 0 or either is null. */
function relative(cur: string | null, prev: string | null, places: number): string | null {
  if (cur === null || prev === null) return null;
  const c = scaled(cur, places);
  const p = scaled(prev, places);
  return rate(c - p, p);
}

/** cur - prev in rate units; null when either is null. */
function difference(cur: string | null, prev: string | null): string | null {
  if (cur === null || prev === null) return null;
  return decimalText(scaled(cur, RATE_PLACES) - scaled(prev, RATE_PLACES), RATE_PLACES);
}

export function changesOf(cur: Figures, prev: Figures): Changes {
  return {
    calls: relative(cur.calls, prev.calls, 0),
    answerRate: difference(cur.answerRate, prev.answerRate),
    successRate: difference(cur.successRate, prev.successRate),
    averageDurationSeconds: relative(cur.averageDurationSeconds, prev.averageDurationSeconds, AVERAGE_PLACES),
    talkSeconds: relative(cur.talkSeconds, prev.talkSeconds, 0),
    leads: relative(cur.leads, prev.leads, 0),
    qualifiedLeads: relative(cur.qualifiedLeads, prev.qualifiedLeads, 0),
    hotLeads: relative(cur.hotLeads, prev.hotLeads, 0),
    conversionRate: difference(cur.conversionRate, prev.conversionRate),
    ctaRate: difference(cur.ctaRate, prev.ctaRate),
    creditsUsed: relative(cur.creditsUsed, prev.creditsUsed, 0),
  };
}

export interface Range {
  fromDate: string;
  toDate: string;
}

/** The API's default range: the 30 tenant-local days ending today (or ending `toDate`). */
export function resolveRange(snapshot: Snapshot, fromDate?: string | null, toDate?: string | null): Range {
  const to = toDate ?? snapshot.today;
  return { fromDate: fromDate ?? addDays(to, -29), toDate: to };
}

export interface Summary {
  fromDate: string;
  toDate: string;
  previousFromDate: string;
  previousToDate: string;
  timezone: string;
  current: Figures;
  previous: Figures;
  change: Changes;
  creditsAvailable: string;
  /** The current period's breakdowns (as the standalone fields). */
  leadTemperature: BreakdownRow[];
  ctaFunnel: BreakdownRow[];
  callSources: BreakdownRow[];
}

export function summary(snapshot: Snapshot, range: Range, agentId?: string | null): Summary {
  const length = daysBetween(range.fromDate, range.toDate);
  const previousFromDate = addDays(range.fromDate, -length);
  const previousToDate = addDays(range.fromDate, -1);
  const current = figures(snapshot, range.fromDate, range.toDate, agentId);
  const previous = figures(snapshot, previousFromDate, previousToDate, agentId);
  return {
    fromDate: range.fromDate,
    toDate: range.toDate,
    previousFromDate,
    previousToDate,
    timezone: snapshot.timezone,
    current,
    previous,
    change: changesOf(current, previous),
    creditsAvailable: snapshot.ledgerBalance,
    leadTemperature: leadTemperature(snapshot, range, agentId),
    ctaFunnel: ctaFunnel(snapshot, range, agentId),
    callSources: callSources(snapshot, range, agentId),
  };
}

// --- series, matrix, leaderboard ----------------------------------------------------------

export interface SeriesPoint {
  periodStart: string;
  periodEnd: string;
  figures: Figures;
}

/** Every bucket from the one holding fromDate to the one holding toDate; only days inside the range count. */
export function series(snapshot: Snapshot, range: Range, unit: Granularity, agentId?: string | null): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let start = bucketStart(range.fromDate, unit); start <= range.toDate; start = bucketNext(start, unit)) {
    const end = addDays(bucketNext(start, unit), -1);
    const from = start < range.fromDate ? range.fromDate : start;
    const to = end > range.toDate ? range.toDate : end;
    points.push({ periodStart: start, periodEnd: end, figures: figures(snapshot, from, to, agentId) });
  }
  return points;
}

export interface HourCell {
  isoWeekday: string;
  hour: string;
  calls: string;
  successfulCalls: string;
  unansweredCalls: string;
  failedCalls: string;
  answerRate: string | null;
  leads: string;
  hotLeads: string;
}

/** All 7 x 24 cells (Monday first, hour 0 first), tenant-wide or of one agent. */
export function hourlyMatrix(snapshot: Snapshot, range: Range, agentId?: string | null): HourCell[] {
  const calls = callsIn(snapshot, range.fromDate, range.toDate, agentId);
  const cells: HourCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday += 1) {
    for (let hour = 0; hour < 24; hour += 1) {
      const t = totalsOf(calls.filter((c) => isoWeekday(c.day) === weekday && c.hour === hour));
      cells.push({
        isoWeekday: String(weekday),
        hour: String(hour),
        calls: int(t.calls),
        successfulCalls: int(t.successful),
        unansweredCalls: int(t.unanswered),
        failedCalls: int(t.failed),
        answerRate: rate(t.successful, t.successful + t.unanswered),
        leads: int(t.leads),
        hotLeads: int(t.hot),
      });
    }
  }
  return cells;
}

/** The cells as one array per measure, weekday-major: entry (isoWeekday - 1) * 24 + hour (dashboardOverview.hourMatrix). */
export type HourMatrix = { [K in Exclude<keyof HourCell, 'isoWeekday' | 'hour'>]: Array<HourCell[K]> };

export function hourMatrix(snapshot: Snapshot, range: Range, agentId?: string | null): HourMatrix {
  const cells = hourlyMatrix(snapshot, range, agentId);
  return {
    calls: cells.map((c) => c.calls),
    successfulCalls: cells.map((c) => c.successfulCalls),
    unansweredCalls: cells.map((c) => c.unansweredCalls),
    failedCalls: cells.map((c) => c.failedCalls),
    answerRate: cells.map((c) => c.answerRate),
    leads: cells.map((c) => c.leads),
    hotLeads: cells.map((c) => c.hotLeads),
  };
}

export interface LeaderboardRow {
  agentId: string;
  name: string;
  isActive: boolean;
  rank: string;
  figures: Figures;
  dailyCalls: string[];
  dailySuccessfulCalls: string[];
}

/**
 * Every agent of the tenant, ranked by qualified leads, then successful calls,
 * then calls (SQL rank(): ties share a rank, the next rank skips), ordered by
 * rank, name, id.
 */
export function leaderboard(snapshot: Snapshot, range: Range): LeaderboardRow[] {
  const days = Array.from({ length: daysBetween(range.fromDate, range.toDate) }, (_, i) => addDays(range.fromDate, i));
  const rows = snapshot.agents.map((agent) => {
    const calls = callsIn(snapshot, range.fromDate, range.toDate, agent.id);
    const totals = totalsOf(calls);
    return {
      agent,
      totals,
      dailyCalls: days.map((day) => String(calls.filter((c) => c.day === day).length)),
      dailySuccessfulCalls: days.map((day) => String(calls.filter((c) => c.day === day && outcomeOf(c) === 'successful').length)),
    };
  });
  const key = (t: Totals): [bigint, bigint, bigint] => [t.qualified, t.successful, t.calls];
  const better = (a: Totals, b: Totals): boolean => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i += 1) {
      if (x[i] !== y[i]) return (x[i] ?? 0n) > (y[i] ?? 0n);
    }
    return false;
  };
  return rows
    .map((row) => ({
      agentId: row.agent.id,
      name: row.agent.name,
      isActive: row.agent.isActive,
      rank: String(1 + rows.filter((other) => better(other.totals, row.totals)).length),
      figures: figuresOf(row.totals),
      dailyCalls: row.dailyCalls,
      dailySuccessfulCalls: row.dailySuccessfulCalls,
    }))
    .sort((a, b) => Number(a.rank) - Number(b.rank) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.agentId < b.agentId ? -1 : 1));
}

// --- breakdowns -------------------------------------------------------------------------------

export interface BreakdownRow {
  key: string;
  label: string;
  value: string;
  share: string | null;
}

function breakdown(rows: Array<[key: string, label: string, value: bigint]>, whole: bigint): BreakdownRow[] {
  return rows.map(([key, label, value]) => ({ key, label, value: int(value), share: rate(value, whole) }));
}

export function leadTemperature(snapshot: Snapshot, range: Range, agentId?: string | null): BreakdownRow[] {
  const t = totalsOf(callsIn(snapshot, range.fromDate, range.toDate, agentId));
  const untagged = totalsOf(callsIn(snapshot, range.fromDate, range.toDate, agentId).filter((c) => c.lead && c.lead.tag === null)).leads;
  return breakdown([['hot', 'Hot', t.hot], ['warm', 'Warm', t.warm], ['cold', 'Cold', t.cold], ['unscored', 'Not tagged', untagged]], t.leads);
}

export function ctaFunnel(snapshot: Snapshot, range: Range, agentId?: string | null): BreakdownRow[] {
  const t = totalsOf(callsIn(snapshot, range.fromDate, range.toDate, agentId));
  return breakdown([
    ['leads', 'Leads', t.leads],
    ['pricing', 'Asked for pricing', t.pricing],
    ['demo', 'Asked for a demo', t.demo],
    ['followup', 'Agreed to a follow-up', t.followup],
    ['human_escalation', 'Escalated to a human', t.human],
    ['sample', 'Asked for a sample', t.sample],
    ['any_cta', 'Any call to action', t.withCta],
  ], t.leads);
}

export function callSources(snapshot: Snapshot, range: Range, agentId?: string | null): BreakdownRow[] {
  const t = totalsOf(callsIn(snapshot, range.fromDate, range.toDate, agentId));
  return breakdown([['phone', 'Phone', t.phone], ['internet', 'Web call', t.internet], ['unknown', 'Unknown', t.unknownSource]], t.calls);
}

// --- targets --------------------------------------------------------------------------------------

export interface TargetProgress {
  targetId: string;
  agentId: string;
  periodType: string;
  periodStart: string;
  /** The first day after the period (exclusive end, as in agent_target_progress). */
  periodEnd: string;
  targetCalls: string | null;
  actualCalls: string;
  callsAchievement: string | null;
  targetSuccessfulCalls: string | null;
  actualSuccessfulCalls: string;
  successfulCallsAchievement: string | null;
  targetLeads: string | null;
  actualLeads: string;
  leadsAchievement: string | null;
  targetQualifiedLeads: string | null;
  actualQualifiedLeads: string;
  qualifiedLeadsAchievement: string | null;
  targetSuccessRate: string | null;
  actualSuccessRate: string | null;
  targetConversionRate: string | null;
  actualConversionRate: string | null;
}

function achievement(actual: bigint, target: number | null): string | null {
  return target === null ? null : rate(actual, BigInt(target));
}

const nullableInt = (n: number | null): string | null => (n === null ? null : String(n));

/**
 * Targets whose period overlaps the range, each with the actuals of its whole
 * period; ordered by period start, agent id, period type.
 */
export function targetsVsActuals(snapshot: Snapshot, range: Range, agentId?: string | null): TargetProgress[] {
  return snapshot.targets
    .map((t) => ({ t, end: bucketNext(t.periodStart, t.periodType) }))
    .filter(({ t, end }) => t.periodStart <= range.toDate && end > range.fromDate && (!agentId || t.agentId === agentId))
    .sort((a, b) =>
      a.t.periodStart < b.t.periodStart ? -1 : a.t.periodStart > b.t.periodStart ? 1
        : a.t.agentId < b.t.agentId ? -1 : a.t.agentId > b.t.agentId ? 1
          : a.t.periodType < b.t.periodType ? -1 : a.t.periodType > b.t.periodType ? 1 : 0)
    .map(({ t, end }) => {
      const a = totalsOf(callsIn(snapshot, t.periodStart, addDays(end, -1), t.agentId));
      return {
        targetId: t.id,
        agentId: t.agentId,
        periodType: t.periodType,
        periodStart: t.periodStart,
        periodEnd: end,
        targetCalls: nullableInt(t.targetCalls),
        actualCalls: int(a.calls),
        callsAchievement: achievement(a.calls, t.targetCalls),
        targetSuccessfulCalls: nullableInt(t.targetSuccessfulCalls),
        actualSuccessfulCalls: int(a.successful),
        successfulCallsAchievement: achievement(a.successful, t.targetSuccessfulCalls),
        targetLeads: nullableInt(t.targetLeads),
        actualLeads: int(a.leads),
        leadsAchievement: achievement(a.leads, t.targetLeads),
        targetQualifiedLeads: nullableInt(t.targetQualifiedLeads),
        actualQualifiedLeads: int(a.qualified),
        qualifiedLeadsAchievement: achievement(a.qualified, t.targetQualifiedLeads),
        targetSuccessRate: canonical(t.targetSuccessRate),
        actualSuccessRate: rate(a.successful, a.successful + a.unanswered + a.failed),
        targetConversionRate: canonical(t.targetConversionRate),
        actualConversionRate: rate(a.qualified, a.leads),
      };
    });
}

// --- bookings (appointments, issue 17 item 4) --------------------------------------------

/** An appointment as the oracle sees it: its agent and the tenant-local day it takes place on. */
export interface RawAppointment {
  agentId: string | null;
  day: string;
  status: string;
  confirmed: boolean;
}

/** A tenant's appointments (PostgreSQL only gives the tenant-local day of scheduled_at). */
export async function loadAppointments(pool: pg.Pool, userId: string): Promise<RawAppointment[]> {
  const { rows } = await pool.query<{ agent_id: string | null; day: string; status: string; confirmed: boolean }>(
    `select p.agent_id, (p.scheduled_at at time zone u.timezone)::date::text as day, p.status,
            p.confirmed_at is not null as confirmed
       from app_public.appointments p join app_public.users u on u.id = p.user_id
      where p.user_id = $1`,
    [userId],
  );
  return rows.map((r) => ({ agentId: r.agent_id, day: r.day, status: r.status, confirmed: r.confirmed }));
}

export interface BookingRow {
  agentId: string | null;
  day: string | null;
  connectedCalls: string;
  bookedCalls: string;
  bookingRate: string | null;
  appointments: string;
  confirmed: string;
  completed: string;
  noShows: string;
  cancelled: string;
  pending: string;
  showRate: string | null;
  noShowRate: string | null;
}

/**
 * bookingKpis by the definitions: booked / connected (successful) calls on the call's day; appointments by
 * status on the appointment's day; show rate completed / (completed + no-show). Rows with nothing to count
 * are left out; ordered by day, then agent (nulls last).
 */
export function bookingKpis(snapshot: Snapshot, appointments: readonly RawAppointment[], range: Range, agentId?: string | null): BookingRow[] {
  interface Cell { agentId: string | null; day: string; connected: bigint; booked: bigint; n: bigint; confirmed: bigint; completed: bigint; noShows: bigint; cancelled: bigint; pending: bigint }
  const cells = new Map<string, Cell>();
  const cell = (agent: string | null, day: string): Cell => {
    const key = `${agent ?? ''}|${day}`;
    let found = cells.get(key);
    if (!found) {
      found = { agentId: agent, day, connected: 0n, booked: 0n, n: 0n, confirmed: 0n, completed: 0n, noShows: 0n, cancelled: 0n, pending: 0n };
      cells.set(key, found);
    }
    return found;
  };
  for (const call of callsIn(snapshot, range.fromDate, range.toDate, agentId)) {
    const c = cell(call.agentId, call.day);
    if (outcomeOf(call) === 'successful') c.connected += 1n;
    if (call.lead?.booked) c.booked += 1n;
  }
  for (const a of appointments) {
    if (a.day < range.fromDate || a.day > range.toDate || (agentId && a.agentId !== agentId)) continue;
    const c = cell(a.agentId, a.day);
    c.n += 1n;
    if (a.confirmed) c.confirmed += 1n;
    if (a.status === 'completed') c.completed += 1n;
    if (a.status === 'no_show') c.noShows += 1n;
    if (a.status === 'cancelled') c.cancelled += 1n;
    if (a.status === 'scheduled' || a.status === 'confirmed' || a.status === 'rescheduled') c.pending += 1n;
  }
  return [...cells.values()]
    .filter((c) => c.connected + c.booked + c.n > 0n)
    .sort((x, y) => (x.day !== y.day ? (x.day < y.day ? -1 : 1) : x.agentId === y.agentId ? 0 : x.agentId === null ? 1 : y.agentId === null ? -1 : x.agentId < y.agentId ? -1 : 1))
    .map((c) => ({
      agentId: c.agentId,
      day: c.day,
      connectedCalls: String(c.connected),
      bookedCalls: String(c.booked),
      bookingRate: rate(c.booked, c.connected),
      appointments: String(c.n),
      confirmed: String(c.confirmed),
      completed: String(c.completed),
      noShows: String(c.noShows),
      cancelled: String(c.cancelled),
      pending: String(c.pending),
      showRate: rate(c.completed, c.completed + c.noShows),
      noShowRate: rate(c.noShows, c.completed + c.noShows),
    }));
}
