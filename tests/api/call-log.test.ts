/**
 * The call log over real HTTP as the tenant's JWT (GraphQL `callLog`): every
 * filter against an independent query of the raw rows (as the owner), every
 * sort and its keyset paging (all pages = the whole set, in order, no repeats),
 * the totals of the filtered set, bad input (coded errors, nothing returned),
 * and tenant isolation. Data: the KPI data set (tests/helpers/kpi-dataset.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { errorCode, okData, onlyError } from '../helpers/graphql-result.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';

let api: ApiServer;
let data: KpiDataset;

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  data = await seedKpiDataset(api.db.pool);
  // the KPI data set has neither Twilio calls nor transcripts nor recordings: give some calls of each tenant those
  await api.db.pool.query(`update app_public.calls set provider = 'twilio', recording_url = 'https://recordings.example/' || id
                            where id in (select id from app_public.calls where duration_seconds % 7 = 0)`);
  await api.db.pool.query(`insert into app_public.transcripts (user_id, call_id, content)
                           select user_id, id, 'Agent: hello' from app_public.calls where duration_seconds % 5 = 0`);
});

afterAll(async () => {
  await api?.close();
});

export const CALL_LOG_QUERY = `query CallLog($from: Date, $to: Date, $agent: UUID, $outcomes: [String], $statuses: [String],
  $providers: [String], $directions: [String], $sources: [String], $temperatures: [String], $minScore: Int, $maxScore: Int,
  $minDuration: Int, $maxDuration: Int, $hasTranscript: Boolean, $hasAnalysis: Boolean, $hasRecording: Boolean,
  $search: String, $figure: String, $isoWeekday: Int, $hour: Int, $sort: String, $descending: Boolean, $after: String,
  $pageSize: Int, $withTotals: Boolean) {
  callLog(fromDate: $from, toDate: $to, agentId: $agent, outcomes: $outcomes, statuses: $statuses, providers: $providers,
    directions: $directions, sources: $sources, temperatures: $temperatures, minScore: $minScore, maxScore: $maxScore,
    minDuration: $minDuration, maxDuration: $maxDuration, hasTranscript: $hasTranscript, hasAnalysis: $hasAnalysis,
    hasRecording: $hasRecording, search: $search, figure: $figure, isoWeekday: $isoWeekday, hour: $hour, sort: $sort,
    descending: $descending, after: $after, pageSize: $pageSize, withTotals: $withTotals) {
    fromDate toDate timezone nextCursor
    rows { callId startedAt agentId agentName phoneNumber callerName contactName provider direction callSource status outcome
      durationSeconds creditsUsed hasTranscript hasAnalysis hasRecording totalScore leadStatusTag cursor }
    totals { calls durationSeconds creditsUsed figures { calls successfulCalls talkSeconds leads } }
  }
}`;

interface Row {
  callId: string;
  startedAt: string;
  agentId: string;
  durationSeconds: number;
  creditsUsed: number;
  totalScore: number | null;
  cursor: string;
  [key: string]: unknown;
}
interface Page {
  fromDate: string;
  toDate: string;
  nextCursor: string | null;
  rows: Row[];
  totals: { calls: string; durationSeconds: string; creditsUsed: string; figures: Record<string, string | null> } | null;
}

async function page(tenant: KpiTenant, vars: Record<string, unknown>): Promise<Page> {
  return okData(await api.graphql<{ callLog: Page }>(CALL_LOG_QUERY, vars, api.tokenFor(tenant.userId))).callLog;
}

/** Every page of a filtered set, following the cursors; checks totals on the first page. */
async function all(tenant: KpiTenant, vars: Record<string, unknown>, pageSize = 97): Promise<{ rows: Row[]; totals: Page['totals'] }> {
  const first = await page(tenant, { ...vars, pageSize });
  const rows = [...first.rows];
  let cursor = first.nextCursor;
  while (cursor) {
    const next = await page(tenant, { ...vars, pageSize, after: cursor, withTotals: false });
    expect(next.totals).toBeNull();
    rows.push(...next.rows);
    cursor = next.nextCursor;
  }
  return { rows, totals: first.totals };
}

const ALL_TIME = { from: '2020-01-01', to: '2029-01-01' };

