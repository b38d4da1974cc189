/**
 * Every KPI field of the GraphQL API, over real HTTP as the tenant's JWT,
 * equals the independent oracle (tests/helpers/kpi-oracle.ts: raw calls and
 * analyses, never the rollups) on the seeded dataset (tests/helpers/kpi-dataset.ts,
 * part compacted, part pending deltas): default range, a range crossing a month
 * boundary, single days around local midnight, a range without calls, all
 * history, each agent, every granularity, for tenants in three time zones.
 * Also: invalid ranges, data freshness, and the admin-only KPI summaries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { errorCode, okData } from '../helpers/graphql-result.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import {
  addDays, callsIn, ctaFunnel, callSources, FIGURE_FIELDS, figures, hourlyMatrix, hourMatrix, leaderboard, leadTemperature,
  loadSnapshot, normalise, resolveRange, series, summary, targetsVsActuals, totalsOf,
  type Changes, type Granularity, type HourCell, type Range, type Snapshot, type Summary, type TargetProgress,
} from '../helpers/kpi-oracle.ts';

let api: ApiServer;
let data: KpiDataset;
const snapshots = new Map<string, Snapshot>();

beforeAll(async () => {
  // (a generous rate limit: this file sends many requests per tenant)
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  data = await seedKpiDataset(api.db.pool);
  for (const tenant of [...data.tenants, data.admin]) snapshots.set(tenant.userId, await loadSnapshot(api.db.pool, tenant.userId));
});

afterAll(async () => {
  await api?.close();
});

// --- the GraphQL documents (every field of every KPI type; checked against the schema below) ---

const CHANGE_FIELDS: ReadonlyArray<keyof Changes> = [
  'calls', 'answerRate', 'successRate', 'averageDurationSeconds', 'talkSeconds', 'leads', 'qualifiedLeads',
  'hotLeads', 'conversionRate', 'ctaRate', 'creditsUsed',
];
const HOUR_FIELDS: ReadonlyArray<keyof HourCell> = [
  'isoWeekday', 'hour', 'calls', 'successfulCalls', 'unansweredCalls', 'failedCalls', 'answerRate', 'leads', 'hotLeads',
];
const TARGET_FIELDS: ReadonlyArray<keyof TargetProgress> = [
  'targetId', 'agentId', 'periodType', 'periodStart', 'periodEnd', 'targetCalls', 'actualCalls', 'callsAchievement',
  'targetSuccessfulCalls', 'actualSuccessfulCalls', 'successfulCallsAchievement', 'targetLeads', 'actualLeads',
  'leadsAchievement', 'targetQualifiedLeads', 'actualQualifiedLeads', 'qualifiedLeadsAchievement', 'targetSuccessRate',
  'actualSuccessRate', 'targetConversionRate', 'actualConversionRate',
];
const FIGURE = `{ ${FIGURE_FIELDS.join(' ')} }`;
const BREAKDOWN = '{ key label value share }';
const SUMMARY = `{ fromDate toDate previousFromDate previousToDate timezone current ${FIGURE} previous ${FIGURE}
  change { ${CHANGE_FIELDS.join(' ')} } creditsAvailable leadTemperature ${BREAKDOWN} ctaFunnel ${BREAKDOWN} callSources ${BREAKDOWN} }`;
const SERIES = `{ periodStart periodEnd figures ${FIGURE} }`;
const TARGETS = `{ ${TARGET_FIELDS.join(' ')} }`;
const HOURS = `{ ${HOUR_FIELDS.join(' ')} }`;
const HOUR_MATRIX_FIELDS = HOUR_FIELDS.filter((f) => f !== 'isoWeekday' && f !== 'hour');
const HOUR_MATRIX = `{ ${HOUR_MATRIX_FIELDS.join(' ')} }`;
const LEADERBOARD = `{ agentId name isActive rank figures ${FIGURE} dailyCalls dailySuccessfulCalls }`;

/** Every per-range KPI field for one range and optional agent, in one request. */
const RANGE_QUERY = `query RangeKpis($from: Date, $to: Date, $agent: UUID) {
  kpiSummary(fromDate: $from, toDate: $to, agentId: $agent) ${SUMMARY}
  day: kpiSeries(fromDate: $from, toDate: $to, granularity: DAY, agentId: $agent) ${SERIES}
  week: kpiSeries(fromDate: $from, toDate: $to, granularity: WEEK, agentId: $agent) ${SERIES}
  month: kpiSeries(fromDate: $from, toDate: $to, granularity: MONTH, agentId: $agent) ${SERIES}
  leadTemperature(fromDate: $from, toDate: $to, agentId: $agent) ${BREAKDOWN}
  ctaFunnel(fromDate: $from, toDate: $to, agentId: $agent) ${BREAKDOWN}
  callSourceBreakdown(fromDate: $from, toDate: $to, agentId: $agent) ${BREAKDOWN}
  targetsVsActuals(fromDate: $from, toDate: $to, agentId: $agent) ${TARGETS}
}`;

