/**
 * Drill-down: every figure of the overview and the agent page, followed through
 * the link the dashboard builds for it (dashboard/src/drilldown.ts), opens a call
 * log whose total equals the figure — on the KPI data set, for tenants in three
 * time zones, over real HTTP. Counts: the call log's number of calls equals the
 * figure. Rates and averages: the call log lists the denominator (its count equals
 * the denominator) and its totals recompute the figure exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CARD_FIGURES, DAILY_FIGURES, FUNNEL_FIGURES, HEATMAP_FIGURE, LEADERBOARD_FIGURES, OUTCOME_FIGURES, SOURCE_FIGURES, TEMPERATURE_FIGURES,
  callLogVariables, figureHref, readCallLogFilter,
} from '../../dashboard/src/drilldown.ts';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { okData } from '../helpers/graphql-result.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';

let api: ApiServer;
let data: KpiDataset;

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '100000' } });
  data = await seedKpiDataset(api.db.pool);
});

afterAll(async () => {
  await api?.close();
});

type Figures = Record<string, string | null>;
const FIGURE_FIELDS = 'calls successfulCalls failedCalls unansweredCalls answerRate successRate talkSeconds averageDurationSeconds creditsUsed leads qualifiedLeads hotLeads conversionRate callsWithCta ctaRate';
const SUMMARY = `{ fromDate toDate current { ${FIGURE_FIELDS} } leadTemperature { key value } ctaFunnel { key value } callSources { key value } }`;
const OVERVIEW = `query Overview { dashboardOverview {
  summary ${SUMMARY}
  daily { periodStart figures { ${FIGURE_FIELDS} } }
  leaderboard { agentId figures { ${FIGURE_FIELDS} } }
  hourMatrix { calls }
} }`;
const AGENT_HEATMAP = `query AgentHeatmap($agent: UUID!) { dashboardOverview(agentId: $agent) { summary { fromDate toDate } hourMatrix { calls } } }`;
const AGENT = `query Agent($agent: UUID!) { agentOverview(agentId: $agent) {
  summary ${SUMMARY}
  daily { periodStart figures { ${FIGURE_FIELDS} } }
} }`;
const CALL_LOG = `query Log($from: Date, $to: Date, $agent: UUID, $figure: String, $isoWeekday: Int, $hour: Int) {
  callLog(fromDate: $from, toDate: $to, agentId: $agent, figure: $figure, isoWeekday: $isoWeekday, hour: $hour, pageSize: 1) {
    totals { calls figures { ${FIGURE_FIELDS} } }
  }
}`;

interface Summary {
  fromDate: string;
  toDate: string;
  current: Figures;
  leadTemperature: Array<{ key: string; value: string }>;
  ctaFunnel: Array<{ key: string; value: string }>;
  callSources: Array<{ key: string; value: string }>;
}

/** Rates and averages: the figure's field, and its denominator from the figures it is shown with. */
const RATIOS: Record<string, { field: string; denominator(f: Figures): bigint | null }> = {
  // a sum: the calls that were charged (their number is on no page)
  credits_used: { field: 'creditsUsed', denominator: () => null },
  answer_rate: { field: 'answerRate', denominator: (f) => BigInt(f.successfulCalls ?? 0) + BigInt(f.unansweredCalls ?? 0) },
  success_rate: { field: 'successRate', denominator: (f) => BigInt(f.successfulCalls ?? 0) + BigInt(f.unansweredCalls ?? 0) + BigInt(f.failedCalls ?? 0) },
  average_duration_seconds: { field: 'averageDurationSeconds', denominator: (f) => BigInt(f.successfulCalls ?? 0) },
  talk_seconds: { field: 'talkSeconds', denominator: (f) => BigInt(f.successfulCalls ?? 0) },
  conversion_rate: { field: 'conversionRate', denominator: (f) => BigInt(f.leads ?? 0) },
  cta_rate: { field: 'ctaRate', denominator: (f) => BigInt(f.leads ?? 0) },
};

interface Check {
  label: string;
  href: string;
  /** The figure as the page shows it. */
  value: string | null;
  /** The figures it is shown with (for a ratio's denominator). */
  context: Figures;
}

async function callLogTotals(tenant: KpiTenant, href: string): Promise<{ calls: string; figures: Figures }> {
  const filter = readCallLogFilter(new URL(href, 'http://dashboard').searchParams);
  const v = callLogVariables(filter);
  const vars = { from: v.from, to: v.to, agent: v.agent, figure: v.figure, isoWeekday: v.isoWeekday, hour: v.hour };
  const log = okData(await api.graphql<{ callLog: { totals: { calls: string; figures: Figures } } }>(CALL_LOG, vars, api.tokenFor(tenant.userId)));
  return log.callLog.totals;
}

