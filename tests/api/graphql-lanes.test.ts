/**
 * The two GraphQL lanes (server/graphql/lanes.ts): a query that asks for the call log's
 * totals runs on the background pool, every other request on the interactive pool, so a
 * page never waits behind sums. Checked on a real server: with the background pool's only
 * connection held, pages still answer and the totals wait; released, the totals answer.
 */
import { parse } from 'graphql';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_LOG, CALL_LOG_TOTALS } from '../../dashboard/src/api/operations/call-log.ts';
import { OVERVIEW } from '../../dashboard/src/api/operations/overview.ts';
import { laneOf } from '../../server/graphql/lanes.ts';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { okData } from '../helpers/graphql-result.ts';
import { seedKpiDataset, type KpiDataset } from '../helpers/kpi-dataset.ts';

describe('laneOf', () => {
  it('puts the call log totals in the background lane and everything else in the interactive one', () => {
    expect(laneOf(parse(CALL_LOG_TOTALS.query))).toBe('background');
    expect(laneOf(parse(CALL_LOG.query))).toBe('interactive');
    expect(laneOf(parse(OVERVIEW.query))).toBe('interactive');
    expect(laneOf(undefined)).toBe('interactive');
  });

  it('sees totals through aliases, fragments and inline fragments, and picks the named operation', () => {
    expect(laneOf(parse('{ log: callLog { t: totals { calls } } }'))).toBe('background');
    expect(laneOf(parse('{ callLog { ...T } } fragment T on CallLogPage { totals { calls } }'))).toBe('background');
    expect(laneOf(parse('{ callLog { ... on CallLogPage { totals { calls } } } }'))).toBe('background');
    const two = parse('query A { callLog { rows { callId } } } query B { callLog { totals { calls } } }');
    expect(laneOf(two, 'A')).toBe('interactive');
    expect(laneOf(two, 'B')).toBe('background');
    expect(laneOf(two)).toBe('interactive'); // ambiguous without a name: GraphQL refuses it anyway
  });

  it('leaves a page that turns the totals off in the document, and mutations, interactive', () => {
    expect(laneOf(parse('{ callLog(withTotals: false) { totals { calls } rows { callId } } }'))).toBe('interactive');
    expect(laneOf(parse('mutation { callLog { totals { calls } } }'))).toBe('interactive');
  });
});

describe('the background pool on a real server', () => {
  let api: ApiServer;
  let data: KpiDataset;

  beforeAll(async () => {
    api = await startApi({ env: { RATE_LIMIT_BURST: '5000', GRAPHQL_BACKGROUND_POOL_SIZE: '1' } });
    data = await seedKpiDataset(api.db.pool);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers pages while every background connection is busy, and the totals once one is free', async () => {
    const tenant = data.tenants[0];
    if (!tenant) throw new Error('no tenant');
    const token = api.tokenFor(tenant.userId);
    const variables = { from: '2021-01-01', to: '2030-12-31' };
    const { rows } = await api.db.pool.query<{ n: number }>('select count(*)::int as n from app_public.calls where user_id = $1', [tenant.userId]);
    const expected = rows[0]?.n ?? 0;
    expect(expected).toBeGreaterThan(0);

    const held: pg.PoolClient = await api.backgroundPool.connect();
    let totalsDone = false;
    const totals = api.graphql<{ callLog: { totals: { calls: string } } }>(CALL_LOG_TOTALS.query, variables, token).then((result) => {
      totalsDone = true;
      return result;
    });
    try {
      for (let i = 0; i < 3; i += 1) {
        const page = okData(await api.graphql<{ callLog: { rows: unknown[] } }>(CALL_LOG.query, { ...variables, pageSize: 10 }, token));
        expect(page.callLog.rows).toHaveLength(10);
      }
      expect(totalsDone).toBe(false); // it waits for the one background connection
      expect(api.backgroundPool.waitingCount).toBe(1);
    } finally {
      held.release();
    }
    expect(Number(okData(await totals).callLog.totals.calls)).toBe(expected);
  });
});