/** The tenant-wide fields (no agent filter). */
const TENANT_QUERY = `query TenantKpis($from: Date, $to: Date) {
  kpiHourlyMatrix(fromDate: $from, toDate: $to) ${HOURS}
  agentLeaderboard(fromDate: $from, toDate: $to) ${LEADERBOARD}
}`;

/** Everything with no arguments at all: the default range (and granularity). */
const DEFAULT_QUERY = `{
  kpiSummary ${SUMMARY}
  kpiSeries ${SERIES}
  leadTemperature ${BREAKDOWN}
  ctaFunnel ${BREAKDOWN}
  callSourceBreakdown ${BREAKDOWN}
  targetsVsActuals ${TARGETS}
  kpiHourlyMatrix ${HOURS}
  agentLeaderboard ${LEADERBOARD}
}`;

type Data = Record<string, unknown>;

function snapshotOf(tenant: KpiTenant): Snapshot {
  const snapshot = snapshots.get(tenant.userId);
  if (!snapshot) throw new Error(`no snapshot for ${tenant.key}`);
  return snapshot;
}

function tenant(key: string): KpiTenant {
  const found = [...data.tenants, data.admin].find((t) => t.key === key);
  if (!found) throw new Error(`no tenant ${key}`);
  return found;
}

async function query(t: KpiTenant, document: string, variables: Record<string, unknown> = {}): Promise<Data> {
  return okData(await api.graphql<Data>(document, variables, api.tokenFor(t.userId, t.role === 'admin' ? 'app_admin' : 'app_user')));
}

/**
 * The oracle's summary, normalised. A composite whose fields are all null is
 * NULL in PostgreSQL (`row(null, ...) is null`), and PostGraphile returns it as
 * null: when nothing can be compared (no previous period) `change` comes back
 * as null rather than an object of nulls. Both are accepted then, nothing else.
 */
function expectedSummary(expected: Summary, actual: unknown): unknown {
  const allNull = Object.values(expected.change).every((v) => v === null);
  const actualChange = typeof actual === 'object' && actual !== null ? (actual as Record<string, unknown>).change : undefined;
  return normalise(allNull && actualChange === null ? { ...expected, change: null } : expected);
}

/** Where RANGE_QUERY puts each granularity's series. */
const SERIES_ALIASES: ReadonlyArray<[Granularity, string]> = [['day', 'day'], ['week', 'week'], ['month', 'month']];

/** Each per-range field equals the oracle (normalised: numbers as canonical decimal strings). */
function expectRangeFields(
  answer: Data, snapshot: Snapshot, range: Range, agentId: string | null, label: string,
  seriesAliases: ReadonlyArray<[Granularity, string]> = SERIES_ALIASES,
): void {
  expect(normalise(answer.kpiSummary), `${label}: kpiSummary`).toEqual(expectedSummary(summary(snapshot, range, agentId), answer.kpiSummary));
  for (const [unit, alias] of seriesAliases) {
    expect(normalise(answer[alias]), `${label}: kpiSeries ${unit}`).toEqual(normalise(series(snapshot, range, unit, agentId)));
  }
  expect(normalise(answer.leadTemperature), `${label}: leadTemperature`).toEqual(normalise(leadTemperature(snapshot, range, agentId)));
  expect(normalise(answer.ctaFunnel), `${label}: ctaFunnel`).toEqual(normalise(ctaFunnel(snapshot, range, agentId)));
  expect(normalise(answer.callSourceBreakdown), `${label}: callSourceBreakdown`).toEqual(normalise(callSources(snapshot, range, agentId)));
  expect(normalise(answer.targetsVsActuals), `${label}: targetsVsActuals`).toEqual(normalise(targetsVsActuals(snapshot, range, agentId)));
}

async function expectRange(t: KpiTenant, range: Range, agentId: string | null = null): Promise<Data> {
  const label = `${t.key} ${range.fromDate}..${range.toDate}${agentId ? ` agent ${agentId}` : ''}`;
  const answer = await query(t, RANGE_QUERY, { from: range.fromDate, to: range.toDate, agent: agentId });
  expectRangeFields(answer, snapshotOf(t), range, agentId, label);
  return answer;
}

async function expectTenantWide(t: KpiTenant, range: Range): Promise<Data> {
  const snapshot = snapshotOf(t);
  const answer = await query(t, TENANT_QUERY, { from: range.fromDate, to: range.toDate });
  expect(normalise(answer.kpiHourlyMatrix), `${t.key}: kpiHourlyMatrix`).toEqual(normalise(hourlyMatrix(snapshot, range)));
  expect(normalise(answer.agentLeaderboard), `${t.key}: agentLeaderboard`).toEqual(normalise(leaderboard(snapshot, range)));
  return answer;
}