async function verify(tenant: KpiTenant, checks: Check[]): Promise<void> {
  const failures: string[] = [];
  for (const check of checks) {
    const figure = new URL(check.href, 'http://dashboard').searchParams.get('figure') ?? '';
    const totals = await callLogTotals(tenant, check.href);
    const ratio = RATIOS[figure];
    if (ratio) {
      const got = totals.figures[ratio.field] ?? null;
      const expected = ratio.denominator(check.context);
      const denominator = expected === null ? totals.calls : String(expected);
      if (got !== check.value || totals.calls !== denominator) failures.push(`${check.label}: figure ${check.value} / ${denominator} calls, call log ${got} / ${totals.calls}`);
    } else if (totals.calls !== (check.value ?? '0')) {
      failures.push(`${check.label}: figure ${check.value}, call log ${totals.calls}`);
    }
  }
  expect(failures).toEqual([]);
}

function pageChecks(summary: Summary, daily: Array<{ periodStart: string; figures: Figures }>, agentId: string | null): Check[] {
  const range = { fromDate: summary.fromDate, toDate: summary.toDate, agentId };
  const checks: Check[] = [];
  for (const [card, figure] of Object.entries(CARD_FIGURES)) {
    const field = RATIOS[figure]?.field ?? card;
    checks.push({ label: `card ${card}`, href: figureHref(figure, range), value: summary.current[field] ?? null, context: summary.current });
  }
  const bars: Array<[string, Array<{ key: string; value: string }>, Readonly<Record<string, string>>]> = [
    ['temperature', summary.leadTemperature, TEMPERATURE_FIGURES],
    ['funnel', summary.ctaFunnel, FUNNEL_FIGURES],
    ['source', summary.callSources, SOURCE_FIGURES],
  ];
  for (const [name, rows, figures] of bars) {
    for (const row of rows) {
      const figure = figures[row.key];
      expect(figure, `${name} bar ${row.key} has a drill-down`).toBeDefined();
      checks.push({ label: `${name} ${row.key}`, href: figureHref(figure ?? '', range), value: row.value, context: summary.current });
    }
  }
  for (const point of daily) {
    const day = { ...range, fromDate: point.periodStart, toDate: point.periodStart };
    for (const [segment, figure] of Object.entries(DAILY_FIGURES)) {
      const field = segment === 'talkSeconds' ? 'talkSeconds' : `${segment}Calls`;
      checks.push({ label: `day ${point.periodStart} ${segment}`, href: figureHref(figure, day), value: point.figures[field] ?? null, context: point.figures });
    }
  }
  return checks;
}

describe.each([0, 1, 2])('drill-down, tenant %i (three time zones)', (index) => {
  it('overview: every card, daily bar segment, talk-time point, breakdown bar, heatmap cell and leaderboard cell', async () => {
    const tenant = data.tenants[index]!;
    const overview = okData(await api.graphql<{ dashboardOverview: { summary: Summary; daily: Array<{ periodStart: string; figures: Figures }>; leaderboard: Array<{ agentId: string; figures: Figures }>; hourMatrix: { calls: string[] } } }>(
      OVERVIEW, {}, api.tokenFor(tenant.userId))).dashboardOverview;
    const { summary } = overview;
    expect(BigInt(summary.current.calls ?? 0)).toBeGreaterThan(0n);
    const range = { fromDate: summary.fromDate, toDate: summary.toDate };
    const checks = pageChecks(summary, overview.daily, null);
    overview.hourMatrix.calls.forEach((calls, i) => {
      const isoWeekday = Math.floor(i / 24) + 1;
      const hour = i % 24;
      checks.push({ label: `heatmap ${isoWeekday}/${hour}`, href: figureHref(HEATMAP_FIGURE, { ...range, isoWeekday, hour }), value: calls, context: {} });
    });
    for (const row of overview.leaderboard) {
      for (const [column, figure] of Object.entries(LEADERBOARD_FIGURES)) {
        checks.push({ label: `leaderboard ${row.agentId} ${column}`, href: figureHref(figure, { ...range, agentId: row.agentId }), value: row.figures[column] ?? null, context: row.figures });
      }
    }
    await verify(tenant, checks);
  }, 120_000);

  it('agent page (and the overview filtered to the agent): cards, daily bars, talk time, breakdowns', async () => {
    const tenant = data.tenants[index]!;
    for (const agent of tenant.agents) {
      const page = okData(await api.graphql<{ agentOverview: { summary: Summary; daily: Array<{ periodStart: string; figures: Figures }> } }>(
        AGENT, { agent: agent.id }, api.tokenFor(tenant.userId))).agentOverview;
      await verify(tenant, pageChecks(page.summary, page.daily, agent.id));
      // The overview's heatmap filtered to the agent (agent x hour rollup): every cell opens that agent's calls.
      const filtered = okData(await api.graphql<{ dashboardOverview: { summary: { fromDate: string; toDate: string }; hourMatrix: { calls: string[] } } }>(
        AGENT_HEATMAP, { agent: agent.id }, api.tokenFor(tenant.userId))).dashboardOverview;
      const range = { fromDate: filtered.summary.fromDate, toDate: filtered.summary.toDate, agentId: agent.id };
      await verify(tenant, filtered.hourMatrix.calls.map((calls, i) => ({
        label: `agent ${agent.id} heatmap ${Math.floor(i / 24) + 1}/${i % 24}`,
        href: figureHref(HEATMAP_FIGURE, { ...range, isoWeekday: Math.floor(i / 24) + 1, hour: i % 24 }),
        value: calls,
        context: {},
      })));
    }
  }, 120_000);
});

