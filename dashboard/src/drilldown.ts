/**
 * The call log's URL state (filters, sort, drill-down) and the link from every
 * dashboard figure to the calls behind it. Pure functions (no DOM): the call log
 * page, the figures' links and tests/api/drilldown.test.ts all use them.
 *
 * A figure links to the call log with `figure=<key>` (a key of the SQL rule
 * app_hidden.figure_calls, defined next to the measures) plus its slice: the
 * range, the agent, a day, an hour x weekday cell. Counts open the calls that
 * add to them; rates and averages open their denominator (answer rate: the
 * successful and unanswered calls; conversion and CTA rates: the leads; average
 * duration: the successful calls), and the call log's totals show the figure
 * again, computed from exactly those calls.
 */

export const CALL_LOG_PATH = '/calls';

export type CallLogSort = 'started_at' | 'duration' | 'score' | 'credits';
export const CALL_LOG_SORTS: readonly CallLogSort[] = ['started_at', 'duration', 'score', 'credits'];

export const OUTCOMES = ['successful', 'unanswered', 'failed', 'in_progress'] as const;
export const STATUSES = ['scheduled', 'queued', 'initiated', 'ringing', 'in_progress', 'disconnected', 'completed', 'busy', 'no_answer', 'canceled', 'failed'] as const;
export const PROVIDERS = ['bolna', 'twilio', 'vapi', 'retell', 'other'] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export const SOURCES = ['phone', 'internet', 'unknown'] as const;
export const TEMPERATURES = ['hot', 'warm', 'cold', 'untagged'] as const;

/** Everything the call log is filtered by; null / empty = any. Mirrors the arguments of GraphQL `callLog`. */
export interface CallLogFilter {
  fromDate: string | null;
  toDate: string | null;
  agentId: string | null;
  outcomes: string[];
  statuses: string[];
  providers: string[];
  directions: string[];
  sources: string[];
  temperatures: string[];
  minScore: number | null;
  maxScore: number | null;
  minDuration: number | null;
  maxDuration: number | null;
  hasTranscript: boolean | null;
  hasAnalysis: boolean | null;
  hasRecording: boolean | null;
  search: string | null;
  figure: string | null;
  isoWeekday: number | null;
  hour: number | null;
  sort: CallLogSort;
  descending: boolean;
}

export const EMPTY_FILTER: CallLogFilter = {
  fromDate: null, toDate: null, agentId: null, outcomes: [], statuses: [], providers: [], directions: [], sources: [],
  temperatures: [], minScore: null, maxScore: null, minDuration: null, maxDuration: null, hasTranscript: null,
  hasAnalysis: null, hasRecording: null, search: null, figure: null, isoWeekday: null, hour: null,
  sort: 'started_at', descending: true,
};