/** The tenant's local date now, as the database sees it. */
async function localToday(t: KpiTenant): Promise<string> {
  const { rows } = await api.db.pool.query<{ today: string }>(`select (now() at time zone $1)::date::text as today`, [t.timezone]);
  const today = rows[0]?.today;
  if (!today) throw new Error('no today');
  return today;
}

function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

// --- the schema: the documents above ask for every field ---------------------------------

describe('the documents cover every KPI field of the schema', () => {
  it.each([
    ['KpiFigure', [...FIGURE_FIELDS]],
    ['KpiChange', [...CHANGE_FIELDS]],
    ['KpiHourCell', [...HOUR_FIELDS]],
    ['KpiHourMatrix', [...HOUR_MATRIX_FIELDS]],
    ['KpiBreakdownRow', ['key', 'label', 'value', 'share']],
    ['KpiSeriesPoint', ['periodStart', 'periodEnd', 'figures']],
    ['AgentLeaderboardRow', ['agentId', 'name', 'isActive', 'rank', 'figures', 'dailyCalls', 'dailySuccessfulCalls']],
    ['KpiRangeSummary', ['fromDate', 'toDate', 'previousFromDate', 'previousToDate', 'timezone', 'current', 'previous', 'change',
      'creditsAvailable', 'leadTemperature', 'ctaFunnel', 'callSources']],
    ['DashboardOverview', ['summary', 'daily', 'leaderboard', 'hourMatrix', 'freshness', 'unreadNotifications', 'notifications']],
    ['AgentOverview', ['agent', 'summary', 'daily', 'targets', 'recentCalls']],
    ['TargetProgressItem', [...TARGET_FIELDS, 'userId']],
    ['RecentCallItem', ['callId', 'startedAt', 'status', 'outcome', 'direction', 'callSource', 'durationSeconds', 'phoneNumber',
      'callerName', 'hasTranscript', 'analysisStatus', 'totalScore', 'leadStatusTag', 'smartNotification']],
    ['NotificationItem', ['leadAnalyticId', 'callId', 'phoneNumber', 'extractedName', 'companyName', 'leadStatusTag', 'totalScore',
      'smartNotification', 'demoBookDatetime', 'analyzedAt', 'contactId', 'agentId', 'startedAt', 'isRead']],
    ['DataFreshness', ['serverTime', 'rollupsCompactedAt', 'pendingRollupChanges', 'kpiSummaryRefreshedAt', 'latestCallAt',
      'answeredBy', 'replicaReplayLagSeconds', 'replicaReplayLagBytes']],
    // (plus the node id, the tenant and the agent relation, which are not KPIs)
    ['AgentTargetProgress', [...TARGET_FIELDS, 'id', 'userId', 'agent']],
  ])('%s', async (typeName, fields) => {
    const answer = await query(tenant('utc'), `query ($name: String!) { __type(name: $name) { fields { name } } }`, { name: typeName });
    const type = answer.__type as { fields: Array<{ name: string }> } | null;
    expect(type?.fields.map((f) => f.name).sort()).toEqual([...fields].sort());
  });
});

// --- the dataset is what the tests need --------------------------------------------------

describe('the dataset', () => {
  it('has every outcome, voicemail, zero-duration completed calls, leads with and without tags and scores, and pending deltas', async () => {
    for (const t of data.tenants) {
      const calls = snapshotOf(t).calls;
      const statuses = new Set(calls.map((c) => c.status));
      expect([...statuses].sort()).toEqual(
        ['busy', 'canceled', 'completed', 'disconnected', 'failed', 'in_progress', 'initiated', 'no_answer', 'queued', 'ringing', 'scheduled'],
      );
      expect(calls.some((c) => c.status === 'completed' && c.voicemail)).toBe(true);
      expect(calls.some((c) => c.status === 'completed' && c.durationSeconds === 0)).toBe(true);
      expect(calls.some((c) => c.lead && c.lead.tag === null)).toBe(true);
      expect(calls.some((c) => c.lead && c.lead.totalScore === null)).toBe(true);
      expect(calls.some((c) => c.lead && c.lead.totalScore === 60)).toBe(true);
      expect(new Set(calls.map((c) => c.callSource)).size).toBe(3);
      // the outcome and cost figures have something to count: costs reported and not, both hang-up sides
      // (Bolna's Callee and Caller legs included), answers after and before ringing
      const all = figures(snapshotOf(t), '2000-01-01', '2100-01-01');
      for (const field of ['costedCalls', 'agentHangupCalls', 'callerHangupCalls', 'otherHangupCalls', 'ctaInteractions', 'erroredCalls', 'noConversationCalls'] as const) {
        expect(Number(all[field]), field).toBeGreaterThan(0);
      }
      expect(calls.some((c) => c.costCents === null && c.status === 'completed')).toBe(true);
      expect(calls.some((c) => c.hangupBy === 'Callee' && c.direction === 'inbound')).toBe(true);
      expect(calls.some((c) => c.ringingMicros !== null && c.answeredMicros !== null && c.answeredMicros < c.ringingMicros)).toBe(true);
      expect(Number(all.averageTimeToAnswerSeconds)).toBeGreaterThan(0);
      const { rows } = await api.db.pool.query<{ deltas: string; rollups: string }>(
        `select (select count(*) from app_hidden.rollup_deltas where user_id = $1)::text as deltas,
                (select count(*) from app_public.user_analytics where user_id = $1)::text as rollups`,
        [t.userId],
      );
      expect(Number(rows[0]?.deltas)).toBeGreaterThan(0);
      expect(Number(rows[0]?.rollups)).toBeGreaterThan(0);
    }
  });

  it('puts calls on both sides of tenant-local midnight, so bucketing in UTC would give other days', async () => {
    const t = tenant('kolkata');
    const range = { fromDate: addDays(snapshotOf(t).today, -74), toDate: snapshotOf(t).today };
    const inUtc = await loadSnapshot(api.db.pool, t.userId, { timezone: 'UTC' });
    const answer = await query(t, RANGE_QUERY, { from: range.fromDate, to: range.toDate, agent: null });
    expect(normalise(answer.day)).toEqual(normalise(series(snapshotOf(t), range, 'day')));
    expect(normalise(answer.day)).not.toEqual(normalise(series(inUtc, range, 'day')));
  });
});