// --- the insights page's outcomes and cost section (OUTCOME_FIGURES) ---------------------------

const OUTCOME_FIELDS = [...new Set([...Object.keys(OUTCOME_FIGURES), 'calls', 'successfulCalls', 'unansweredCalls', 'failedCalls', 'leads', 'qualifiedLeads', 'costedCalls'])].join(' ');
const OUTCOMES_SUMMARY = `query Outcomes($agent: UUID) { kpiSummary(agentId: $agent) { fromDate toDate current { ${OUTCOME_FIELDS} } } }`;
const OUTCOMES_LOG = `query Log($from: Date, $to: Date, $agent: UUID, $figure: String) {
  callLog(fromDate: $from, toDate: $to, agentId: $agent, figure: $figure, pageSize: 1) { totals { calls figures { ${OUTCOME_FIELDS} } } }
}`;
const n = (f: Figures, field: string): bigint => BigInt(f[field] ?? 0);

/**
 * How each outcome figure's call log relates to it. Counts: the number of calls. Sums and averages whose
 * calls are exactly their contributors: the call log's totals give the figure again (and, for the cost, its
 * calls are the costed calls). Cost rates: the call log lists their denominator (the cost over those calls
 * alone is another figure, so only the count is compared).
 */
const OUTCOME_RULES: Record<string, { denominator?(f: Figures): bigint; recompute: boolean }> = {
  average_time_to_answer_seconds: { recompute: true },
  cta_interactions: { recompute: true },
  credits_used: { recompute: true },
  provider_cost_cents: { denominator: (f) => n(f, 'costedCalls'), recompute: true },
  cost_per_call_cents: { denominator: (f) => n(f, 'successfulCalls') + n(f, 'unansweredCalls') + n(f, 'failedCalls'), recompute: false },
  cost_per_connected_minute_cents: { denominator: (f) => n(f, 'successfulCalls'), recompute: false },
  cost_per_lead_cents: { denominator: (f) => n(f, 'leads'), recompute: false },
  cost_per_qualified_lead_cents: { denominator: (f) => n(f, 'qualifiedLeads'), recompute: false },
  cta_rate: { denominator: (f) => n(f, 'leads'), recompute: true },
  cta_call_conversion_rate: { denominator: (f) => n(f, 'calls'), recompute: true },
};

describe.each([0, 1, 2])('drill-down of the outcomes and cost figures, tenant %i (three time zones)', (index) => {
  it('every disposition and hang-up bar, the time-to-answer, cost and CTA cards open the calls behind them', async () => {
    const tenant = data.tenants[index]!;
    const failures: string[] = [];
    let checked = 0;
    for (const agentId of [null, tenant.agents[1]?.id ?? null]) {
      const summary = okData(await api.graphql<{ kpiSummary: { fromDate: string; toDate: string; current: Figures } }>(
        OUTCOMES_SUMMARY, { agent: agentId }, api.tokenFor(tenant.userId))).kpiSummary;
      for (const [field, figure] of Object.entries(OUTCOME_FIGURES)) {
        const href = figureHref(figure, { fromDate: summary.fromDate, toDate: summary.toDate, agentId });
        const v = callLogVariables(readCallLogFilter(new URL(href, 'http://dashboard').searchParams));
        const totals = okData(await api.graphql<{ callLog: { totals: { calls: string; figures: Figures } } }>(
          OUTCOMES_LOG, { from: v.from, to: v.to, agent: v.agent, figure: v.figure }, api.tokenFor(tenant.userId))).callLog.totals;
        const value = summary.current[field] ?? null;
        const rule = OUTCOME_RULES[figure];
        checked += 1;
        if (!rule) {
          if (totals.calls !== (value ?? '0')) failures.push(`${field} (${agentId ?? 'all'}): figure ${value}, call log ${totals.calls} calls`);
          continue;
        }
        const denominator = rule.denominator?.(summary.current);
        if (denominator !== undefined && totals.calls !== String(denominator)) failures.push(`${field}: ${denominator} calls behind it, call log ${totals.calls}`);
        if (rule.recompute && (totals.figures[field] ?? null) !== value) failures.push(`${field}: figure ${value}, call log ${totals.figures[field]}`);
      }
    }
    expect(checked).toBe(2 * Object.keys(OUTCOME_FIGURES).length);
    expect(failures).toEqual([]);
  }, 120_000);
});
