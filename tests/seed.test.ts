/**
 * Demo and scale data: the demo has the advertised shape and is seeded once;
 * everything goes through the real triggers, so rollups verify exactly; the
 * generator is deterministic per seed; the scale loader adds exactly N calls
 * and can run again on the same tenants.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../kernel/log.ts';
import { announceDemo, seedDemoIfEmpty, workingDemoLogins, type DemoSeedResult } from '../server/seed/demo.ts';
import { loadScaleData, tenantWeights } from '../server/seed/scale.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';

const quiet = createLogger('seed-test');
const END = new Date('2026-03-18T15:30:00Z'); // a Wednesday afternoon in New York

async function one<T>(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await pool.query(sql, params);
  if (!rows[0]) throw new Error(`no row from: ${sql}`);
  return rows[0] as T;
}

/** Rollup differences summed over every tenant (none = the rollups match the raw calls exactly). */
async function rollupDifferences(pool: pg.Pool): Promise<number> {
  const row = await one<{ n: string }>(
    pool,
    'select count(v.*) as n from app_public.users u cross join lateral app_hidden.verify_rollups(u.id) v',
  );
  return Number(row.n);
}

/** A digest of everything generated: calls, analyses, transcripts, contacts and rollups. */
async function fingerprint(pool: pg.Pool): Promise<Record<string, string>> {
  return one(
    pool,
    `select
       (select md5(string_agg(concat_ws('|', u.email, g.name, c.provider_call_id, c.started_at, c.status,
                                        c.duration_seconds, c.phone_number, c.direction, c.call_source, c.caller_name,
                                        l.total_score, l.lead_status_tag, l.smart_notification, t.content, t.speaker_segments),
                              E'\\n' order by c.provider_call_id))
          from app_public.calls c
          join app_public.users u on u.id = c.user_id
          join app_public.agents g on g.id = c.agent_id
          left join app_public.lead_analytics l on l.call_id = c.id
          left join app_public.transcripts t on t.call_id = c.id) as calls,
       (select md5(string_agg(concat_ws('|', u.email, ct.phone_number, ct.name, ct.not_connected, ct.is_customer),
                              E'\\n' order by u.email, ct.phone_number))
          from app_public.contacts ct join app_public.users u on u.id = ct.user_id) as contacts,
       (select md5(string_agg(concat_ws('|', u.email, d.day, d.calls, d.successful_calls, d.talk_seconds, d.qualified_leads),
                              E'\\n' order by u.email, d.day))
          from app_public.tenant_daily_stats d join app_public.users u on u.id = d.user_id) as rollups,
       (select md5(string_agg(concat_ws('|', u.email, l.phone_number, l.calls_analyzed, l.total_score),
                              E'\\n' order by u.email, l.phone_number))
          from app_public.lead_analytics l join app_public.users u on u.id = l.user_id
         where l.analysis_type = 'complete') as complete_analyses`,
  );
}