// --- every KPI field against the oracle -------------------------------------------------------

describe.each(['kolkata', 'newyork', 'utc'])('tenant %s', (key) => {
  it('default range (the 30 tenant-local days ending today) and default granularity', async () => {
    const t = tenant(key);
    const before = await localToday(t);
    const answer = await query(t, DEFAULT_QUERY);
    const after = await localToday(t);
    const got = answer.kpiSummary as { fromDate: string; toDate: string };
    expect([before, after]).toContain(got.toDate);
    expect(got.fromDate).toBe(addDays(got.toDate, -29));
    const range = { fromDate: got.fromDate, toDate: got.toDate };
    expect(range).toEqual(resolveRange({ ...snapshotOf(t), today: got.toDate }));
    const snapshot = snapshotOf(t);
    expectRangeFields(answer, snapshot, range, null, `${key} default`, [['day', 'kpiSeries']]);
    expect(normalise(answer.kpiHourlyMatrix)).toEqual(normalise(hourlyMatrix(snapshot, range)));
    expect(normalise(answer.agentLeaderboard)).toEqual(normalise(leaderboard(snapshot, range)));
    // The figures are not trivial.
    expect(Number(figures(snapshot, range.fromDate, range.toDate).leads)).toBeGreaterThan(10);
  });

  it('all history (75 days): the previous period is empty, so relative changes are null', async () => {
    const t = tenant(key);
    const snapshot = snapshotOf(t);
    const range = { fromDate: addDays(snapshot.today, -80), toDate: snapshot.today };
    const answer = await expectRange(t, range);
    await expectTenantWide(t, range);
    const s = answer.kpiSummary as { current: { calls: string }; change: Record<string, unknown> | null };
    expect(s.current.calls).toBe(String(snapshot.calls.length));
    expect(Object.values(s.change ?? {}).every((v) => v === null)).toBe(true);
  });

  it('a range crossing a month boundary (weeks and months cut at the range ends)', async () => {
    const t = tenant(key);
    const snapshot = snapshotOf(t);
    const lastMonth = monthStart(addDays(monthStart(snapshot.today), -1));
    const range = { fromDate: addDays(lastMonth, -9), toDate: addDays(lastMonth, 12) };
    const answer = await expectRange(t, range);
    await expectTenantWide(t, range);
    expect((answer.month as unknown[]).length).toBe(2);
  });

  it('single days around tenant-local midnight', async () => {
    const t = tenant(key);
    const today = snapshotOf(t).today;
    for (const day of [addDays(today, -3), addDays(today, -30), addDays(today, -31), today]) {
      await expectRange(t, { fromDate: day, toDate: day });
    }
    await expectTenantWide(t, { fromDate: addDays(today, -3), toDate: addDays(today, -3) });
  });

  it('each agent (active, inactive with history, never called)', async () => {
    const t = tenant(key);
    const snapshot = snapshotOf(t);
    const range = { fromDate: addDays(snapshot.today, -44), toDate: addDays(snapshot.today, -2) };
    for (const agent of t.agents) await expectRange(t, range, agent.id);
  });
});