/** The ids of the tenant's calls matching `where` (SQL over c = calls, a = individual analysis, t = transcript, k = contact). */
async function oracle(tenant: KpiTenant, where: string, params: unknown[] = []): Promise<string[]> {
  const { rows } = await api.db.pool.query<{ id: string }>(
    `select c.id from app_public.calls c
       left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
       left join app_public.transcripts t on t.call_id = c.id
       left join app_public.contacts k on k.id = c.contact_id
      where c.user_id = $1 and (${where})`,
    [tenant.userId, ...params],
  );
  return rows.map((r) => r.id).sort();
}

const ids = (rows: Row[]): string[] => rows.map((r) => r.callId).sort();

describe('call log filters', () => {
  it('returns every call of the range, with totals of the whole set', async () => {
    const tenant = data.tenants[0]!;
    const { rows, totals } = await all(tenant, ALL_TIME);
    const expected = await oracle(tenant, 'true');
    expect(ids(rows)).toEqual(expected);
    expect(new Set(rows.map((r) => r.callId)).size).toBe(rows.length);
    expect(totals?.calls).toBe(String(expected.length));
    expect(totals?.durationSeconds).toBe(String(rows.reduce((s, r) => s + r.durationSeconds, 0)));
    expect(totals?.creditsUsed).toBe(String(rows.reduce((s, r) => s + r.creditsUsed, 0)));
    expect(totals?.figures.calls).toBe(String(expected.length));
  });

  // The totals of a range (optionally one agent) without other filters come from the rollups; with any other
  // filter they are summed over the matching calls. A filter that matches every call takes the second path over
  // the same set: both must give the same totals, figure for figure.
  const TOTALS_QUERY = `query Totals($from: Date, $to: Date, $agent: UUID, $outcomes: [String]) {
    callLog(fromDate: $from, toDate: $to, agentId: $agent, outcomes: $outcomes, pageSize: 1) {
      totals { calls durationSeconds creditsUsed figures { calls successfulCalls unansweredCalls failedCalls answerRate
        successRate talkSeconds averageDurationSeconds billedMinutes creditsUsed inboundCalls outboundCalls leads
        qualifiedLeads hotLeads coldLeads conversionRate callsWithCta ctaRate averageLeadScore averageIntentScore
        averageUrgencyScore averageBudgetScore averageFitScore averageEngagementScore } }
    }
  }`;
  const EVERY_OUTCOME = ['successful', 'unanswered', 'failed', 'in_progress'];
  async function totals(tenant: KpiTenant, vars: Record<string, unknown>): Promise<unknown> {
    const res = okData(await api.graphql<{ callLog: { totals: unknown } }>(TOTALS_QUERY, vars, api.tokenFor(tenant.userId)));
    return res.callLog.totals;
  }

  it('the totals of a range from the rollups equal the totals summed over its calls (tenant and one agent)', async () => {
    for (const tenant of data.tenants) {
      const { rows: days } = await api.db.pool.query<{ d: string }>(
        `select to_char(max((c.started_at at time zone u.timezone)::date) - 6, 'YYYY-MM-DD') d
           from app_public.calls c join app_public.users u on u.id = c.user_id where c.user_id = $1`, [tenant.userId]);
      for (const range of [ALL_TIME, { from: days[0]!.d, to: '2029-01-01' }]) {
        for (const agent of [null, tenant.agents[0]!.id]) {
          const fromRollups = await totals(tenant, { ...range, agent });
          expect(fromRollups).toEqual(await totals(tenant, { ...range, agent, outcomes: EVERY_OUTCOME }));
          expect((fromRollups as { calls: string }).calls).not.toBe('0');
        }
      }
    }
  });

  it('after retention purged calls, the totals are those of the calls still listed (the rollups keep the purged ones)', async () => {
    const tenant = data.tenants[1]!;
    const before = (await all(tenant, ALL_TIME)).rows.length;
    await api.db.pool.query(
      `select app_hidden.purge_calls($1, (select min(started_at) + (max(started_at) - min(started_at)) / 3 from app_public.calls where user_id = $1), 100000)`,
      [tenant.userId],
    );
    const { rows, totals: got } = await all(tenant, ALL_TIME);
    expect(rows.length).toBeLessThan(before);
    // the rollups still count the purged calls: totals from them would be wrong here
    const { rows: kept } = await api.db.pool.query<{ calls: string }>(
      `select (b.measures).calls from app_hidden.measures_by_bucket($1, '2020-01-01', '2029-01-01', null, 'range') b`, [tenant.userId]);
    expect(Number(kept[0]!.calls)).toBe(before);
    expect(got?.calls).toBe(String(rows.length));
    expect(await totals(tenant, ALL_TIME)).toEqual(await totals(tenant, { ...ALL_TIME, outcomes: EVERY_OUTCOME }));
  });

  it('a topic, objection or free topic of the Insights page opens exactly the calls it counts', async () => {
    const TOPICS = `query ($kind: String, $from: Date, $to: Date, $agent: UUID) {
      conversationTopics(kind: $kind, fromDate: $from, toDate: $to, agentId: $agent, maxRows: 100) { key calls }
    }`;
    let checked = 0;
    for (const tenant of data.tenants) {
      for (const agent of [null, tenant.agents[0]!.id]) {
        for (const kind of ['topic', 'objection', 'free_topic'] as const) {
          const res = okData(await api.graphql<{ conversationTopics: Array<{ key: string; calls: string }> }>(
            TOPICS, { kind, ...ALL_TIME, agent }, api.tokenFor(tenant.userId)));
          for (const row of res.conversationTopics) {
            const { rows, totals: got } = await all(tenant, { ...ALL_TIME, agent, figure: `${kind}:${row.key}` });
            expect(got?.calls, `${kind} ${row.key}`).toBe(row.calls);
            expect(String(rows.length)).toBe(row.calls);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
    // a figure that is neither a KPI figure nor a topic, objection or free topic is refused by name
    const bad = await api.graphql(CALL_LOG_QUERY, { ...ALL_TIME, figure: 'topic:' }, api.tokenFor(data.tenants[0]!.userId));
    expect(errorCode(bad)).toBe('INVALID_FILTER_VALUE');
  });

  it('date range is tenant-local', async () => {
    for (const tenant of data.tenants) {
      const { rows: days } = await api.db.pool.query<{ d: string }>(
        `select to_char(max((c.started_at at time zone u.timezone)::date) - 3, 'YYYY-MM-DD') d
           from app_public.calls c join app_public.users u on u.id = c.user_id where c.user_id = $1`, [tenant.userId]);
      const day = days[0]!.d;
      const got = await all(tenant, { from: day, to: day });
      expect(ids(got.rows)).toEqual(await oracle(tenant, `(c.started_at at time zone $2)::date = $3::date`, [tenant.timezone, day]));
    }
  });

  const cases: Array<[string, Record<string, unknown>, string, (t: KpiTenant) => unknown[]]> = [
    ['agent', {}, 'c.agent_id = $2', (t) => [t.agents[0]!.id]],
    ['outcomes', { outcomes: ['successful', 'failed'] }, `c.outcome in ('successful', 'failed')`, () => []],
    ['outcome in progress', { outcomes: ['in_progress'] }, 'c.outcome is null', () => []],
    ['statuses', { statuses: ['busy', 'no_answer'] }, `c.status in ('busy', 'no_answer')`, () => []],
    ['providers', { providers: ['twilio'] }, `c.provider = 'twilio'`, () => []],
    ['directions', { directions: ['inbound'] }, `c.direction = 'inbound'`, () => []],
    ['sources', { sources: ['internet', 'unknown'] }, `c.call_source in ('internet', 'unknown')`, () => []],
    ['temperatures', { temperatures: ['hot', 'untagged'] }, `a.id is not null and coalesce(a.lead_status_tag, 'untagged') in ('hot', 'untagged')`, () => []],
    ['score range', { minScore: 40, maxScore: 70 }, 'a.total_score between 40 and 70', () => []],
    ['duration range', { minDuration: 60, maxDuration: 180 }, 'c.duration_seconds between 60 and 180', () => []],
    ['has transcript', { hasTranscript: true }, 't.id is not null', () => []],
    ['has no transcript', { hasTranscript: false }, 't.id is null', () => []],
    ['has analysis', { hasAnalysis: true }, 'a.id is not null', () => []],
    ['has no analysis', { hasAnalysis: false }, 'a.id is null', () => []],
    ['has recording', { hasRecording: true }, 'c.recording_url is not null', () => []],
    ['weekday and hour', { isoWeekday: 2, hour: 10 }, `extract(isodow from c.started_at at time zone $2) = 2 and extract(hour from c.started_at at time zone $2) = 10`, (t) => [t.timezone]],
  ];
  for (const [name, vars, where, params] of cases) {
    it(`filters by ${name}`, async () => {
      const tenant = data.tenants[1]!;
      const extra = name === 'agent' ? { agent: tenant.agents[0]!.id } : {};
      const got = await all(tenant, { ...ALL_TIME, ...vars, ...extra });
      const expected = await oracle(tenant, where, params(tenant));
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(got.rows)).toEqual(expected);
      expect(got.totals?.calls).toBe(String(expected.length));
    });
  }

  it('searches the phone number (digits) or the caller / contact name', async () => {
    const tenant = data.tenants[0]!;
    const { rows: sample } = await api.db.pool.query<{ phone_number: string }>(
      'select phone_number from app_public.calls where user_id = $1 and phone_number is not null limit 1', [tenant.userId]);
    const digits = sample[0]!.phone_number.slice(-6);
    const byPhone = await all(tenant, { ...ALL_TIME, search: ` ${digits.slice(0, 3)} ${digits.slice(3)} ` });
    expect(ids(byPhone.rows)).toEqual(await oracle(tenant, `c.phone_number like '%' || $2 || '%'`, [digits]));
    await api.db.pool.query(`update app_public.contacts set name = 'Zelda 100% Quigley' where id = (select contact_id from app_public.calls where user_id = $1 and contact_id is not null limit 1)`, [tenant.userId]);
    const byName = await all(tenant, { ...ALL_TIME, search: 'zelda 100%' });
    const expected = await oracle(tenant, `k.name = 'Zelda 100% Quigley' or c.caller_name ilike '%zelda 100\\%%'`);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(byName.rows)).toEqual(expected);
    // % is literal, not a wildcard
    expect((await all(tenant, { ...ALL_TIME, search: 'zel%gley' })).rows).toEqual([]);
  });
});

describe('call log sorting and paging', () => {
  const sorts: Array<[string, (r: Row) => number]> = [
    ['started_at', (r) => Date.parse(r.startedAt)],
    ['duration', (r) => r.durationSeconds],
    ['score', (r) => r.totalScore ?? -1],
    ['credits', (r) => r.creditsUsed],
  ];
  for (const [sort, key] of sorts) {
    for (const descending of [true, false]) {
      it(`sorts by ${sort} ${descending ? 'descending' : 'ascending'}, keyset pages cover the set once`, async () => {
        const tenant = data.tenants[2]!;
        const { rows } = await all(tenant, { ...ALL_TIME, sort, descending }, 41);
        expect(ids(rows)).toEqual(await oracle(tenant, 'true'));
        for (let i = 1; i < rows.length; i += 1) {
          const a = key(rows[i - 1]!);
          const b = key(rows[i]!);
          if (a === b) expect(descending ? rows[i - 1]!.callId > rows[i]!.callId : rows[i - 1]!.callId < rows[i]!.callId).toBe(true);
          else expect(descending ? a > b : a < b).toBe(true);
        }
      });
    }
  }

  it('a page holds pageSize rows and the last page has no next cursor', async () => {
    const tenant = data.tenants[2]!;
    const first = await page(tenant, { ...ALL_TIME, pageSize: 5 });
    expect(first.rows).toHaveLength(5);
    expect(first.nextCursor).toBe(first.rows[4]!.cursor);
    const second = await page(tenant, { ...ALL_TIME, pageSize: 5, after: first.nextCursor });
    expect(second.rows[0]!.callId).not.toBe(first.rows[4]!.callId);
    const last = await page(tenant, { ...ALL_TIME, pageSize: 500 });
    expect(last.nextCursor).toBeNull();
  });

  // Highest score first reads the scored calls in score order and then the unscored ones (no analysis, or an
  // analysis without a score: key -1): the pages must join at that seam exactly, wherever it falls in a page.
  describe('by score, highest first, across the seam between scored and unscored calls', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['no filter', {}, 'true'],
      ['successful calls', { outcomes: ['successful'] }, `c.outcome = 'successful'`],
      ['analysed calls', { hasAnalysis: true }, 'a.id is not null'],
      ['every temperature', { temperatures: ['hot', 'warm', 'cold', 'untagged'] }, 'a.id is not null'],
    ];
    for (const [name, vars, where] of cases) {
      it(`${name}: every page size gives the oracle's order`, async () => {
        const tenant = data.tenants[2]!;
        const { rows: expected } = await api.db.pool.query<{ id: string; scored: boolean }>(
          `select c.id, a.total_score is not null as scored from app_public.calls c
             left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
            where c.user_id = $1 and (${where})
            order by coalesce(a.total_score, -1) desc, c.id desc`,
          [tenant.userId],
        );
        // the seam at a page's end (the scored count), inside a page (one more) and anywhere (7)
        const scored = expected.filter((r) => r.scored).length;
        expect(scored).toBeGreaterThan(0);
        expect(scored).toBeLessThan(expected.length);
        for (const pageSize of [Math.min(scored, 500), Math.min(scored + 1, 500), 7]) {
          const { rows } = await all(tenant, { ...ALL_TIME, ...vars, sort: 'score', descending: true }, pageSize);
          expect(rows.map((r) => r.callId)).toEqual(expected.map((r) => r.id));
        }
      });
    }

    it('the data set has both kinds, and analysed calls without a score among the unscored', async () => {
      const { rows: [kinds] } = await api.db.pool.query<{ scored: number; unscored: number; analysed_unscored: number }>(
        `select count(*) filter (where a.total_score is not null)::int as scored,
                count(*) filter (where a.total_score is null)::int as unscored,
                count(*) filter (where a.id is not null and a.total_score is null)::int as analysed_unscored
           from app_public.calls c
           left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          where c.user_id = $1`,
        [data.tenants[2]!.userId],
      );
      expect(kinds!.scored).toBeGreaterThan(0);
      expect(kinds!.unscored).toBeGreaterThan(0);
      expect(kinds!.analysed_unscored).toBeGreaterThan(0);
    });
  });
});