describe('demo seed', () => {
  let db: TestDatabase;
  let first: DemoSeedResult;

  beforeAll(async () => {
    db = await createTestDatabase();
    first = await seedDemoIfEmpty(db.pool, quiet);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('creates three tenants in different time zones with 3-5 agents and a line each', async () => {
    expect(first.seeded).toBe(true);
    const { rows } = await db.pool.query<{ timezone: string; agents: number; lines: number }>(
      `select u.timezone, count(distinct a.id)::int as agents, count(distinct p.id)::int as lines
         from app_public.users u
         join app_public.agents a on a.user_id = u.id
         left join app_public.phone_numbers p on p.agent_id = a.id
        group by u.id, u.timezone`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((row) => row.timezone)).size).toBe(rows.length);
    for (const row of rows) {
      expect(row.agents).toBeGreaterThanOrEqual(3);
      expect(row.agents).toBeLessThanOrEqual(5);
      expect(row.lines).toBe(row.agents);
    }
  });

  it('has about 90 days of realistic calls ending today', async () => {
    const shape = await one<{ calls: number; tenants: number; days: number; ends_today: boolean; in_progress: number;
      successful: number; unanswered: number; failed: number; repeat_contacts: boolean;
      weekday_share: number; business_hours_share: number; inbound: number; internet: number }>(
      db.pool,
      `with c as (
         select c.*, (c.started_at at time zone u.timezone) as local, app_hidden.tenant_today(u.timezone) as today
           from app_public.calls c join app_public.users u on u.id = c.user_id)
       select count(*)::int as calls, count(distinct user_id)::int as tenants,
              (max(local::date - today) - min(local::date - today) + 1)::int as days,
              bool_and(started_at <= now()) and max(local::date - today) = 0 as ends_today,
              count(*) filter (where status = 'in_progress')::int as in_progress,
              avg((outcome = 'successful')::int)::float8 as successful,
              avg((outcome = 'unanswered')::int)::float8 as unanswered,
              avg((outcome = 'failed')::int)::float8 as failed,
              count(distinct contact_id) < count(*) / 2 as repeat_contacts,
              avg((extract(isodow from local) <= 5)::int)::float8 as weekday_share,
              avg((extract(hour from local) between 8 and 17)::int)::float8 as business_hours_share,
              avg((direction = 'inbound')::int)::float8 as inbound,
              avg((call_source = 'internet')::int)::float8 as internet
         from c`,
    );
    expect(first.calls).toBe(shape.calls);
    expect(shape.calls).toBeGreaterThanOrEqual(15_000);
    expect(shape.calls).toBeLessThanOrEqual(25_000);
    expect(shape.tenants).toBe(3);
    expect(shape.days).toBeGreaterThanOrEqual(89);
    expect(shape.days).toBeLessThanOrEqual(91);
    expect(shape.ends_today).toBe(true);
    expect(shape.successful).toBeGreaterThan(0.45);
    expect(shape.successful).toBeLessThan(0.58);
    expect(shape.unanswered).toBeGreaterThan(0.25);
    expect(shape.unanswered).toBeLessThan(0.4);
    expect(shape.failed).toBeGreaterThan(0.07);
    expect(shape.failed).toBeLessThan(0.14);
    expect(shape.repeat_contacts).toBe(true);
    expect(shape.weekday_share).toBeGreaterThan(0.8);
    expect(shape.business_hours_share).toBeGreaterThan(0.7);
    expect(shape.inbound).toBeGreaterThan(0.1);
    expect(shape.internet).toBeGreaterThan(0.02);
  });

  it('has transcripts and individual analyses for most successful calls, and one complete analysis per phone', async () => {
    const a = await one<{ successful: number; transcripts: number; individual: number; consistent_tags: boolean;
      analysed_transcripts: number; complete: number; phones: number; notifications: number; segments_ok: boolean }>(
      db.pool,
      `select (select count(*)::int from app_public.calls where outcome = 'successful') as successful,
              (select count(*)::int from app_public.transcripts) as transcripts,
              (select count(*)::int from app_public.lead_analytics where analysis_type = 'individual') as individual,
              (select bool_and(case when total_score >= 70 then lead_status_tag = 'hot'
                                    when total_score >= 45 then lead_status_tag = 'warm' else lead_status_tag = 'cold' end)
                 from app_public.lead_analytics) as consistent_tags,
              (select count(*)::int from app_public.transcripts where analysis_status = 'completed') as analysed_transcripts,
              (select count(*)::int from app_public.lead_analytics where analysis_type = 'complete') as complete,
              (select count(distinct (user_id, phone_number))::int from app_public.lead_analytics
                where analysis_type = 'individual') as phones,
              (select count(*)::int from app_public.lead_analytics where smart_notification is not null) as notifications,
              (select bool_and(jsonb_array_length(speaker_segments) >= 4
                               and speaker_segments -> 0 ?& array['speaker', 'text', 'start', 'end'])
                 from app_public.transcripts) as segments_ok`,
    );
    expect(a.transcripts).toBe(a.successful);
    expect(a.individual).toBeGreaterThan(a.successful * 0.8);
    expect(a.analysed_transcripts).toBe(a.individual);
    expect(a.consistent_tags).toBe(true);
    expect(a.complete).toBe(a.phones);
    expect(a.notifications).toBeGreaterThan(0);
    expect(a.segments_ok).toBe(true);
  });

  it('adds targets, follow-ups, customers, purchases and the two logins', async () => {
    const x = await one<{ targets: number; agents: number; follow_ups: number; customers: number; refs_ok: boolean;
      unposted: number; charges: number; purchases: number; negative: number; misdated: number; demo_login: boolean; admin_login: boolean; admin_role: string }>(
      db.pool,
      `select (select count(*)::int from app_public.agent_targets) as targets,
              (select count(*)::int from app_public.agents) as agents,
              (select count(*)::int from app_public.follow_ups) as follow_ups,
              (select count(*)::int from app_public.customers) as customers,
              (select bool_and(reference ~ '^CUST-[0-9]{4}-[0-9]{4}$') from app_public.customers) as refs_ok,
              (select count(*)::int from app_public.credit_transactions where posted_at is null) as unposted,
              (select count(*)::int from app_hidden.credit_charges) as charges,
              (select count(*)::int from app_public.credit_transactions where type = 'purchase') as purchases,
              (select count(*)::int from app_public.credit_transactions t join app_public.calls c on c.id = t.call_id
                where t.created_at <> coalesce(c.ended_at, c.started_at)) as misdated,
              (select count(*)::int from app_public.users where credits < 0) as negative,
              (select s.password_hash = public.crypt('demo-password', s.password_hash)
                 from app_private.user_secrets s join app_public.users u on u.id = s.user_id
                where u.email = 'demo@switchboard.dev') as demo_login,
              (select s.password_hash = public.crypt('demo-password', s.password_hash)
                 from app_private.user_secrets s join app_public.users u on u.id = s.user_id
                where u.email = 'admin@switchboard.dev') as admin_login,
              (select role from app_public.users where email = 'admin@switchboard.dev') as admin_role`,
    );
    expect(x.targets).toBe(x.agents * 2);
    expect(x.follow_ups).toBeGreaterThan(0);
    expect(x.customers).toBeGreaterThan(0);
    expect(x.refs_ok).toBe(true);
    // Every call charge moved into the ledger and posted, dated at its call, and the packs cover the usage.
    expect(x.unposted).toBe(0);
    expect(x.charges).toBe(0);
    expect(x.misdated).toBe(0);
    expect(x.purchases).toBe(3);
    expect(x.negative).toBe(0);
    expect(x.demo_login).toBe(true);
    expect(x.admin_login).toBe(true);
    expect(x.admin_role).toBe('admin');
    expect(first.login).toEqual({ email: 'demo@switchboard.dev', password: 'demo-password', adminEmail: 'admin@switchboard.dev' });
  });

  it('links every call to a contact and counts the ones that did not connect', async () => {
    const c = await one<{ unlinked: number; missed: number; not_connected: number; contacts: number; with_calls: number }>(
      db.pool,
      `select (select count(*)::int from app_public.calls where contact_id is null) as unlinked,
              (select count(*)::int from app_public.calls where outcome in ('unanswered', 'failed')) as missed,
              (select sum(not_connected)::int from app_public.contacts) as not_connected,
              (select count(*)::int from app_public.contacts) as contacts,
              (select count(distinct contact_id)::int from app_public.calls) as with_calls`,
    );
    expect(c.unlinked).toBe(0);
    expect(c.not_connected).toBe(c.missed);
    expect(c.with_calls).toBe(c.contacts);
  });

  it('leaves the rollups exact and compacted, and the KPI summary refreshed', async () => {
    expect(await rollupDifferences(db.pool)).toBe(0);
    const state = await one<{ pending: number; summaries: number; calls_30d: number }>(
      db.pool,
      `select (select count(*)::int from app_hidden.rollup_deltas) as pending,
              (select count(*)::int from app_hidden.user_kpi_summary) as summaries,
              (select sum(calls_30d)::int from app_hidden.user_kpi_summary) as calls_30d`,
    );
    expect(state.pending).toBe(0);
    expect(state.summaries).toBe(4);
    expect(state.calls_30d).toBeGreaterThan(0);
  });

  it('does nothing when the database already has users', async () => {
    const before = await fingerprint(db.pool);
    const second = await seedDemoIfEmpty(db.pool, quiet);
    expect(second.seeded).toBe(false);
    expect(second.login).toBeUndefined();
    expect(await fingerprint(db.pool)).toEqual(before);
  });

  it('prints the tenant and the admin demo logins on every start while they open with the published password', async () => {
    for (let start = 0; start < 2; start += 1) {
      const { logger, lines } = capturingLogger();
      await announceDemo(db.pool, logger, { seed: true, production: false });
      expect(lines).toEqual([
        ['info', 'demo login (tenant): demo@switchboard.dev / demo-password'],
        ['info', 'demo login (admin): admin@switchboard.dev / demo-password'],
      ]);
    }
    // a production database that has them: a warning, not an invitation
    const { logger, lines } = capturingLogger();
    await announceDemo(db.pool, logger, { seed: false, production: true });
    expect(lines.map(([level]) => level)).toEqual(['warn', 'warn']);
    // once the admin's password is changed, only the tenant's login is shown
    await db.pool.query(
      `update app_private.user_secrets s set password_hash = public.crypt('changed-password', public.gen_salt('bf'))
         from app_public.users u where u.id = s.user_id and u.email = 'admin@switchboard.dev'`,
    );
    expect((await workingDemoLogins(db.pool)).map((login) => `${login.role} ${login.email}`)).toEqual(['tenant demo@switchboard.dev']);
  });
});

describe('demo data where it is not asked for', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('creates no user, and no admin with the published password, on an empty database when the demo is off', async () => {
    const { logger, lines } = capturingLogger();
    expect(await announceDemo(db.pool, logger, { seed: false, production: true })).toEqual([]);
    expect(lines).toEqual([]);
    const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from app_public.users');
    expect(rows[0]?.n).toBe(0);
  });
});