describe('edge cases', () => {
  it('a range without calls: zeros, null rates and averages, null changes, zero-filled buckets', async () => {
    const t = tenant('newyork');
    const range = { fromDate: '2021-02-20', toDate: '2021-03-09' };
    const answer = await expectRange(t, range);
    await expectTenantWide(t, range);
    const s = answer.kpiSummary as { current: Record<string, unknown>; change: Record<string, unknown> | null };
    expect(s.current.calls).toBe('0');
    expect(s.current.successRate).toBeNull();
    expect(s.current.averageDurationSeconds).toBeNull();
    expect(Object.values(s.change ?? {}).every((v) => v === null)).toBe(true);
    expect((answer.day as unknown[]).length).toBe(18);
    expect((answer.month as Array<{ periodStart: string }>).map((p) => p.periodStart)).toEqual(['2021-02-01', '2021-03-01']);
  });

  it('only toDate: the 30 days ending then; only fromDate: from then to today', async () => {
    const t = tenant('kolkata');
    const snapshot = snapshotOf(t);
    const to = addDays(snapshot.today, -10);
    const onlyTo = await query(t, RANGE_QUERY, { to });
    expectRangeFields(onlyTo, snapshot, { fromDate: addDays(to, -29), toDate: to }, null, 'only toDate');
    const from = addDays(snapshot.today, -5);
    const before = await localToday(t);
    const onlyFrom = await query(t, RANGE_QUERY, { from });
    const after = await localToday(t);
    const got = onlyFrom.kpiSummary as { toDate: string };
    expect([before, after]).toContain(got.toDate);
    expectRangeFields(onlyFrom, snapshot, { fromDate: from, toDate: got.toDate }, null, 'only fromDate');
  });

  it('the agent filter counts only that agent (the agents add up to the tenant)', async () => {
    const t = tenant('kolkata');
    const snapshot = snapshotOf(t);
    const range = { fromDate: addDays(snapshot.today, -29), toDate: snapshot.today };
    let calls = 0;
    for (const agent of t.agents) {
      const answer = await query(t, `query ($from: Date, $to: Date, $agent: UUID) { kpiSummary(fromDate: $from, toDate: $to, agentId: $agent) { current { calls } } }`,
        { from: range.fromDate, to: range.toDate, agent: agent.id });
      const got = Number((answer.kpiSummary as { current: { calls: string } }).current.calls);
      expect(got).toBe(callsIn(snapshot, range.fromDate, range.toDate, agent.id).length);
      calls += got;
    }
    expect(calls).toBe(callsIn(snapshot, range.fromDate, range.toDate).length);
  });

  it('creditsAvailable is the opening balance plus purchases minus the credits of every call', async () => {
    for (const t of data.tenants) {
      const answer = await query(t, `{ kpiSummary { creditsAvailable } }`);
      const used = totalsOf(snapshotOf(t).calls).credits;
      expect(String((answer.kpiSummary as { creditsAvailable: number }).creditsAvailable)).toBe(String(100n + 5000n - used));
    }
  });
});