describe('call log bad input', () => {
  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['unknown outcome', { outcomes: ['successful', 'great'] }, 'INVALID_FILTER_VALUE', /outcome 'great'/],
    ['unknown status', { statuses: ['done'] }, 'INVALID_FILTER_VALUE', /status 'done'/],
    ['unknown provider', { providers: ['skype'] }, 'INVALID_FILTER_VALUE', /provider/],
    ['unknown direction', { directions: ['sideways'] }, 'INVALID_FILTER_VALUE', /direction/],
    ['unknown source', { sources: ['fax'] }, 'INVALID_FILTER_VALUE', /source/],
    ['unknown temperature', { temperatures: ['lukewarm'] }, 'INVALID_FILTER_VALUE', /temperature/],
    ['unknown figure', { figure: 'revenue' }, 'INVALID_FILTER_VALUE', /figure 'revenue'/],
    ['unknown sort', { sort: 'phone; drop table' }, 'INVALID_FILTER_VALUE', /sort/],
    ['inverted score range', { minScore: 80, maxScore: 20 }, 'INVALID_FILTER_RANGE', /minimum score/],
    ['inverted duration range', { minDuration: 300, maxDuration: 10 }, 'INVALID_FILTER_RANGE', /minimum duration/],
    ['score out of bounds', { minScore: -5 }, 'INVALID_FILTER_RANGE', /score is 0-100/],
    ['hour out of bounds', { hour: 24 }, 'INVALID_FILTER_RANGE', /hour 0-23/],
    ['page too large', { pageSize: 10_000 }, 'INVALID_FILTER_RANGE', /1 to 500/],
    ['inverted dates', { from: '2026-02-01', to: '2026-01-01' }, 'INVALID_DATE_RANGE', /fromDate/],
    ['over-long search', { search: '9'.repeat(101) }, 'SEARCH_TOO_LONG', /101 characters/],
    ['forged cursor', { after: `1' or 1=1 --` }, 'INVALID_CURSOR', /cursor/],
  ];
  for (const [name, vars, code, message] of bad) {
    it(`${name} → ${code}`, async () => {
      const result = await api.graphql(CALL_LOG_QUERY, vars, api.tokenFor(data.tenants[0]!.userId));
      const error = onlyError(result);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.message).not.toMatch(/SQL|select|app_hidden/i);
      expect((result.body.data as { callLog: unknown } | undefined)?.callLog ?? null).toBeNull();
    });
  }

  it('a signed-out request reads nothing', async () => {
    const result = await api.graphql(CALL_LOG_QUERY, {});
    expect(result.body.data?.callLog ?? null).toBeNull();
    expect(errorCode(result)).toBeDefined();
  });
});

describe('call log isolation', () => {
  it('another tenant\'s agent filters to nothing; no other tenant\'s call is listed', async () => {
    const [a, b] = data.tenants;
    const foreign = await all(a!, { ...ALL_TIME, agent: b!.agents[0]!.id });
    expect(foreign.rows).toEqual([]);
    expect(foreign.totals?.calls).toBe('0');
    const mine = await all(a!, ALL_TIME);
    const others = await oracle(b!, 'true');
    expect(mine.rows.some((r) => others.includes(r.callId))).toBe(false);
  });
});