function capturingLogger(): { logger: Logger; lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const logger: Logger = {
    scope: 'test',
    debug: () => {},
    info: (message) => lines.push(['info', message]),
    warn: (message) => lines.push(['warn', message]),
    error: (message) => lines.push(['error', message]),
    child: () => logger,
  };
  return { logger, lines };
}

describe('determinism', () => {
  const dbs: TestDatabase[] = [];

  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.drop()));
  });

  it('generates the same data for the same seed and different data for another seed', async () => {
    dbs.push(...(await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()])));
    const [a, b, c] = dbs as [TestDatabase, TestDatabase, TestDatabase];
    await Promise.all([
      seedDemoIfEmpty(a.pool, quiet, { calls: 1_500, seed: 7, end: END }),
      seedDemoIfEmpty(b.pool, quiet, { calls: 1_500, seed: 7, end: END }),
      seedDemoIfEmpty(c.pool, quiet, { calls: 1_500, seed: 8, end: END }),
    ]);
    const [fa, fb, fc] = await Promise.all([fingerprint(a.pool), fingerprint(b.pool), fingerprint(c.pool)]);
    expect(fa.calls).toMatch(/^[0-9a-f]{32}$/);
    expect(fb).toEqual(fa);
    expect(fc.calls).not.toBe(fa.calls);
    expect(fc.rollups).not.toBe(fa.rollups);
    expect(await rollupDifferences(c.pool)).toBe(0);
  });
});