describe('the page-shaped fields return the same figures', () => {
  const OVERVIEW = `query ($from: Date, $to: Date) { dashboardOverview(fromDate: $from, toDate: $to) {
    summary ${SUMMARY} daily ${SERIES} leaderboard ${LEADERBOARD} hourMatrix ${HOUR_MATRIX} freshness { pendingRollupChanges } } }`;
  const AGENT = `query ($agent: UUID!, $from: Date, $to: Date) { agentOverview(agentId: $agent, fromDate: $from, toDate: $to) {
    agent { agentId name isActive } summary ${SUMMARY} daily ${SERIES} targets ${TARGETS} }
    targetsVsActuals(agentId: $agent, fromDate: $from, toDate: $to) ${TARGETS} }`;

  it.each(['kolkata', 'newyork'])('dashboardOverview (%s)', async (key) => {
    const t = tenant(key);
    const snapshot = snapshotOf(t);
    const lastMonth = monthStart(addDays(monthStart(snapshot.today), -1));
    const range = { fromDate: addDays(lastMonth, -3), toDate: addDays(lastMonth, 20) };
    const answer = (await query(t, OVERVIEW, { from: range.fromDate, to: range.toDate })).dashboardOverview as Data;
    expect(normalise(answer.summary)).toEqual(expectedSummary(summary(snapshot, range), answer.summary));
    expect(normalise(answer.daily)).toEqual(normalise(series(snapshot, range, 'day')));
    expect(normalise(answer.leaderboard)).toEqual(normalise(leaderboard(snapshot, range)));
    expect(normalise(answer.hourMatrix)).toEqual(normalise(hourMatrix(snapshot, range)));
    const { rows } = await api.db.pool.query<{ n: string }>(`select count(*)::text as n from app_hidden.rollup_deltas where user_id = $1`, [t.userId]);
    expect(answer.freshness).toEqual({ pendingRollupChanges: rows[0]?.n });
  });

  it('dashboardOverview with the default range', async () => {
    const t = tenant('utc');
    const answer = (await query(t, `{ dashboardOverview { summary ${SUMMARY} daily ${SERIES} leaderboard ${LEADERBOARD} hourMatrix ${HOUR_MATRIX} } }`)).dashboardOverview as Data;
    const got = answer.summary as { fromDate: string; toDate: string };
    const range = { fromDate: got.fromDate, toDate: got.toDate };
    expect(got.fromDate).toBe(addDays(got.toDate, -29));
    const snapshot = snapshotOf(t);
    expect(normalise(answer.summary)).toEqual(expectedSummary(summary(snapshot, range), answer.summary));
    expect(normalise(answer.daily)).toEqual(normalise(series(snapshot, range, 'day')));
    expect(normalise(answer.leaderboard)).toEqual(normalise(leaderboard(snapshot, range)));
    expect(normalise(answer.hourMatrix)).toEqual(normalise(hourMatrix(snapshot, range)));
  });

  it('agentOverview for each agent; zeros and no agent for another tenant\'s agent', async () => {
    const t = tenant('kolkata');
    const snapshot = snapshotOf(t);
    const range = { fromDate: addDays(snapshot.today, -35), toDate: addDays(snapshot.today, -1) };
    const other = tenant('newyork').agents[0]?.id;
    for (const agentId of [...t.agents.map((a) => a.id), other]) {
      const both = await query(t, AGENT, { agent: agentId, from: range.fromDate, to: range.toDate });
      const answer = both.agentOverview as Data;
      const expectedAgent = agentId === other ? '00000000-0000-0000-0000-000000000000' : agentId;
      const own = t.agents.find((a) => a.id === agentId);
      expect(answer.agent, agentId).toEqual(own ? { agentId: own.id, name: own.name, isActive: own.isActive } : null);
      expect(normalise(answer.summary), agentId).toEqual(expectedSummary(summary(snapshot, range, expectedAgent), answer.summary));
      expect(normalise(answer.daily), agentId).toEqual(normalise(series(snapshot, range, 'day', expectedAgent)));
      // Targets in targetsVsActuals' order, inside the page and as the standalone field.
      expect(normalise(both.targetsVsActuals), agentId).toEqual(normalise(targetsVsActuals(snapshot, range, expectedAgent)));
      expect(normalise(answer.targets), agentId).toEqual(normalise(targetsVsActuals(snapshot, range, expectedAgent)));
    }
  });

  it('agentOverview.recentCalls: the agent\'s 20 latest calls, newest first, with their analysis', async () => {
    const t = tenant('kolkata');
    const agentId = t.agents[0]?.id;
    const { rows } = await api.db.pool.query<{ id: string; score: number | null; transcript: boolean }>(
      `select c.id, a.total_score as score, exists (select 1 from app_public.transcripts x where x.call_id = c.id) as transcript
         from app_public.calls c left join app_public.lead_analytics a on a.call_id = c.id
        where c.agent_id = $1 order by c.started_at desc, c.id desc limit 20`,
      [agentId],
    );
    expect(rows.length).toBe(20);
    const answer = await query(t, `query ($agent: UUID!) { agentOverview(agentId: $agent) { recentCalls { callId totalScore hasTranscript } } }`, { agent: agentId });
    const calls = (answer.agentOverview as { recentCalls: Array<{ callId: string; totalScore: number | null; hasTranscript: boolean }> }).recentCalls;
    expect(calls).toEqual(rows.map((row) => ({ callId: row.id, totalScore: row.score, hasTranscript: row.transcript })));
  });

  it('targetsVsActuals come in order (period start, agent, period type)', async () => {
    const t = tenant('kolkata');
    const snapshot = snapshotOf(t);
    const range = { fromDate: addDays(snapshot.today, -35), toDate: addDays(snapshot.today, -1) };
    const agentId = t.agents[0]?.id;
    const answer = await query(t, `query ($agent: UUID!, $from: Date, $to: Date) {
      targetsVsActuals(agentId: $agent, fromDate: $from, toDate: $to) { periodStart periodType } }`,
    { agent: agentId, from: range.fromDate, to: range.toDate });
    const expected = targetsVsActuals(snapshot, range, agentId).map((row) => ({ periodStart: row.periodStart, periodType: row.periodType }));
    expect(expected.length).toBeGreaterThan(2);
    expect(answer.targetsVsActuals).toEqual(expected);
  });

  // The hot-lead inbox (unreadNotifications, notifications): tests/api/leads.test.ts.

  it('dashboardOverview refuses an invalid range', async () => {
    const result = await api.graphql(`{ dashboardOverview(fromDate: "2026-03-02", toDate: "2026-03-01") { summary { fromDate } } }`, {}, api.tokenFor(tenant('utc').userId));
    expect(errorCode(result)).toBe('INVALID_DATE_RANGE');
  });
});

