/**
 * Agent versions (issue 17 item 7): the trigger on agents records a version when the configuration changes (and
 * only then), every call carries the version current at its start (insert, start-time and agent moves), the
 * backfill of migration "Agent versions" gives existing calls version 1, KPIs by version equal a recomputation from
 * raw rows, the two-proportion z-test matches known values, and tenants cannot read each other's versions.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { runMigrations } from '../../kernel/db/migrate.ts';
import { withDatabase } from '../../kernel/db/urls.ts';
import { asMember, asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createAnalysis, createCall, createRandom, createTenant, updateCall, type CallStatus } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface VersionRow {
  id: string;
  version: number;
  name: string;
  agent_type: string;
  config: Record<string, unknown>;
  created_by: string | null;
  actor: string;
}

async function versions(agentId: string): Promise<VersionRow[]> {
  const { rows } = await db.pool.query<VersionRow>(
    `select id, version, name, agent_type, config, created_by, actor
       from app_public.agent_versions where agent_id = $1 order by version`,
    [agentId],
  );
  return rows;
}

/** Moves a version's start (the trigger stamps now(); tests need versions in the past). */
async function backdate(versionId: string, at: string): Promise<void> {
  await db.pool.query('update app_public.agent_versions set created_at = $2 where id = $1', [versionId, at]);
}

async function callVersion(callId: string): Promise<number> {
  const { rows } = await db.pool.query<{ version: number }>(
    `select v.version from app_public.calls c join app_public.agent_versions v on v.id = app_public.calls_agent_version_id(c) where c.id = $1`,
    [callId],
  );
  return rows[0]!.version;
}

describe('the version trigger on agents', () => {
  it('records version 1 on creation and a new version only when the configuration changes', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id, { name: 'Maya' });
    expect(await versions(agent.id)).toMatchObject([{ version: 1, name: 'Maya', agent_type: 'call', config: {}, actor: 'system' }]);

    // Irrelevant changes: name, description, active flag, a no-op config write.
    await db.pool.query(`update app_public.agents set name = 'Maya 2', description = 'solar', is_active = false where id = $1`, [agent.id]);
    await db.pool.query(`update app_public.agents set config = '{}' where id = $1`, [agent.id]);
    expect(await versions(agent.id)).toHaveLength(1);

    await db.pool.query(`update app_public.agents set config = '{"llm": "gpt-5", "voice": "aria"}' where id = $1`, [agent.id]);
    await db.pool.query(`update app_public.agents set agent_type = 'chat' where id = $1`, [agent.id]);
    // Same configuration written again (key order differs): no version.
    await db.pool.query(`update app_public.agents set config = '{"voice": "aria", "llm": "gpt-5"}' where id = $1`, [agent.id]);
    expect(await versions(agent.id)).toMatchObject([
      { version: 1, config: {} },
      { version: 2, name: 'Maya 2', agent_type: 'call', config: { llm: 'gpt-5', voice: 'aria' } },
      { version: 3, agent_type: 'chat', config: { llm: 'gpt-5', voice: 'aria' } },
    ]);
  });

  it('records the login that made the change', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asMember(client, tenant.id, tenant.id, 'manager'); // the founding owner's member row has the tenant's id
        await client.query(`update app_public.agents set config = '{"prompt": "v2"}' where id = $1`, [agent.id]);
      }, { commit: true }));
    expect((await versions(agent.id))[1]).toMatchObject({ version: 2, created_by: tenant.id, actor: 'user' });
    // Nobody writes versions directly: the app roles have no insert grant.
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, tenant.id);
        await expect(client.query(
          `insert into app_public.agent_versions (user_id, agent_id, version, name, agent_type, config) values ($1, $2, 9, 'x', 'call', '{}')`,
          [tenant.id, agent.id],
        )).rejects.toMatchObject({ code: '42501' });
      }));
  });
});

describe('the version of a call', () => {
  it('is the version current at the call start, and follows moves of the start and the agent', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    const other = await createAgent(db.pool, tenant.id);
    const [v1] = await versions(agent.id);
    await backdate(v1!.id, '2026-01-01T00:00:00Z');
    await db.pool.query(`update app_public.agents set config = '{"prompt": "v2"}' where id = $1`, [agent.id]);
    const [, v2] = await versions(agent.id);
    await backdate(v2!.id, '2026-06-01T00:00:00Z');

    const before = await createCall(db.pool, { userId: tenant.id, agentId: agent.id, startedAt: '2026-05-31T23:59:59Z' });
    const at = await createCall(db.pool, { userId: tenant.id, agentId: agent.id, startedAt: '2026-06-01T00:00:00Z' });
    const older = await createCall(db.pool, { userId: tenant.id, agentId: agent.id, startedAt: '2025-03-01T00:00:00Z' });
    expect([await callVersion(before.id), await callVersion(at.id), await callVersion(older.id)]).toEqual([1, 2, 1]);

    await updateCall(db.pool, before.id, { startedAt: new Date('2026-07-01T00:00:00Z') });
    expect(await callVersion(before.id)).toBe(2);
    await updateCall(db.pool, at.id, { agentId: other.id });
    const { rows } = await db.pool.query<{ agent_id: string }>(
      `select v.agent_id from app_public.calls c join app_public.agent_versions v on v.id = app_public.calls_agent_version_id(c) where c.id = $1`, [at.id],
    );
    expect(rows[0]?.agent_id).toBe(other.id);
    // Other updates keep it.
    await updateCall(db.pool, before.id, { status: 'busy' });
    expect(await callVersion(before.id)).toBe(2);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });
});