const LISTS = ['outcomes', 'statuses', 'providers', 'directions', 'sources', 'temperatures'] as const;
const NUMBERS = ['minScore', 'maxScore', 'minDuration', 'maxDuration', 'isoWeekday', 'hour'] as const;
const FLAGS = ['hasTranscript', 'hasAnalysis', 'hasRecording'] as const;
/** URL parameter of each field (short, readable links). */
const PARAM: Record<keyof CallLogFilter, string> = {
  fromDate: 'from', toDate: 'to', agentId: 'agent', outcomes: 'outcome', statuses: 'status', providers: 'provider',
  directions: 'direction', sources: 'source', temperatures: 'temperature', minScore: 'minScore', maxScore: 'maxScore',
  minDuration: 'minDuration', maxDuration: 'maxDuration', hasTranscript: 'transcript', hasAnalysis: 'analysis',
  hasRecording: 'recording', search: 'q', figure: 'figure', isoWeekday: 'weekday', hour: 'hour', sort: 'sort', descending: 'order',
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function integer(value: string | null): number | null {
  if (value === null || !/^-?\d{1,6}$/.test(value)) return null;
  return Number(value);
}

function flag(value: string | null): boolean | null {
  return value === 'yes' ? true : value === 'no' ? false : null;
}

/** The filter in a call log URL's query. Values are passed through as written: the API rejects unknown ones with a coded error. */
export function readCallLogFilter(search: URLSearchParams): CallLogFilter {
  const from = search.get(PARAM.fromDate);
  const to = search.get(PARAM.toDate);
  const sort = search.get(PARAM.sort);
  const filter: CallLogFilter = {
    ...EMPTY_FILTER,
    fromDate: from && DAY.test(from) ? from : null,
    toDate: to && DAY.test(to) ? to : null,
    agentId: search.get(PARAM.agentId) || null,
    search: search.get(PARAM.search) || null,
    figure: search.get(PARAM.figure) || null,
    sort: CALL_LOG_SORTS.find((s) => s === sort) ?? 'started_at',
    descending: search.get(PARAM.descending) !== 'asc',
  };
  for (const key of LISTS) filter[key] = search.getAll(PARAM[key]).flatMap((v) => v.split(',')).filter((v) => v !== '');
  for (const key of NUMBERS) filter[key] = integer(search.get(PARAM[key]));
  for (const key of FLAGS) filter[key] = flag(search.get(PARAM[key]));
  return filter;
}

/** `?from=...&outcome=successful,failed&...` for a filter (defaults left out). */
export function callLogSearch(filter: Partial<CallLogFilter>): string {
  const f = { ...EMPTY_FILTER, ...filter };
  const params = new URLSearchParams();
  if (f.fromDate) params.set(PARAM.fromDate, f.fromDate);
  if (f.toDate) params.set(PARAM.toDate, f.toDate);
  if (f.agentId) params.set(PARAM.agentId, f.agentId);
  for (const key of LISTS) if (f[key].length) params.set(PARAM[key], f[key].join(','));
  for (const key of NUMBERS) { const v = f[key]; if (v !== null) params.set(PARAM[key], String(v)); }
  for (const key of FLAGS) { const v = f[key]; if (v !== null) params.set(PARAM[key], v ? 'yes' : 'no'); }
  if (f.search) params.set(PARAM.search, f.search);
  if (f.figure) params.set(PARAM.figure, f.figure);
  if (f.sort !== 'started_at') params.set(PARAM.sort, f.sort);
  if (!f.descending) params.set(PARAM.descending, 'asc');
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function callLogHref(filter: Partial<CallLogFilter>): string {
  return CALL_LOG_PATH + callLogSearch(filter);
}

/** GraphQL `callLog` variables of a filter (also the CSV export's `filter`). */
export interface CallLogArgs {
  from: string | null; to: string | null; agent: string | null;
  outcomes: string[] | null; statuses: string[] | null; providers: string[] | null;
  directions: string[] | null; sources: string[] | null; temperatures: string[] | null;
  minScore: number | null; maxScore: number | null; minDuration: number | null; maxDuration: number | null;
  hasTranscript: boolean | null; hasAnalysis: boolean | null; hasRecording: boolean | null;
  search: string | null; figure: string | null; isoWeekday: number | null; hour: number | null;
  sort: CallLogSort; descending: boolean;
}

export function callLogVariables(filter: CallLogFilter): CallLogArgs {
  const list = (values: string[]): string[] | null => (values.length ? values : null);
  return {
    from: filter.fromDate, to: filter.toDate, agent: filter.agentId,
    outcomes: list(filter.outcomes), statuses: list(filter.statuses), providers: list(filter.providers),
    directions: list(filter.directions), sources: list(filter.sources), temperatures: list(filter.temperatures),
    minScore: filter.minScore, maxScore: filter.maxScore, minDuration: filter.minDuration, maxDuration: filter.maxDuration,
    hasTranscript: filter.hasTranscript, hasAnalysis: filter.hasAnalysis, hasRecording: filter.hasRecording,
    search: filter.search, figure: filter.figure, isoWeekday: filter.isoWeekday, hour: filter.hour,
    sort: filter.sort, descending: filter.descending,
  };
}

// --- which figure each dashboard number is (keys of app_hidden.figure_calls) ---

/** KPI cards (KpiCards ids). */
export const CARD_FIGURES: Readonly<Record<string, string>> = {
  calls: 'calls', answerRate: 'answer_rate', successRate: 'success_rate', averageDurationSeconds: 'average_duration_seconds',
  leads: 'leads', hotLeads: 'hot_leads', conversionRate: 'conversion_rate', ctaRate: 'cta_rate', creditsUsed: 'credits_used',
};
/** Lead-temperature bars (kpi_breakdown_row keys). */
export const TEMPERATURE_FIGURES: Readonly<Record<string, string>> = {
  hot: 'hot_leads', warm: 'warm_leads', cold: 'cold_leads', unscored: 'untagged_leads',
};
/** CTA funnel steps. */
export const FUNNEL_FIGURES: Readonly<Record<string, string>> = {
  leads: 'leads', pricing: 'cta_pricing', demo: 'cta_demo', followup: 'cta_followup',
  human_escalation: 'cta_human_escalation', sample: 'cta_sample', any_cta: 'calls_with_cta',
};
/** Call-source bars. */
export const SOURCE_FIGURES: Readonly<Record<string, string>> = {
  phone: 'phone_calls', internet: 'internet_calls', unknown: 'unknown_source_calls',
};
/** Stacked segments of the calls-per-day chart, and the talk-time chart. */
export const DAILY_FIGURES: Readonly<Record<string, string>> = {
  successful: 'successful_calls', unanswered: 'unanswered_calls', failed: 'failed_calls', talkSeconds: 'talk_seconds',
};
/** Leaderboard columns (LeaderboardTable keys). */
export const LEADERBOARD_FIGURES: Readonly<Record<string, string>> = {
  calls: 'calls', successRate: 'success_rate', leads: 'leads', qualifiedLeads: 'qualified_leads',
  conversionRate: 'conversion_rate', averageDurationSeconds: 'average_duration_seconds',
};
/** Heatmap cells show calls. */
export const HEATMAP_FIGURE = 'calls';

/** The call log link of a figure over a range (and optionally an agent, a day, a weekday x hour cell). */
export function figureHref(
  figure: string,
  slice: { fromDate: string; toDate: string; agentId?: string | null; isoWeekday?: number; hour?: number },
): string {
  return callLogHref({
    figure, fromDate: slice.fromDate, toDate: slice.toDate, agentId: slice.agentId ?? null,
    isoWeekday: slice.isoWeekday ?? null, hour: slice.hour ?? null,
  });
}

/** The figure of a breakdown bar (lead temperature, CTA funnel, call source), if it has one. */
export function breakdownFigure(chart: 'temperature' | 'funnel' | 'source', key: string): string | undefined {
  const figures = chart === 'temperature' ? TEMPERATURE_FIGURES : chart === 'funnel' ? FUNNEL_FIGURES : SOURCE_FIGURES;
  return figures[key];
}

/** The drill-down links of one page's figures over a range (and agent). */
export function pageDrilldown(slice: { fromDate: string; toDate: string; agentId: string | null }) {
  const day = (day: string) => ({ ...slice, fromDate: day, toDate: day });
  return {
    card: (id: string): string | undefined => { const figure = CARD_FIGURES[id]; return figure ? figureHref(figure, slice) : undefined; },
    daySegment: (day_: string, segment: 'successful' | 'unanswered' | 'failed'): string => figureHref(DAILY_FIGURES[segment] ?? 'calls', day(day_)),
    talkDay: (day_: string): string => figureHref(DAILY_FIGURES.talkSeconds ?? 'talk_seconds', day(day_)),
    breakdown: (chart: 'temperature' | 'funnel' | 'source', key: string): string | undefined => {
      const figure = breakdownFigure(chart, key);
      return figure ? figureHref(figure, slice) : undefined;
    },
    /** The heatmap follows the agent filter (agent x hour rollup), so its cells do too. */
    heatCell: (isoWeekday: number, hour: number): string => figureHref(HEATMAP_FIGURE, { ...slice, isoWeekday, hour }),
    leaderboardCell: (agentId: string, column: string): string => figureHref(LEADERBOARD_FIGURES[column] ?? 'calls', { ...slice, agentId }),
  };
}

/**
 * The insights page's outcomes and cost section, keyed by KpiFigure field: the disposition bars, the
 * hang-up split, the time-to-answer, cost and CTA cards. (Cost per booked appointment is wired elsewhere.)
 */
export const OUTCOME_FIGURES: Readonly<Record<string, string>> = {
  successfulCalls: 'successful_calls', voicemailCalls: 'voicemail_calls', noConversationCalls: 'no_conversation_calls',
  busyCalls: 'busy_calls', noAnswerCalls: 'no_answer_calls', canceledCalls: 'canceled_calls', erroredCalls: 'errored_calls',
  agentHangupCalls: 'agent_hangup_calls', callerHangupCalls: 'caller_hangup_calls', otherHangupCalls: 'other_hangup_calls',
  averageTimeToAnswerSeconds: 'average_time_to_answer_seconds', providerCostCents: 'provider_cost_cents',
  costPerCallCents: 'cost_per_call_cents', costPerConnectedMinuteCents: 'cost_per_connected_minute_cents',
  costPerLeadCents: 'cost_per_lead_cents', costPerQualifiedLeadCents: 'cost_per_qualified_lead_cents',
  ctaInteractions: 'cta_interactions', ctaCallConversionRate: 'cta_call_conversion_rate', ctaRate: 'cta_rate',
  creditsUsed: 'credits_used',
};