describe('invalid ranges', () => {
  const t = (): KpiTenant => tenant('utc');

  it.each([
    ['kpiSummary', `{ kpiSummary(fromDate: "2026-02-10", toDate: "2026-02-01") { fromDate } }`],
    ['kpiSeries', `{ kpiSeries(fromDate: "2026-02-10", toDate: "2026-02-01", granularity: WEEK) { periodStart } }`],
    ['kpiHourlyMatrix', `{ kpiHourlyMatrix(fromDate: "2026-02-10", toDate: "2026-02-09") { hour } }`],
    ['agentLeaderboard', `{ agentLeaderboard(fromDate: "2026-02-10", toDate: "2026-02-09") { rank } }`],
    ['leadTemperature', `{ leadTemperature(fromDate: "2026-02-10", toDate: "2026-02-09") { key } }`],
    ['targetsVsActuals', `{ targetsVsActuals(fromDate: "2026-02-10", toDate: "2026-02-09") { targetId } }`],
    ['kpiSummary over 3660 days', `{ kpiSummary(fromDate: "2000-01-01", toDate: "2010-12-31") { fromDate } }`],
    ['agentLeaderboard over 366 days', `{ agentLeaderboard(fromDate: "2024-01-01", toDate: "2025-01-01") { rank } }`],
    ['a fromDate with no toDate after today', `{ kpiSummary(fromDate: "2999-01-01") { fromDate } }`],
  ])('%s: INVALID_DATE_RANGE', async (_, document) => {
    const result = await api.graphql(document, {}, api.tokenFor(t().userId));
    expect(result.status).toBe(200);
    expect(errorCode(result)).toBe('INVALID_DATE_RANGE');
    expect(JSON.stringify(result.body)).not.toMatch(/SB103|app_hidden|kpi_range/);
  });

  it('the longest allowed leaderboard (366 days) works', async () => {
    const snapshot = snapshotOf(tenant('utc'));
    await expectTenantWide(tenant('utc'), { fromDate: addDays(snapshot.today, -365), toDate: snapshot.today });
  });

  it('a malformed date is refused with a code, without SQL in the answer', async () => {
    const result = await api.graphql(`{ kpiSummary(fromDate: "2026-13-45") { fromDate } }`, {}, api.tokenFor(t().userId));
    expect(errorCode(result)).toBe('INVALID_VALUE');
    expect(result.body.data?.kpiSummary ?? null).toBeNull();
    expect(JSON.stringify(result.body)).not.toMatch(/app_hidden|kpi_range|select /i);
  });
});

describe('dataFreshness', () => {
  it('reports the tenant\'s pending deltas, its latest call, its own last compaction and the last summary refresh', async () => {
    for (const t of data.tenants) {
      const answer = await query(t, `{ dataFreshness { serverTime rollupsCompactedAt pendingRollupChanges kpiSummaryRefreshedAt latestCallAt
        answeredBy replicaReplayLagSeconds replicaReplayLagBytes } }`);
      const got = answer.dataFreshness as Record<string, string | null>;
      // No GRAPHQL_READ_DATABASE_URL here: the primary answers, with no replica lag (tests/api/read-replica.test.ts has one).
      expect(got).toMatchObject({ answeredBy: 'primary', replicaReplayLagSeconds: null, replicaReplayLagBytes: null });
      const { rows } = await api.db.pool.query<{ pending: string; latest: Date; compacted: Date; refreshed: Date | null }>(
        `select (select count(*) from app_hidden.rollup_deltas where user_id = $1)::text as pending,
                (select max(started_at) from app_public.calls where user_id = $1) as latest,
                (select max(updated_at) from app_public.user_analytics where user_id = $1) as compacted,
                (select max(started_at) from app_private.mv_refresh_log where view_name = 'user_kpi_summary') as refreshed`,
        [t.userId],
      );
      const db = rows[0];
      if (!db) throw new Error('no freshness row');
      expect(got.pendingRollupChanges).toBe(db.pending);
      expect(Number(got.pendingRollupChanges)).toBeGreaterThan(0);
      const ms = (value: string | null | undefined): number => Math.floor(Date.parse(value ?? 'invalid'));
      expect(ms(got.latestCallAt)).toBe(db.latest.getTime());
      expect(ms(got.rollupsCompactedAt)).toBe(db.compacted.getTime());
      expect(got.kpiSummaryRefreshedAt === null ? null : ms(got.kpiSummaryRefreshedAt)).toBe(db.refreshed?.getTime() ?? null);
      expect(ms(got.serverTime)).toBeGreaterThanOrEqual(ms(got.latestCallAt));
      expect(ms(got.serverTime)).toBeGreaterThanOrEqual(ms(got.rollupsCompactedAt));
    }
  });
});

// --- the materialized summary: admins see every tenant, tenants only themselves -------------

const SUMMARY_ROWS = `{ allTenantKpiSummaries(first: 100) { totalCount nodes {
  userId calls30D successfulCalls30D failedCalls30D unansweredCalls30D talkSeconds30D leads30D qualifiedLeads30D
  hotLeads30D creditsUsed30D successRate30D answerRate30D conversionRate30D ctaConversionRate30D
  averageDurationSeconds30D calls7D successfulCalls7D leads7D qualifiedLeads7D successRate7D callsLifetime
  successfulCallsLifetime talkSecondsLifetime leadsLifetime qualifiedLeadsLifetime creditsUsedLifetime
  successRateLifetime totalAgents activeAgents bestAgentId refreshedAt } } }`;