describe('scale loader', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('loads exactly N calls for the scale tenants, and appends on a second run', async () => {
    const progress: number[] = [];
    const result = await loadScaleData(db.pool, {
      calls: 20_000,
      tenants: 12,
      agentsPerTenant: 3,
      days: 60,
      chunkSize: 4_000,
      onProgress: (done, total) => {
        expect(total).toBe(20_000);
        progress.push(done);
      },
    });
    expect(result.calls).toBe(20_000);
    expect(result.tenantIds).toHaveLength(12);
    // The whale (scale-tenant-1) has 20 agents, the 11 others 3 each.
    expect(result.agentIds).toHaveLength(20 + 11 * 3);
    expect(progress.at(-1)).toBe(20_000);
    expect(progress.length).toBeGreaterThan(2);

    const again = await loadScaleData(db.pool, { calls: 2_000, tenants: 12, agentsPerTenant: 3, days: 60 });
    expect(again.tenantIds).toEqual(result.tenantIds);
    const counts = await one<{ calls: number; users: number; zones: number; analyses: number; transcripts: number; unposted: number; charges: number; pending: number }>(
      db.pool,
      `select (select count(*)::int from app_public.calls) as calls,
              (select count(*)::int from app_public.users) as users,
              (select count(distinct timezone)::int from app_public.users) as zones,
              (select count(*)::int from app_public.lead_analytics where analysis_type = 'individual') as analyses,
              (select count(*)::int from app_public.transcripts) as transcripts,
              (select count(*)::int from app_public.credit_transactions where posted_at is null) as unposted,
              (select count(*)::int from app_hidden.credit_charges) as charges,
              (select count(*)::int from app_hidden.rollup_deltas) as pending`,
    );
    expect(counts.calls).toBe(22_000);
    expect(counts.users).toBe(12);
    expect(counts.zones).toBe(8);
    expect(counts.analyses).toBeGreaterThan(22_000 * 0.5 * 0.4);
    expect(counts.analyses).toBeLessThan(22_000 * 0.5 * 0.6);
    expect(counts.transcripts).toBe(0);
    expect(counts.unposted).toBe(0);
    expect(counts.charges).toBe(0);
    expect(counts.pending).toBe(0);
    expect(await rollupDifferences(db.pool)).toBe(0);

    // Skewed: scale-tenant-1 holds about 30% of all calls after both loads, then Zipf (tenant 2 the next largest).
    const { rows: sizes } = await db.pool.query<{ name: string; calls: number }>(
      `select u.name, count(c.id)::int as calls from app_public.users u left join app_public.calls c on c.user_id = u.id
        group by u.name order by count(c.id) desc, u.name`,
    );
    expect(sizes[0]?.name).toBe('scale-tenant-1');
    expect(sizes[0]?.calls).toBeGreaterThan(22_000 * 0.27);
    expect(sizes[0]?.calls).toBeLessThan(22_000 * 0.33);
    expect(sizes[1]?.name).toBe('scale-tenant-2');
    expect(sizes.at(-1)?.calls).toBeLessThan(22_000 * 0.04);
  });
});

describe('scale tenant weights', () => {
  it('give the whale its share and the others Zipf shares that sum to the rest, whatever the seed', () => {
    const weights = tenantWeights(200, 0.3);
    expect(weights).toHaveLength(200);
    expect(weights[0]).toBe(0.3);
    expect(weights.reduce((sum, w) => sum + w, 0)).toBeCloseTo(1, 12);
    for (let n = 2; n < 200; n += 1) expect(weights[n]).toBeLessThan(weights[n - 1] ?? 0);
    expect((weights[1] ?? 0) / (weights[99] ?? 1)).toBeCloseTo(99, 9);
    expect(tenantWeights(1, 0.3)).toEqual([1]);
    expect(() => tenantWeights(5, 1)).toThrow(/whaleShare/);
  });
});
