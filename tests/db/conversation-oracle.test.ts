/**
 * Oracle test of the conversation readers (issue 17, helper "analysis"):
 * conversation_summary, conversation_trend, conversation_outcomes,
 * conversation_topics and success_criteria_pass_rates, read as each tenant,
 * against figures computed here from the raw rows (calls, their individual
 * analyses, criterion answers). The KPI dataset has three time zones, rollup
 * rows and pending deltas, re-scored, deleted and late analyses, moved and
 * deleted calls. Then a time zone change: the rollup figures are rebuilt
 * and the exact reads follow the new zone's days.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import { average, normalise, rate } from '../helpers/kpi-oracle.ts';
import { verifyRollups } from '../helpers/rollups.ts';

let db: TestDatabase;
let data: KpiDataset;

beforeAll(async () => {
  db = await createTestDatabase();
  data = await seedKpiDataset(db.pool);
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

interface Row {
  agent_id: string;
  day: string;
  analysed: boolean;
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
  results: Array<{ criterion_id: string; passed: boolean }>;
}

interface Snapshot {
  rows: Row[];
  today: string;
  labels: Map<string, string>;
  criteria: Array<{ id: string; name: string; question: string; is_active: boolean }>;
}

async function snapshot(userId: string): Promise<Snapshot> {
  const { rows } = await db.pool.query<Row>(
    `select c.agent_id, (c.started_at at time zone u.timezone)::date::text as day, a.id is not null as analysed,
            a.sentiment_label, a.sentiment_score, a.call_quality_score, a.csat_score, a.human_transfer_requested,
            a.human_transfer_happened, a.conversation_outcome, a.topics, a.free_topics, a.objections,
            coalesce((select json_agg(json_build_object('criterion_id', r.criterion_id, 'passed', r.passed))
                        from app_public.call_criterion_results r where r.call_id = c.id), '[]') as results
       from app_public.calls c
       join app_public.users u on u.id = c.user_id
       left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
      where c.user_id = $1`,
    [userId],
  );
  const { rows: today } = await db.pool.query<{ today: string }>(
    'select app_hidden.tenant_today(timezone)::text as today from app_public.users where id = $1', [userId]);
  const { rows: topics } = await db.pool.query<{ key: string; label: string }>(
    'select key, label from app_public.analysis_topics where user_id = $1', [userId]);
  const { rows: criteria } = await db.pool.query<Snapshot['criteria'][number]>(
    'select id, name, question, is_active from app_public.success_criteria where user_id = $1', [userId]);
  return { rows, today: today[0]?.today ?? '', labels: new Map(topics.map((t) => [t.key, t.label])), criteria };
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

interface Range {
  from: string;
  to: string;
  agentId: string | null;
}

function inRange(rows: readonly Row[], r: Range): Row[] {
  return rows.filter((row) => row.day >= r.from && row.day <= r.to && (r.agentId === null || row.agent_id === r.agentId));
}

const big = (n: number): bigint => BigInt(n);

function summaryOf(rows: readonly Row[]) {
  const leads = rows.filter((row) => row.analysed);
  const sum = (pick: (row: Row) => number | null): [bigint, bigint] => {
    const values = leads.map(pick).filter((v): v is number => v !== null);
    return [big(values.reduce((a, b) => a + b, 0)), big(values.length)];
  };
  const countOf = (test: (row: Row) => boolean): string => String(leads.filter(test).length);
  const [sSum, sN] = sum((r) => r.sentiment_score);
  const [qSum, qN] = sum((r) => r.call_quality_score);
  const [cSum, cN] = sum((r) => r.csat_score);
  const requested = leads.filter((r) => r.human_transfer_requested === true).length;
  return {
    analysed_calls: String(leads.length),
    average_sentiment: average(sSum, sN),
    sentiment_positive: countOf((r) => r.sentiment_label === 'positive'),
    sentiment_neutral: countOf((r) => r.sentiment_label === 'neutral'),
    sentiment_negative: countOf((r) => r.sentiment_label === 'negative'),
    sentiment_mixed: countOf((r) => r.sentiment_label === 'mixed'),
    average_call_quality: average(qSum, qN),
    average_csat: average(cSum, cN),
    transfer_requested_calls: String(requested),
    transfer_happened_calls: countOf((r) => r.human_transfer_happened === true),
    transfer_request_rate: rate(big(requested), big(leads.length)),
  };
}

function expected(s: Snapshot, r: Range) {
  const rows = inRange(s.rows, r);
  const leads = rows.filter((row) => row.analysed);
  const trend = [];
  for (let day = r.from; day <= r.to; day = addDays(day, 1)) {
    const { transfer_requested_calls: _a, transfer_happened_calls: _b, transfer_request_rate: _c, ...rest } = summaryOf(rows.filter((row) => row.day === day));
    trend.push({ day, ...rest });
  }
  const outcomeKeys = [
    ['converted', 'Converted'], ['interested', 'Interested'], ['callback_requested', 'Callback requested'],
    ['not_interested', 'Not interested'], ['wrong_person', 'Wrong person'], ['no_outcome', 'No clear outcome'],
  ] as const;
  const classified = leads.filter((row) => row.conversation_outcome !== null).length;
  const outcomes = outcomeKeys.map(([key, label]) => {
    const value = leads.filter((row) => row.conversation_outcome === key).length;
    return { key, label, value: String(value), share: rate(big(value), big(classified)) };
  });
  const withTopics = leads.filter((row) => row.topics !== null);
  const objectionLabels: Record<string, string> = {
    price: 'Price', timing: 'Timing', authority: 'Authority', need: 'No need', competitor: 'Competitor', trust: 'Trust', other: 'Other',
  };
  const counted = (keysOf: (row: Row) => string[], label: (key: string) => string) => {
    const counts = new Map<string, number>();
    for (const row of withTopics) for (const key of new Set(keysOf(row))) counts.set(key, (counts.get(key) ?? 0) + 1);
    return [...counts.entries()]
      .map(([key, calls]) => ({ key, label: label(key), calls: String(calls), share: rate(big(calls), big(withTopics.length)) }))
      .sort((a, b) => Number(b.calls) - Number(a.calls) || (a.key < b.key ? -1 : 1));
  };
  const criteria = s.criteria
    .map((k) => {
      const answers = leads.flatMap((row) => row.results.filter((x) => x.criterion_id === k.id));
      const passed = answers.filter((x) => x.passed).length;
      return {
        criterion_id: k.id, name: k.name, question: k.question, is_active: k.is_active,
        evaluated: String(answers.length), passed: String(passed), pass_rate: rate(big(passed), big(answers.length)),
      };
    })
    .filter((k) => k.is_active || k.evaluated !== '0')
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    summary: summaryOf(rows),
    trend,
    outcomes,
    topics: counted((row) => row.topics ?? [], (key) => s.labels.get(key) ?? key),
    objections: counted((row) => row.objections ?? [], (key) => objectionLabels[key] ?? key),
    freeTopics: counted((row) => (row.free_topics ?? []).map((t) => t.toLowerCase()), (key) => key),
    criteria,
  };
}

async function actual(tenant: KpiTenant, r: Range) {
  return withClient(db.pool, (client) =>
    inTransaction(client, async () => {
      await asTenant(client, tenant.userId);
      const q = async (sql: string, extra: unknown[] = []): Promise<Record<string, unknown>[]> =>
        (await client.query(sql, [r.from, r.to, r.agentId, ...extra])).rows;
      const sortTopics = (rows: Record<string, unknown>[]) =>
        rows.sort((a, b) => Number(b.calls) - Number(a.calls) || (String(a.key) < String(b.key) ? -1 : 1));
      return normalise({
        summary: (await q('select (app_public.conversation_summary($1, $2, $3)).*'))[0],
        trend: (await q('select day::text, analysed_calls, average_sentiment, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, average_call_quality, average_csat from app_public.conversation_trend($1, $2, $3)')),
        outcomes: await q('select * from app_public.conversation_outcomes($1, $2, $3)'),
        topics: sortTopics(await q(`select * from app_public.conversation_topics('topic', $1, $2, $3, 100)`)),
        objections: sortTopics(await q(`select * from app_public.conversation_topics('objection', $1, $2, $3, 100)`)),
        freeTopics: sortTopics(await q(`select * from app_public.conversation_topics('free_topic', $1, $2, $3, 100)`)),
        criteria: await q('select * from app_public.success_criteria_pass_rates($1, $2, $3)'),
      });
    }),
  );
}

function ranges(s: Snapshot, tenant: KpiTenant): Range[] {
  const agent = tenant.agents[0]?.id ?? null;
  return [
    { from: addDays(s.today, -29), to: s.today, agentId: null },
    { from: addDays(s.today, -74), to: s.today, agentId: null },
    { from: addDays(s.today, -30), to: addDays(s.today, -30), agentId: null },
    { from: addDays(s.today, -60), to: addDays(s.today, -10), agentId: agent },
  ];
}

async function expectOracle(tenant: KpiTenant): Promise<void> {
  const s = await snapshot(tenant.userId);
  expect(s.rows.filter((row) => row.analysed && row.topics !== null).length).toBeGreaterThan(50);
  for (const r of ranges(s, tenant)) {
    expect(await actual(tenant, r), `${tenant.key} ${JSON.stringify(r)}`).toEqual(normalise(expected(s, r)));
  }
}

describe('conversation readers against the oracle', () => {
  it('match the raw rows in three time zones (rollups plus pending deltas, re-scored and deleted analyses)', async () => {
    const pending = await db.pool.query<{ n: string }>('select count(*) as n from app_hidden.rollup_deltas');
    expect(Number(pending.rows[0]?.n)).toBeGreaterThan(0);
    for (const tenant of data.tenants) await expectOracle(tenant);
  });

  it('the top-N cut keeps the most frequent; an unknown kind lists nothing', async () => {
    const [tenant] = data.tenants;
    if (!tenant) throw new Error('no tenant');
    const rows = await withClient(db.pool, (client: pg.ClientBase) =>
      inTransaction(client, async () => {
        await asTenant(client, tenant.userId);
        const top = (await client.query(`select calls from app_public.conversation_topics('topic', null, null, null, 3)`)).rows;
        const all = (await client.query(`select calls from app_public.conversation_topics('topic', null, null, null, 100)`)).rows;
        const none = (await client.query(`select * from app_public.conversation_topics('weather')`)).rows;
        return { top, all, none };
      }),
    );
    expect(rows.top).toEqual(rows.all.slice(0, 3));
    expect(rows.none).toEqual([]);
  });

  it('after compaction and a time zone change: still exact, verify_rollups clean', async () => {
    await db.pool.query('select app_hidden.compact_rollups()');
    const [kolkata] = data.tenants;
    if (!kolkata) throw new Error('no tenant');
    await db.pool.query(`update app_public.users set timezone = 'Pacific/Chatham' where id = $1`, [kolkata.userId]);
    for (const tenant of data.tenants) {
      expect(await verifyRollups(db.pool, tenant.userId)).toEqual([]);
      await expectOracle(tenant);
    }
  });

  it('another tenant’s criteria, answers and taxonomy are invisible', async () => {
    const [a, b] = data.tenants;
    if (!a || !b) throw new Error('no tenants');
    const seen = await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, a.userId);
        const count = async (sql: string): Promise<number> => Number((await client.query<{ n: string }>(sql, [b.userId])).rows[0]?.n);
        return {
          criteria: await count('select count(*) as n from app_public.success_criteria where user_id = $1'),
          results: await count('select count(*) as n from app_public.call_criterion_results where user_id = $1'),
          topics: await count('select count(*) as n from app_public.analysis_topics where user_id = $1'),
          own: Number((await client.query<{ n: string }>('select count(*) as n from app_public.analysis_topics')).rows[0]?.n),
          rates: (await client.query('select criterion_id from app_public.success_criteria_pass_rates()')).rows.length,
        };
      }),
    );
    expect(seen).toEqual({ criteria: 0, results: 0, topics: 0, own: 6, rates: 3 });
  });
});