/** What one tenant's row of the materialized summary should say, from the oracle. */
function expectedSummaryRow(t: KpiTenant): Record<string, unknown> {
  const snapshot = snapshotOf(t);
  const d30 = figures(snapshot, addDays(snapshot.today, -29), snapshot.today);
  const d7 = figures(snapshot, addDays(snapshot.today, -6), snapshot.today);
  const life = figures(snapshot, '1900-01-01', '2999-12-31');
  // Best agent: most qualified leads in 30 days, then successful calls, then the smallest id; only agents with calls.
  const best = t.agents
    .map((agent) => ({ id: agent.id, t: totalsOf(callsIn(snapshot, addDays(snapshot.today, -29), snapshot.today, agent.id)) }))
    .filter((a) => a.t.calls > 0n)
    .sort((a, b) => Number(b.t.qualified - a.t.qualified) || Number(b.t.successful - a.t.successful) || (a.id < b.id ? -1 : 1))[0];
  return normalise({
    userId: t.userId,
    calls30D: d30.calls, successfulCalls30D: d30.successfulCalls, failedCalls30D: d30.failedCalls,
    unansweredCalls30D: d30.unansweredCalls, talkSeconds30D: d30.talkSeconds, leads30D: d30.leads,
    qualifiedLeads30D: d30.qualifiedLeads, hotLeads30D: d30.hotLeads, creditsUsed30D: d30.creditsUsed,
    successRate30D: d30.successRate, answerRate30D: d30.answerRate, conversionRate30D: d30.conversionRate,
    ctaConversionRate30D: d30.ctaRate, averageDurationSeconds30D: d30.averageDurationSeconds,
    calls7D: d7.calls, successfulCalls7D: d7.successfulCalls, leads7D: d7.leads, qualifiedLeads7D: d7.qualifiedLeads,
    successRate7D: d7.successRate,
    callsLifetime: life.calls, successfulCallsLifetime: life.successfulCalls, talkSecondsLifetime: life.talkSeconds,
    leadsLifetime: life.leads, qualifiedLeadsLifetime: life.qualifiedLeads, creditsUsedLifetime: life.creditsUsed,
    successRateLifetime: life.successRate,
    totalAgents: t.agents.length, activeAgents: t.agents.filter((a) => a.isActive).length,
    bestAgentId: best?.id ?? null,
  }) as Record<string, unknown>;
}

describe('allTenantKpiSummaries', () => {
  beforeAll(async () => {
    await api.db.pool.query('select app_hidden.refresh_kpi_summary()');
    // Re-read "today" right after the refresh, as the view saw it (the data itself has not changed).
    for (const t of [...data.tenants, data.admin]) snapshots.set(t.userId, await loadSnapshot(api.db.pool, t.userId));
  });

  it('an admin sees every tenant, with the figures of the oracle', async () => {
    const answer = await query(data.admin, SUMMARY_ROWS);
    const rows = (answer.allTenantKpiSummaries as { totalCount: number; nodes: Array<Record<string, unknown>> });
    const all = [...data.tenants, data.admin];
    expect(rows.totalCount).toBe(all.length);
    expect(rows.nodes.map((n) => n.userId).sort()).toEqual(all.map((t) => t.userId).sort());
    for (const t of all) {
      const row = rows.nodes.find((n) => n.userId === t.userId);
      const { refreshedAt, ...figuresOnly } = row ?? {};
      expect(typeof refreshedAt).toBe('string');
      expect(normalise(figuresOnly), t.key).toEqual(expectedSummaryRow(t));
    }
  });

  it('a tenant sees only its own row', async () => {
    for (const t of data.tenants) {
      const answer = await query(t, SUMMARY_ROWS);
      const rows = answer.allTenantKpiSummaries as { totalCount: number; nodes: Array<Record<string, unknown>> };
      expect(rows.totalCount).toBe(1);
      expect(rows.nodes.map((n) => n.userId)).toEqual([t.userId]);
      const other = data.tenants.find((o) => o.userId !== t.userId);
      const single = await query(t, `query ($id: UUID!) { tenantKpiSummaryByUserId(userId: $id) { userId } }`, { id: other?.userId });
      expect(single.tenantKpiSummaryByUserId).toBeNull();
    }
  });

  it('the admin\'s own KPI fields are its own tenant\'s (not every tenant\'s)', async () => {
    const snapshot = snapshotOf(data.admin);
    const range = { fromDate: addDays(snapshot.today, -74), toDate: snapshot.today };
    await expectRange(data.admin, range);
    await expectTenantWide(data.admin, range);
  });
});
