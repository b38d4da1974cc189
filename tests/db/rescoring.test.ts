/**
 * Score history and re-scoring runs in SQL: the history trigger on
 * lead_analytics (every analysis kept, is_latest), the backfill of existing
 * analyses by the migration, a run's lifecycle (estimate, start, versions kept
 * aside, one-transaction apply with exact rollups, cancel, one run at a time),
 * the contact's score history, the version comparison, and tenant isolation
 * and roles.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { runMigrations } from '../../kernel/db/migrate.ts';
import { withDatabase } from '../../kernel/db/urls.ts';
import { asMember, asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createAnalysis, createCall, createTenant, phoneNumber, tenantToday, updateAnalysis } from '../helpers/fixtures.ts';
import { analysisWithScore, readFigures, recordAllVersions, seedRescorable, startRun, type RescorableTenant } from '../helpers/rescoring.ts';
import { compactRollups, verifyRollups } from '../helpers/rollups.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface VersionRow {
  total_score: number | null;
  is_latest: boolean;
  run_id: string | null;
  prompt_version: string | null;
}

async function versions(callId: string): Promise<VersionRow[]> {
  const { rows } = await db.pool.query<VersionRow>(
    'select total_score, is_latest, run_id, prompt_version from app_public.analysis_versions where call_id = $1 order by id',
    [callId],
  );
  return rows;
}

async function range(t: RescorableTenant): Promise<{ from: string; to: string }> {
  const to = await tenantToday(db.pool, t.timezone);
  const { rows } = await db.pool.query<{ from: string }>(`select ($1::date - $2::int)::text as from`, [to, t.days - 1]);
  return { from: rows[0]!.from, to };
}

describe('history trigger', () => {
  it('keeps every analysis, marks the current one, ignores read flags and follows deletions', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    const call = await createCall(db.pool, { userId: tenant.id, agentId: agent.id, status: 'completed', durationSeconds: 90, phoneNumber: phoneNumber(1) });
    const analysis = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 50, leadStatusTag: 'warm' });
    expect(await versions(call.id)).toEqual([{ total_score: 50, is_latest: true, run_id: null, prompt_version: null }]);

    await updateAnalysis(db.pool, analysis.id, { totalScore: 80, leadStatusTag: 'hot' });
    await db.pool.query('update app_public.lead_analytics set is_read = true where id = $1', [analysis.id]);
    expect((await versions(call.id)).map((v) => [v.total_score, v.is_latest])).toEqual([[50, false], [80, true]]);

    // Re-analysis through the worker's path: a new version even with the same scores (a new analysed_at).
    await db.pool.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'builtin', 'builtin-v1', 'default-v1')`, [call.id, JSON.stringify(analysisWithScore(40))]);
    await db.pool.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'builtin', 'builtin-v1', 'default-v1')`, [call.id, JSON.stringify(analysisWithScore(40))]);
    const after = await versions(call.id);
    expect(after.map((v) => [v.total_score, v.is_latest, v.prompt_version])).toEqual([
      [50, false, null], [80, false, null], [40, false, 'default-v1'], [40, true, 'default-v1'],
    ]);
    // The version's document is the row's analysis columns, whatever they are.
    const { rows: doc } = await db.pool.query<{ same: boolean; keys: string[] }>(
      `select h.analysis = app_hidden.analysis_document(a) as same, array(select jsonb_object_keys(h.analysis) order by 1) as keys
         from app_public.analysis_versions h join app_public.lead_analytics a on a.call_id = h.call_id
        where h.call_id = $1 and h.is_latest`,
      [call.id],
    );
    expect(doc[0]?.same).toBe(true);
    expect(doc[0]?.keys).toContain('total_score');
    expect(doc[0]?.keys).not.toContain('is_read');

    // The complete analysis has its own history, and an erased one takes it along.
    await db.pool.query(`select app_hidden.record_contact_analysis($1, $2, $3::jsonb, 'builtin', 'builtin-v1', 'default-v1')`, [tenant.id, phoneNumber(1), JSON.stringify(analysisWithScore(60))]);
    await db.pool.query(`select app_hidden.record_contact_analysis($1, $2, $3::jsonb, 'builtin', 'builtin-v1', 'default-v1')`, [tenant.id, phoneNumber(1), JSON.stringify(analysisWithScore(65))]);
    const complete = `select count(*)::int as n, count(*) filter (where is_latest)::int as latest from app_public.analysis_versions where user_id = $1 and analysis_type = 'complete'`;
    expect((await db.pool.query(complete, [tenant.id])).rows[0]).toEqual({ n: 2, latest: 1 });
    await db.pool.query(`delete from app_public.lead_analytics where user_id = $1 and analysis_type = 'complete'`, [tenant.id]);
    expect((await db.pool.query(complete, [tenant.id])).rows[0]).toEqual({ n: 0, latest: 0 });

    await db.pool.query('delete from app_public.calls where id = $1', [call.id]);
    expect(await versions(call.id)).toEqual([]);
  });

  it("records the prompt text hash when the analysis used the tenant's current own prompt", async () => {
    const tenant = await createTenant(db.pool);
    await db.pool.query(`update app_public.users set analysis_prompt_individual = 'Score the caller.' where id = $1`, [tenant.id]);
    const agent = await createAgent(db.pool, tenant.id);
    const call = await createCall(db.pool, { userId: tenant.id, agentId: agent.id, status: 'completed', durationSeconds: 90 });
    const { rows: u } = await db.pool.query<{ v: number }>('select analysis_prompt_version as v from app_public.users where id = $1', [tenant.id]);
    await db.pool.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'openai', 'm', $3)`, [call.id, JSON.stringify(analysisWithScore(50)), `tenant-v${u[0]!.v}`]);
    const { rows } = await db.pool.query<{ prompt_hash: string }>('select prompt_hash from app_public.analysis_versions where call_id = $1', [call.id]);
    expect(rows[0]?.prompt_hash).toBe((await db.pool.query<{ h: string }>(`select md5('Score the caller.') as h`)).rows[0]?.h);
  });
});

describe('backfill', () => {
  it('turns every analysis that existed before the migration into its latest version', async () => {
    const { adminConnectionString } = inject('testDatabase');
    const name = `switchboard_backfill_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminConnectionString });
    await admin.connect();
    const folder = await mkdtemp(path.join(os.tmpdir(), 'switchboard-backfill-'));
    try {
      await admin.query(`drop database if exists ${name}`);
      await admin.query(`create database ${name}`);
      const committed = path.join(PROJECT_ROOT, 'migrations', 'committed');
      const files = (await readdir(committed)).sort();
      const mine = files.findIndex((f) => f.includes('score-history-and-re-scoring'));
      expect(mine).toBeGreaterThan(0);
      await cp(committed, path.join(folder, 'committed'), { recursive: true, filter: (src) => !files.slice(mine).some((f) => src.endsWith(f)) });
      const url = withDatabase(adminConnectionString, name);
      await runMigrations(url, { migrationsFolder: folder });
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      try {
        const tenant = await createTenant(pool);
        const agent = await createAgent(pool, tenant.id);
        const calls = [];
        for (let i = 0; i < 3; i += 1) calls.push(await createCall(pool, { userId: tenant.id, agentId: agent.id, status: 'completed', durationSeconds: 30, phoneNumber: phoneNumber(9) }));
        for (const [i, call] of calls.entries()) await createAnalysis(pool, { userId: tenant.id, callId: call.id, totalScore: 20 * (i + 1) });
        await pool.query(`select app_hidden.record_contact_analysis($1, $2, $3::jsonb, 'builtin', 'b', 'default-v1')`, [tenant.id, phoneNumber(9), JSON.stringify(analysisWithScore(55))]);
        await cp(committed, path.join(folder, 'committed'), { recursive: true });
        await runMigrations(url, { migrationsFolder: folder });
        const { rows } = await pool.query<{ analysis_type: string; total_score: number; is_latest: boolean; same: boolean }>(
          `select h.analysis_type, h.total_score, h.is_latest, h.analysis = app_hidden.analysis_document(a) and h.analyzed_at = a.analyzed_at as same
             from app_public.analysis_versions h
             join app_public.lead_analytics a on a.user_id = h.user_id and a.analysis_type = h.analysis_type
              and (a.call_id = h.call_id or (h.analysis_type = 'complete' and a.phone_number = h.phone_number))
            order by h.analysis_type, h.total_score`,
        );
        expect(rows).toEqual([
          { analysis_type: 'complete', total_score: 55, is_latest: true, same: true },
          { analysis_type: 'individual', total_score: 20, is_latest: true, same: true },
          { analysis_type: 'individual', total_score: 40, is_latest: true, same: true },
          { analysis_type: 'individual', total_score: 60, is_latest: true, same: true },
        ]);
      } finally {
        await pool.end();
      }
    } finally {
      // (The database is left to the test cluster: graphile-migrate's idle pool connections would see a forced drop as an error.)
      await admin.end();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('re-scoring runs', () => {
  it('estimates, keeps the new versions aside, then switches every KPI in one transaction with exact rollups', async () => {
    // Scores 30, 35, ... 55: none qualified (< 60), all cold/warm. The new version scores 80: all hot and qualified.
    const t = await seedRescorable(db.pool, { calls: 6, days: 3 });
    const { from, to } = await range(t);
    const { rows: estimate } = await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, t.userId);
        await client.query(`update app_public.users set analysis_prompt_individual = 'New rules.' where id = $1`, [t.userId]);
        return client.query('select * from app_public.estimate_rescoring($1, $2)', [from, to]);
      }),
    );
    expect(estimate[0]).toMatchObject({ calls: 6, estimated_output_tokens: '2700', custom_prompt: true, active_run_id: null });
    expect(Number(estimate[0].estimated_input_tokens)).toBe(Math.ceil(Number(estimate[0].transcript_characters) / 4) + 6 * 900);
    const expectedCents = Math.round(((Number(estimate[0].estimated_input_tokens) * 0.15 + 2700 * 0.6) / 1e6) * 100 * 100) / 100;
    expect(Number(estimate[0].estimated_cost_cents)).toBeCloseTo(expectedCents, 2);

    const before = await readFigures(db.pool, t.userId, from, to);
    expect(before).toMatchObject({ leads: 6, qualified_leads: 0, hot_leads: 0 });
    const run = await startRun(db.pool, t.userId, from, to);
    expect(run.calls_total).toBe(6);
    const { rows: job } = await db.pool.query('select count(*)::int as n from graphile_worker.jobs where key = $1', [`rescoring_runs__process:${run.id}`]);
    expect(job[0]).toEqual({ n: 1 });
    // Only one run at a time.
    await expect(startRun(db.pool, t.userId, from, to)).rejects.toMatchObject({ code: 'SB190' });

    await recordAllVersions(db.pool, run.id, () => analysisWithScore(80));
    const { rows: progress } = await db.pool.query('select status, calls_done, calls_total from app_public.rescoring_runs where id = $1', [run.id]);
    expect(progress[0]).toEqual({ status: 'running', calls_done: 6, calls_total: 6 });
    // Versions are kept aside: the KPIs and lead_analytics still hold the old version.
    expect(await readFigures(db.pool, t.userId, from, to)).toEqual(before);
    expect((await versions(t.callIds[0]!)).map((v) => [v.total_score, v.is_latest, v.run_id])).toEqual([[30, true, null], [80, false, run.id]]);

    await db.pool.query('select app_hidden.apply_rescoring_run($1)', [run.id]);
    const after = await readFigures(db.pool, t.userId, from, to);
    expect(after).toMatchObject({ leads: 6, qualified_leads: 6, hot_leads: 6, warm_leads: 0, cold_leads: 0, average_lead_score: '80.00' });
    expect((await versions(t.callIds[0]!)).map((v) => [v.total_score, v.is_latest])).toEqual([[30, false], [80, true]]);
    const { rows: la } = await db.pool.query<{ model: string; prompt_version: string; n: number }>(
      `select model, prompt_version, count(*)::int as n from app_public.lead_analytics where user_id = $1 and analysis_type = 'individual' group by 1, 2`,
      [t.userId],
    );
    expect(la).toEqual([{ model: 'new-model', prompt_version: 'tenant-v2', n: 6 }]);
    const { rows: done } = await db.pool.query('select status, calls_applied from app_public.rescoring_runs where id = $1', [run.id]);
    expect(done[0]).toEqual({ status: 'completed', calls_applied: 6 });
    expect(await verifyRollups(db.pool, t.userId)).toEqual([]);
    await compactRollups(db.pool);
    expect(await verifyRollups(db.pool, t.userId)).toEqual([]);
    // A later analysis of a re-scored call becomes latest as usual.
    await db.pool.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'openai', 'm', 'tenant-v2')`, [t.callIds[0], JSON.stringify(analysisWithScore(10))]);
    expect((await versions(t.callIds[0]!)).map((v) => [v.total_score, v.is_latest])).toEqual([[30, false], [80, false], [10, true]]);
  });

  it('applies nothing when cancelled, and skips a call whose transcript changed meanwhile', async () => {
    const t = await seedRescorable(db.pool, { calls: 4, days: 2 });
    const { from, to } = await range(t);
    const before = await readFigures(db.pool, t.userId, from, to);
    const run = await startRun(db.pool, t.userId, from, to);
    await recordAllVersions(db.pool, run.id, () => analysisWithScore(90));
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, t.userId);
        await client.query('select app_public.cancel_rescoring($1)', [run.id]);
      }, { commit: true }),
    );
    await db.pool.query('select app_hidden.apply_rescoring_run($1)', [run.id]);
    expect(await readFigures(db.pool, t.userId, from, to)).toEqual(before);
    expect((await db.pool.query('select status from app_public.rescoring_runs where id = $1', [run.id])).rows[0]).toEqual({ status: 'cancelled' });
    await expect(
      withClient(db.pool, (client) => inTransaction(client, async () => {
        await asTenant(client, t.userId);
        await client.query('select app_public.cancel_rescoring($1)', [run.id]);
      })),
    ).rejects.toMatchObject({ code: 'SB192' });

    // A second run: one call's transcript changes after it was analysed; it keeps its (newer) analysis.
    const second = await startRun(db.pool, t.userId, from, to);
    await recordAllVersions(db.pool, second.id, () => analysisWithScore(90));
    await db.pool.query(`update app_public.transcripts set content = content || ' More.' where call_id = $1`, [t.callIds[0]]);
    await db.pool.query('select app_hidden.apply_rescoring_run($1)', [second.id]);
    expect((await db.pool.query('select calls_applied from app_public.rescoring_runs where id = $1', [second.id])).rows[0]).toEqual({ calls_applied: 3 });
    expect((await versions(t.callIds[0]!)).filter((v) => v.is_latest).map((v) => v.total_score)).toEqual([30]);
    expect((await versions(t.callIds[1]!)).filter((v) => v.is_latest).map((v) => v.total_score)).toEqual([90]);
    expect(await verifyRollups(db.pool, t.userId)).toEqual([]);
  });

  it('refuses an empty range, viewers, and other tenants', async () => {
    const t = await seedRescorable(db.pool, { calls: 2, days: 1 });
    const other = await seedRescorable(db.pool, { calls: 1, days: 1 });
    const { from, to } = await range(t);
    await expect(startRun(db.pool, t.userId, '2001-01-01', '2001-01-31')).rejects.toMatchObject({ code: 'SB191' });
    const member = async (role: 'manager' | 'viewer'): Promise<string> =>
      (await db.pool.query<{ id: string }>(`insert into app_public.members (user_id, email, name, role) values ($1, $2, $3, $4) returning id`, [
        t.userId, `${role}-${t.userId}@example.com`, role, role,
      ])).rows[0]!.id;
    const viewer = await member('viewer');
    const manager = await member('manager');
    await expect(
      withClient(db.pool, (client) => inTransaction(client, async () => {
        await asMember(client, t.userId, viewer, 'viewer');
        await client.query('select app_public.start_rescoring($1, $2)', [from, to]);
      })),
    ).rejects.toMatchObject({ code: '25006' });
    const run = await withClient(db.pool, (client) => inTransaction(client, async () => {
      await asMember(client, t.userId, manager, 'manager');
      // A viewer reads the estimate; the manager starts.
      return (await client.query<{ id: string; started_by: string }>('select id, started_by from app_public.start_rescoring($1, $2)', [from, to])).rows[0]!;
    }, { commit: true }));
    expect(run.started_by).toBe(manager);
    // The other tenant sees neither the run nor the versions, and cannot cancel it.
    await withClient(db.pool, (client) => inTransaction(client, async () => {
      await asTenant(client, other.userId);
      expect((await client.query('select count(*)::int as n from app_public.rescoring_runs')).rows[0]).toEqual({ n: 0 });
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from app_public.analysis_versions where user_id <> $1', [other.userId]);
      expect(rows[0]?.n).toBe(0);
      expect((await client.query('select count(*)::int as n from app_public.analysis_versions')).rows[0]).toEqual({ n: 1 });
      await expect(client.query('select app_public.cancel_rescoring($1)', [run.id])).rejects.toMatchObject({ code: 'SB104' });
    }));
    // Its own estimate knows nothing of t's run.
    await withClient(db.pool, (client) => inTransaction(client, async () => {
      await asTenant(client, other.userId);
      expect((await client.query('select active_run_id from app_public.estimate_rescoring(null, null)')).rows[0]).toEqual({ active_run_id: null });
    }));
  });
});

describe('reading the history', () => {
  it("compares two versions on the same calls with the KPI definitions, and lists a contact's scores over time", async () => {
    // Three calls on one number; scores 30, 65, 75 (cold, warm, hot); the new version: 50, 50, 90.
    const scores = [30, 65, 75];
    const t = await seedRescorable(db.pool, { calls: 3, days: 1, phones: 1, score: (i) => scores[i]! });
    // A fourth call analysed only by the old version does not count in the comparison.
    const extra = await createCall(db.pool, { userId: t.userId, agentId: t.agentId, status: 'completed', durationSeconds: 10, startedAt: new Date() });
    await db.pool.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'openai', 'old-model', 'default-v1')`, [extra.id, JSON.stringify(analysisWithScore(99))]);
    const { from, to } = await range(t);
    const run = await startRun(db.pool, t.userId, from, to);
    const next = new Map(t.callIds.map((id, i) => [id, [50, 50, 90][i]!]));
    await recordAllVersions(db.pool, run.id, (callId) => analysisWithScore(next.get(callId) ?? 0));
    await db.pool.query(`delete from app_private.rescoring_run_calls where run_id = $1 and call_id = $2`, [run.id, extra.id]);
    await db.pool.query('select app_hidden.apply_rescoring_run($1)', [run.id]);

    await withClient(db.pool, (client) => inTransaction(client, async () => {
      await asTenant(client, t.userId);
      const { rows: list } = await client.query('select prompt_version, calls, current_calls from app_public.analysis_prompt_versions($1, $2)', [from, to]);
      expect(list).toEqual([
        { prompt_version: 'tenant-v2', calls: 3, current_calls: 3 },
        { prompt_version: 'default-v1', calls: 4, current_calls: 1 },
      ]);
      const { rows } = await client.query(
        `select calls_compared, (figures_a).leads as a_leads, (figures_a).qualified_leads as a_q, (figures_b).qualified_leads as b_q,
                (figures_a).hot_leads as a_hot, (figures_b).hot_leads as b_hot, (figures_a).warm_leads as a_warm, (figures_b).warm_leads as b_warm,
                (figures_a).cold_leads as a_cold, (figures_b).cold_leads as b_cold,
                (figures_a).average_lead_score::text as a_avg, (figures_b).average_lead_score::text as b_avg,
                (differences).average_lead_score::text as d_avg, (differences).qualified_leads as d_q,
                (differences).conversion_rate::text as d_conv, (figures_a).calls as a_calls,
                temperature_changed, score_raised, score_lowered
           from app_public.compare_analysis_versions('default-v1', 'tenant-v2', $1, $2)`,
        [from, to],
      );
      expect(rows[0]).toEqual({
        calls_compared: 3, a_leads: '3', a_q: '2', b_q: '1', a_hot: '1', b_hot: '1', a_warm: '1', b_warm: '2', a_cold: '1', b_cold: '0',
        a_avg: '56.67', b_avg: '63.33', d_avg: '6.66', d_q: '-1', d_conv: '-0.3334', a_calls: '0',
        temperature_changed: 1, score_raised: 2, score_lowered: 1,
      });
      const contact = (await client.query<{ id: string }>('select contact_id as id from app_public.calls where id = $1', [t.callIds[0]])).rows[0]!.id;
      const { rows: history } = await client.query<{ analysis_type: string; total_score: number; is_latest: boolean }>(
        'select analysis_type, total_score, is_latest from app_public.contact_score_history($1)',
        [contact],
      );
      expect(history.filter((h) => h.analysis_type === 'individual').map((h) => [h.total_score, h.is_latest]).sort()).toEqual(
        [[30, false], [50, true], [50, true], [65, false], [75, false], [90, true]].sort(),
      );
    }));
  });
});