describe('a configuration change after a call was stored', () => {
  it('moves calls that start after the change (a provider clock ahead of ours) to the new version', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    const ahead = await createCall(db.pool, { userId: tenant.id, agentId: agent.id, startedAt: new Date(Date.now() + 3_600_000) });
    const past = await createCall(db.pool, { userId: tenant.id, agentId: agent.id, startedAt: new Date(Date.now() - 3_600_000) });
    expect(await callVersion(ahead.id)).toBe(1);
    await db.pool.query(`update app_public.agents set config = '{"prompt": "v2"}' where id = $1`, [agent.id]);
    expect([await callVersion(ahead.id), await callVersion(past.id)]).toEqual([2, 1]);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });
});

describe('backfill of existing calls (the migration on a database with history)', () => {
  it('gives every existing agent version 1 and every existing call that version, touching nothing else', async () => {
    const { adminConnectionString } = inject('testDatabase');
    const committed = path.join(PROJECT_ROOT, 'migrations', 'committed');
    const files = (await readdir(committed)).filter((f) => f.endsWith('.sql')).sort();
    let mine = -1;
    for (const [i, file] of files.entries()) {
      if ((await readFile(path.join(committed, file), 'utf8')).includes('create table if not exists app_public.agent_versions')) mine = i;
    }
    expect(mine).toBeGreaterThan(0);
    const folder = await mkdtemp(path.join(os.tmpdir(), 'switchboard-versions-'));
    const name = `switchboard_backfill_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: adminConnectionString });
    await admin.connect();
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
    const connectionString = withDatabase(adminConnectionString, name);
    const client = new pg.Client({ connectionString });
    try {
      await cp(committed, path.join(folder, 'committed'), { recursive: true, filter: (source) => !files.slice(mine).some((f) => source.endsWith(f)) });
      await runMigrations(connectionString, { migrationsFolder: folder });
      await client.connect();
      const tenant = await createTenant(client, { timezone: 'Asia/Kolkata' });
      const agent = await createAgent(client, tenant.id);
      await client.query(`update app_public.agents set config = '{"prompt": "old"}' where id = $1`, [agent.id]);
      const call = await createCall(client, { userId: tenant.id, agentId: agent.id, status: 'completed', durationSeconds: 90, startedAt: '2024-01-01T00:00:00Z' });
      const { rows: [stamp] } = await client.query<{ updated_at: string }>('select updated_at::text from app_public.calls where id = $1', [call.id]);

      await cp(path.join(committed, files[mine]!), path.join(folder, 'committed', files[mine]!));
      await runMigrations(connectionString, { migrationsFolder: folder });

      const { rows } = await client.query(
        `select v.version, v.config, v.actor, c.updated_at::text = $2 as untouched
           from app_public.calls c join app_public.agent_versions v on v.id = app_public.calls_agent_version_id(c) where c.id = $1`,
        [call.id, stamp!.updated_at],
      );
      expect(rows).toEqual([{ version: 1, config: { prompt: 'old' }, actor: 'system', untouched: true }]);
      expect(await verifyRollups(client, tenant.id)).toEqual([]);
      // From now on the trigger numbers on.
      await client.query(`update app_public.agents set config = '{"prompt": "new"}' where id = $1`, [agent.id]);
      const { rows: after } = await client.query('select version from app_public.agent_versions where agent_id = $1 order by version', [agent.id]);
      expect(after).toEqual([{ version: 1 }, { version: 2 }]);
    } finally {
      await client.end().catch(() => undefined);
      await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      await admin.end();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

interface Figures {
  calls: string;
  successful_calls: string;
  success_rate: string | null;
  answer_rate: string | null;
  conversion_rate: string | null;
  cta_rate: string | null;
  average_lead_score: string | null;
  average_duration_seconds: string | null;
  leads: string;
  qualified_leads: string;
}

interface RateTest {
  rate: string;
  baseline_successes: string | number;
  baseline_trials: string | number;
  successes: string | number;
  trials: string | number;
  z: string | null;
  p_value: string | null;
  significant: boolean | null;
  verdict: string;
}

describe('KPIs by version', () => {
  it('equal a recomputation from raw rows, and every version adds up to the agent', async () => {
    const random = createRandom(17);
    const tenant = await createTenant(db.pool, { timezone: 'America/New_York' });
    const agent = await createAgent(db.pool, tenant.id);
    const v = await versions(agent.id);
    await backdate(v[0]!.id, '2026-01-01T00:00:00Z');
    for (const [i, at] of ['2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z'].entries()) {
      await db.pool.query(`update app_public.agents set config = jsonb_build_object('prompt', $2::int) where id = $1`, [agent.id, i + 2]);
      const all = await versions(agent.id);
      await backdate(all.at(-1)!.id, at);
    }
    const statuses: CallStatus[] = ['completed', 'completed', 'busy', 'no_answer', 'failed', 'in_progress'];
    for (let i = 0; i < 160; i += 1) {
      const call = await createCall(db.pool, {
        userId: tenant.id, agentId: agent.id, status: random.pick(statuses), durationSeconds: random.int(400),
        answeredByVoicemail: random.next() < 0.1, startedAt: new Date(Date.UTC(2026, 0, 15) + random.int(150 * 86_400_000)),
      });
      if (random.next() < 0.6) {
        await createAnalysis(db.pool, {
          userId: tenant.id, callId: call.id, totalScore: random.int(101), leadStatusTag: random.pick(['hot', 'warm', 'cold'] as const),
          ctaDemo: random.next() < 0.3,
        });
      }
    }

    const read = (from: string, to: string, list: number[] | null): Promise<Array<{ version: number; figures: Figures; compared_with: number | null; tests: RateTest[] | null }>> =>
      withClient(db.pool, (client) => inTransaction(client, async () => {
        await asTenant(client, tenant.id);
        const { rows } = await client.query(
          `select version, to_jsonb(figures) as figures, compared_with, to_jsonb(tests) as tests
             from app_public.agent_version_kpis($1, $2, $3, $4)`,
          [agent.id, from, to, list],
        );
        return rows;
      }));

    const rows = await read('2026-01-01', '2026-06-30', null);
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(rows.map((r) => r.compared_with)).toEqual([null, 1, 2]);

    // The oracle: raw rows, the definitions of sql/README.md written out independently.
    const { rows: oracle } = await db.pool.query<{ version: number } & Record<string, string | null>>(
      `select v.version,
              count(c.id)::text as calls,
              count(*) filter (where c.outcome = 'successful')::text as successful_calls,
              round(count(*) filter (where c.outcome = 'successful')::numeric / nullif(count(*) filter (where c.outcome is not null), 0), 4)::text as success_rate,
              round(count(*) filter (where c.outcome = 'successful')::numeric / nullif(count(*) filter (where c.outcome in ('successful', 'unanswered')), 0), 4)::text as answer_rate,
              count(a.id)::text as leads,
              count(*) filter (where a.total_score >= 60)::text as qualified_leads,
              round(count(*) filter (where a.total_score >= 60)::numeric / nullif(count(a.id), 0), 4)::text as conversion_rate,
              round(count(*) filter (where a.cta_demo_clicked)::numeric / nullif(count(a.id), 0), 4)::text as cta_rate,
              round(avg(a.total_score), 2)::text as average_lead_score,
              round(avg(c.duration_seconds) filter (where c.outcome = 'successful'), 2)::text as average_duration_seconds
         from app_public.agent_versions v
         left join app_public.calls c on app_public.calls_agent_version_id(c) = v.id
              and (c.started_at at time zone 'America/New_York')::date between '2026-01-01' and '2026-06-30'
         left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
        where v.agent_id = $1
        group by v.version order by v.version`,
      [agent.id],
    );
    // Versions were assigned by time: the oracle for that too.
    const { rows: misassigned } = await db.pool.query(
      `select c.id from app_public.calls c
        where c.agent_id = $1 and app_public.calls_agent_version_id(c) <> (
          select v.id from app_public.agent_versions v where v.agent_id = c.agent_id
           order by (v.created_at <= c.started_at) desc, case when v.created_at <= c.started_at then v.created_at end desc nulls last, v.created_at
           limit 1)`,
      [agent.id],
    );
    expect(misassigned).toEqual([]);
    for (const [i, expected] of oracle.entries()) {
      const { version, ...figures } = expected;
      expect(rows[i]?.version).toBe(version);
      const got = rows[i]!.figures as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(figures)) {
        expect(got[key] === null ? null : String(got[key]), `version ${version} ${key}`).toBe(value === null ? null : String(Number(value)));
      }
      expect(Number(figures.calls)).toBeGreaterThan(10);
    }
    // Every version together is the agent's KPI (the rollups).
    const { rows: [total] } = await db.pool.query<{ calls: string; leads: string }>(
      `select (f).calls::text as calls, (f).leads::text as leads
         from (select app_hidden.kpi_figures(m.measures) as f
                 from app_hidden.agent_measures($1, '2026-01-01', '2026-06-30') m where m.agent_id = $2) x`,
      [tenant.id, agent.id],
    );
    expect(String(rows.reduce((n, r) => n + Number(r.figures.calls), 0))).toBe(total!.calls);
    expect(String(rows.reduce((n, r) => n + Number(r.figures.leads), 0))).toBe(total!.leads);

    // The tests' numerators and denominators give the figures' rates.
    for (const row of rows.slice(1)) {
      for (const test of row.tests!) {
        const rate = row.figures[test.rate as keyof Figures];
        expect(Number(test.trials) === 0 ? null : Number((Number(test.successes) / Number(test.trials)).toFixed(4)), test.rate)
          .toBe(rate === null ? null : Number(rate));
      }
    }

    // Two chosen versions: only those, the second compared with the first.
    const pair = await read('2026-01-01', '2026-06-30', [3, 1]);
    expect(pair.map((r) => [r.version, r.compared_with])).toEqual([[1, null], [3, 1]]);
    expect(pair[1]!.tests!.map((t) => t.rate)).toEqual(['success_rate', 'answer_rate', 'conversion_rate', 'cta_rate']);
    expect(pair[1]!.tests![0]).toMatchObject({
      baseline_successes: Number(oracle[0]!.successful_calls),
      successes: Number(oracle[2]!.successful_calls),
    });
  });
});

describe('two-proportion z-test', () => {
  async function test(x1: number, n1: number, x2: number, n2: number): Promise<RateTest> {
    const { rows } = await db.pool.query<RateTest>(
      `select * from app_hidden.two_proportion_test('success_rate', $1, $2, $3, $4)`, [x1, n1, x2, n2],
    );
    return rows[0]!;
  }

  it('matches known values (pooled z, two-sided p)', async () => {
    // 40/100 vs 60/100: pooled 0.5, z = 0.2 / sqrt(0.25 * 0.02) = 2.8284, p = 0.0047.
    expect(await test(40, 100, 60, 100)).toMatchObject({ z: '2.8284', p_value: '0.0047', significant: true });
    expect((await test(40, 100, 60, 100)).verdict).toMatch(/^Significant at 95% \(p = 0\.0047\): this version is higher/);
    // 45/100 vs 50/100: pooled 0.475, z = 0.05 / sqrt(0.475 * 0.525 * 0.02) = 0.7080, p = 0.4790.
    expect(await test(45, 100, 50, 100)).toMatchObject({ z: '0.7080', p_value: '0.4790', significant: false });
    expect((await test(45, 100, 50, 100)).verdict).toMatch(/^Not significant at 95%/);
    // 200/1000 vs 170/1000: lower, z = -1.7276, p = 0.0841 (not significant).
    expect(await test(200, 1000, 170, 1000)).toMatchObject({ z: '-1.7276', p_value: '0.0841', significant: false });
    // 120/400 vs 90/400: z = -2.4106, p = 0.0159: significant, lower.
    const lower = await test(120, 400, 90, 400);
    expect(lower).toMatchObject({ z: '-2.4106', p_value: '0.0159', significant: true });
    expect(lower.verdict).toMatch(/this version is lower/);
  });

  it('refuses to judge small samples and empty versions', async () => {
    expect(await test(1, 10, 3, 10)).toMatchObject({ z: null, p_value: null, significant: null });
    expect((await test(1, 10, 3, 10)).verdict).toMatch(/^Too few to judge/);
    // Large but all successes: no variance.
    expect(await test(100, 100, 100, 100)).toMatchObject({ z: null, significant: null });
    expect((await test(0, 0, 10, 40)).verdict).toMatch(/^Not enough data/);
  });
});

describe('tenants', () => {
  it('never see another tenant\'s versions or KPIs', async () => {
    const mine = await createTenant(db.pool);
    const theirs = await createTenant(db.pool);
    const theirAgent = await createAgent(db.pool, theirs.id);
    await createCall(db.pool, { userId: theirs.id, agentId: theirAgent.id, status: 'completed', durationSeconds: 30 });
    await withClient(db.pool, (client) => inTransaction(client, async () => {
      await asTenant(client, mine.id);
      const { rows: seen } = await client.query('select id from app_public.agent_versions where agent_id = $1', [theirAgent.id]);
      expect(seen).toEqual([]);
      const { rows: kpis } = await client.query('select * from app_public.agent_version_kpis($1)', [theirAgent.id]);
      expect(kpis).toEqual([]);
      const { rows: counted } = await client.query<{ n: number }>('select count(*)::int as n from app_public.agent_versions');
      expect(counted[0]?.n).toBe(0);
    }));
  });
});
