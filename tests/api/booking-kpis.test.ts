/**
 * The booking KPIs (bookingKpis, bookingSummary) over real HTTP equal the independent oracle
 * (tests/helpers/kpi-oracle.ts bookingKpis: raw calls, analyses and appointments, never the rollups) on the
 * seeded KPI dataset: three time zones, part compacted and part pending deltas, late analyses; booked
 * appointments whose statuses people changed; the default range, all history and each agent. After a
 * re-analysis, a deleted call and a time zone change they still agree, and verify_rollups stays clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { okData } from '../helpers/graphql-result.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import { addDays, bookingKpis, loadAppointments, loadSnapshot, normalise, type Range } from '../helpers/kpi-oracle.ts';
import { verifyRollups } from '../helpers/rollups.ts';

let api: ApiServer;
let data: KpiDataset;

const FIELDS = 'agentId day connectedCalls bookedCalls bookingRate appointments confirmed completed noShows cancelled pending showRate noShowRate';

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  data = await seedKpiDataset(api.db.pool);
  // People acted on some booked appointments (deterministically, by id).
  await api.db.pool.query(
    `update app_public.appointments
        set status = (array['confirmed', 'completed', 'no_show', 'cancelled', 'scheduled'])[1 + ('x' || substr(md5(id::text), 1, 2))::bit(8)::int % 5],
            status_source = 'api'
      where ('x' || substr(md5(id::text), 3, 2))::bit(8)::int % 3 <> 0`,
  );
});

afterAll(async () => {
  await api?.close();
});

type Row = Record<string, unknown>;

async function apiRows(tenant: KpiTenant, range: Range, agentId: string | null = null): Promise<Row[]> {
  const result = await api.graphql<{ bookingKpis: Row[] }>(
    `query ($from: Date, $to: Date, $agentId: UUID) { bookingKpis(fromDate: $from, toDate: $to, agentId: $agentId) { ${FIELDS} } }`,
    { from: range.fromDate, to: range.toDate, agentId },
    api.tokenFor(tenant.userId, 'app_owner'),
  );
  // Rollup rows whose counts are all zero (deleted calls) count nothing.
  return (okData(result).bookingKpis.map(normalise) as Row[])
    .filter((r) => r.connectedCalls !== '0' || r.bookedCalls !== '0' || r.appointments !== '0');
}

async function oracleRows(tenant: KpiTenant, range: Range, agentId: string | null = null): Promise<Row[]> {
  const snapshot = await loadSnapshot(api.db.pool, tenant.userId);
  const appointments = await loadAppointments(api.db.pool, tenant.userId);
  return normalise(bookingKpis(snapshot, appointments, range, agentId)) as Row[];
}

async function ranges(tenant: KpiTenant): Promise<Range[]> {
  const { today } = await loadSnapshot(api.db.pool, tenant.userId);
  return [
    { fromDate: addDays(today, -29), toDate: today },
    { fromDate: addDays(today, -80), toDate: addDays(today, 40) },
  ];
}

describe('booking KPIs against the oracle', () => {
  it('the dataset books appointments and people acted on them, in every tenant', async () => {
    const { rows } = await api.db.pool.query<{ user_id: string; booked: number; acted: number }>(
      `select user_id, count(*)::int as booked, count(*) filter (where status in ('completed', 'no_show'))::int as acted
         from app_public.appointments group by user_id`,
    );
    for (const tenant of data.tenants) {
      const row = rows.find((r) => r.user_id === tenant.userId);
      expect(row?.booked, tenant.key).toBeGreaterThan(3);
      expect(row?.acted, tenant.key).toBeGreaterThan(0);
    }
  });

  it('per agent and day, for every tenant, range and agent', async () => {
    for (const tenant of data.tenants) {
      for (const range of await ranges(tenant)) {
        for (const agentId of [null, ...tenant.agents.map((a) => a.id)]) {
          expect(await apiRows(tenant, range, agentId), `${tenant.key} ${JSON.stringify(range)} ${agentId}`)
            .toEqual(await oracleRows(tenant, range, agentId));
        }
      }
    }
  });

  it('the summary adds the per-day rows up, with the same rates', async () => {
    for (const tenant of data.tenants) {
      const [range] = await ranges(tenant);
      if (!range) throw new Error('no range');
      const result = await api.graphql<{ bookingSummary: Row[] }>(
        `query ($from: Date, $to: Date) { bookingSummary(fromDate: $from, toDate: $to) { ${FIELDS} } }`,
        { from: range.fromDate, to: range.toDate },
        api.tokenFor(tenant.userId, 'app_owner'),
      );
      const [total] = okData(result).bookingSummary.map(normalise) as Row[];
      const rows = await oracleRows(tenant, range);
      const sum = (field: string): bigint => rows.reduce((n, r) => n + BigInt(String(r[field])), 0n);
      expect(total?.agentId).toBeNull();
      expect(total?.bookedCalls).toBe(String(sum('bookedCalls')));
      expect(total?.connectedCalls).toBe(String(sum('connectedCalls')));
      expect(total?.completed).toBe(String(sum('completed')));
      expect(total?.noShows).toBe(String(sum('noShows')));
    }
  });

  it('still agrees after a re-analysis, a deleted call and a time zone change', async () => {
    const tenant = data.tenants[0];
    if (!tenant) throw new Error('no tenant');
    const pool = api.db.pool;
    // Re-analysis: a booking appears on one lead and disappears from another.
    await pool.query(
      `update app_public.lead_analytics set demo_book_datetime = now() + interval '3 days'
        where id = (select id from app_public.lead_analytics where user_id = $1 and demo_book_datetime is null
                      and analysis_type = 'individual' order by id limit 1)`,
      [tenant.userId],
    );
    await pool.query(
      `update app_public.lead_analytics set demo_book_datetime = null
        where id = (select id from app_public.lead_analytics where user_id = $1 and demo_book_datetime is not null order by id limit 1)`,
      [tenant.userId],
    );
    await pool.query(
      `delete from app_public.calls where id = (select call_id from app_public.lead_analytics
                                                 where user_id = $1 and demo_book_datetime is not null order by id desc limit 1)`,
      [tenant.userId],
    );
    await pool.query(`update app_public.users set timezone = 'Pacific/Chatham' where id = $1`, [tenant.userId]);
    for (const range of await ranges(tenant)) {
      expect(await apiRows(tenant, range)).toEqual(await oracleRows(tenant, range));
    }
    expect(await verifyRollups(pool, tenant.userId)).toEqual([]);
  });
});
