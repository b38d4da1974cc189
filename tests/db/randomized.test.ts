/**
 * Model-free randomized check of the analytics core: a seeded PRNG drives
 * thousands of mixed writes (inserts and batches, status and duration
 * corrections, provider cost, hang-up side and ringing/answer times, analyses,
 * deletes, agent and start-time moves, a time zone change, a retention purge,
 * interleaved compactions, ledger postings, contacts job runs, agent
 * configuration changes with calls around them, and re-scoring runs started,
 * left running across other writes, then applied or cancelled) across tenants in
 * different time zones. Afterwards
 * verify_rollups must find nothing for any tenant, the credit ledger must be
 * exact, and every call must be linked to its contact with an exact
 * not_connected; every call must carry the agent version current at its start
 * and the KPIs by version must add up to the agent's. Analyses book appointments
 * (demo_book_datetime), people and a calendar tool change them: every booking analysis has its appointment,
 * an untouched one follows the analysis, and the booking KPIs count exactly the raw bookings and appointments.
 *
 * Reproduce a failure with the printed seed: TEST_SEED=<seed> npx vitest run tests/db/randomized.test.ts
 */
import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactProblems, syncContacts } from '../helpers/contacts.ts';
import { asTenant, createTestDatabase, inTransaction, type TestDatabase } from '../helpers/db.ts';
import {
  createAgent, createAnalysis, createCalls, createRandom, createTenant, phoneNumber, updateAnalysis, updateCall,
  type CallInput, type CallStatus, type Random,
} from '../helpers/fixtures.ts';
import { recordAllVersions, startRun } from '../helpers/rescoring.ts';
import { compactRollups, verifyTenants } from '../helpers/rollups.ts';

const OPERATIONS = 3000;
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'] as const;
const NEW_ZONE = 'Australia/Lord_Howe';
const STATUSES: readonly CallStatus[] = [
  'queued', 'ringing', 'in_progress', 'completed', 'completed', 'completed', 'busy', 'no_answer', 'failed', 'canceled',
];
// 2026-02-15 .. 2026-11-20: spans the DST changes of every zone above.
const FROM = Date.UTC(2026, 1, 15);
const SPAN = Date.UTC(2026, 10, 20) - FROM;

const seed = Number(process.env.TEST_SEED ?? randomInt(2 ** 31));

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface TenantState {
  id: string;
  agents: string[];
  calls: string[];
  /** call id -> analysis id */
  analyses: Map<string, string>;
  /** agent id -> configuration changes that made a version (the test's count). */
  configChanges: Map<string, number>;
  /** agent id -> the configuration the test last wrote. */
  configs: Map<string, number>;
  /** Phone numbers of deleted calls (a deleted call stays counted in not_connected, so their counters are not checked). */
  deletedPhones: Set<string>;
  /** A re-scoring run started and analysed but not yet applied or cancelled. */
  run?: string;
}

const PHONES = 60;
/** hangup_by values providers send (app_hidden.hangup_side maps them to agent / caller / neither). */
const HANGUP_BY = ['agent', 'user', 'Callee', 'Caller', 'API Request', 'carrier', null] as const;

/** The state of the world as the test believes it; re-read from the database after a purge. */
class World {
  readonly tenants: TenantState[] = [];
  readonly log: string[] = [];
  private providerCalls = 0;

  readonly client: pg.ClientBase;
  readonly random: Random;

  constructor(client: pg.ClientBase, random: Random) {
    this.client = client;
    this.random = random;
  }

  note(entry: string): void {
    this.log.push(entry);
    if (this.log.length > 25) this.log.shift();
  }

  callInput(tenant: TenantState): CallInput {
    const { random } = this;
    const status = random.pick(STATUSES);
    this.providerCalls += 1;
    // Some calls start now, among agent configuration changes, so they fall on either side of a version.
    const startedAt = random.next() < 0.1 ? new Date(Date.now() + random.int(240_000) - 120_000) : new Date(FROM + random.int(SPAN));
    const ringingAt = random.next() < 0.7 ? new Date(startedAt.getTime() + random.int(5000)) : null;
    return {
      userId: tenant.id,
      agentId: random.pick(tenant.agents),
      status,
      durationSeconds: status === 'completed' || random.next() < 0.1 ? random.int(900) : 0,
      answeredByVoicemail: random.next() < 0.1,
      direction: random.next() < 0.3 ? 'inbound' : 'outbound',
      callSource: random.pick(['phone', 'phone', 'internet', 'unknown'] as const),
      startedAt,
      phoneNumber: random.next() < 0.8 ? phoneNumber(random.int(PHONES)) : null,
      providerCallId: `rnd-${seed}-${this.providerCalls}`,
      costCents: this.cost(),
      hangupBy: random.pick(HANGUP_BY),
      ringingAt,
      // sometimes (clock skew) an answer time before the ringing time: not counted
      answeredAt: ringingAt && random.next() < 0.8 ? new Date(ringingAt.getTime() + random.int(30_000) - 1000) : null,
    };
  }

  /** A provider cost in cents with up to 4 decimals, or null (not reported). */
  cost(): string | null {
    return this.random.next() < 0.3 ? null : (this.random.int(5_000_000) / 10_000).toFixed(4);
  }

  async insert(tenant: TenantState, n: number): Promise<void> {
    const rows = await createCalls(this.client, Array.from({ length: n }, () => this.callInput(tenant)));
    tenant.calls.push(...rows.map((row) => row.id));
  }

  async reload(tenant: TenantState): Promise<void> {
    const { rows: calls } = await this.client.query<{ id: string }>(
      'select id from app_public.calls where user_id = $1 order by id', [tenant.id],
    );
    tenant.calls = calls.map((row) => row.id);
    const { rows: analyses } = await this.client.query<{ id: string; call_id: string }>(
      `select id, call_id from app_public.lead_analytics where user_id = $1 and analysis_type = 'individual'`, [tenant.id],
    );
    tenant.analyses = new Map(analyses.map((row) => [row.call_id, row.id]));
  }
}

function removeCall(tenant: TenantState, callId: string): void {
  tenant.calls = tenant.calls.filter((id) => id !== callId);
  tenant.analyses.delete(callId);
}

function analysisScores(random: Random): Parameters<typeof updateAnalysis>[2] {
  const score = (): number | null => (random.next() < 0.2 ? null : random.int(101));
  return {
    totalScore: score(), intentScore: score(), urgencyScore: score(), budgetScore: score(), fitScore: score(),
    engagementScore: score(), leadStatusTag: random.pick(['hot', 'warm', 'cold', null] as const),
    ctaPricing: random.next() < 0.3, ctaDemo: random.next() < 0.3, ctaFollowup: random.next() < 0.2,
    ctaSample: random.next() < 0.1, ctaEscalatedToHuman: random.next() < 0.1,
    // A third book an appointment (a re-score may move, clear or keep it).
    demoBookDatetime: random.next() < 0.33 ? new Date(FROM + random.int(SPAN)).toISOString() : null,
    sentimentLabel: random.pick(['positive', 'neutral', 'negative', 'mixed', null] as const),
    sentimentScore: random.next() < 0.2 ? null : random.int(201) - 100,
    callQualityScore: score(), csatScore: score(),
    transferRequested: random.pick([true, false, null] as const), transferHappened: random.pick([true, false, null] as const),
    conversationOutcome: random.pick(['converted', 'interested', 'callback_requested', 'not_interested', 'wrong_person', 'no_outcome', null] as const),
  };
}

const APPOINTMENT_STATUSES = ['scheduled', 'confirmed', 'completed', 'no_show', 'cancelled'] as const;

type Operation = (world: World, tenant: TenantState) => Promise<void>;

/** Weighted operations on one tenant; each returns without doing anything when it does not apply. */
const OPERATION_TABLE: readonly [number, string, Operation][] = [
  [14, 'insert one call', (w, t) => w.insert(t, 1)],
  [4, 'insert a batch', (w, t) => w.insert(t, w.random.between(2, 40))],
  [22, 'change status', async (w, t) => {
    if (t.calls.length === 0) return;
    const status = w.random.pick(STATUSES);
    await updateCall(w.client, w.random.pick(t.calls), status === 'completed'
      ? { status, durationSeconds: w.random.int(900) }
      : { status });
  }],
  [8, 'correct duration', async (w, t) => {
    if (t.calls.length === 0) return;
    await updateCall(w.client, w.random.pick(t.calls), { durationSeconds: w.random.int(900) });
  }],
  [2, 'flag voicemail', async (w, t) => {
    if (t.calls.length === 0) return;
    await updateCall(w.client, w.random.pick(t.calls), { answeredByVoicemail: w.random.next() < 0.5 });
  }],
  [2, 'change direction or source', async (w, t) => {
    if (t.calls.length === 0) return;
    await updateCall(w.client, w.random.pick(t.calls), {
      direction: w.random.pick(['inbound', 'outbound'] as const),
      callSource: w.random.pick(['phone', 'internet', 'unknown'] as const),
    });
  }],
  [10, 'analyse a call', async (w, t) => {
    const candidates = t.calls.filter((id) => !t.analyses.has(id));
    if (candidates.length === 0) return;
    const callId = w.random.pick(candidates);
    const row = await createAnalysis(w.client, { userId: t.id, callId, ...analysisScores(w.random) });
    t.analyses.set(callId, row.id);
  }],
  [8, 're-score an analysis', async (w, t) => {
    if (t.analyses.size === 0) return;
    await updateAnalysis(w.client, w.random.pick([...t.analyses.values()]), analysisScores(w.random));
  }],
  [3, 'delete an analysis', async (w, t) => {
    if (t.analyses.size === 0) return;
    const [callId, id] = w.random.pick([...t.analyses.entries()]);
    await w.client.query('delete from app_public.lead_analytics where id = $1', [id]);
    t.analyses.delete(callId);
  }],
  [2, 're-analyse (delete + insert in one transaction)', async (w, t) => {
    if (t.analyses.size === 0) return;
    const [callId, id] = w.random.pick([...t.analyses.entries()]);
    await w.client.query('begin');
    await w.client.query('delete from app_public.lead_analytics where id = $1', [id]);
    const row = await createAnalysis(w.client, { userId: t.id, callId, ...analysisScores(w.random) });
    await w.client.query('commit');
    t.analyses.set(callId, row.id);
  }],
  [3, 'delete a call', async (w, t) => {
    if (t.calls.length === 0) return;
    const callId = w.random.pick(t.calls);
    const { rows } = await w.client.query<{ phone: string | null }>(
      'delete from app_public.calls where id = $1 returning phone_number as phone', [callId],
    );
    if (rows[0]?.phone) t.deletedPhones.add(rows[0].phone);
    removeCall(t, callId);
  }],
  [4, 'move a call to another agent', async (w, t) => {
    if (t.calls.length === 0) return;
    await updateCall(w.client, w.random.pick(t.calls), { agentId: w.random.pick(t.agents) });
  }],
  [4, 'move a call in time', async (w, t) => {
    if (t.calls.length === 0) return;
    const startedAt = new Date(FROM + w.random.int(SPAN));
    // the lifecycle times move with the start (calls_lifecycle_order)
    await w.client.query(
      `update app_public.calls
          set started_at = $2, agent_id = coalesce($3, agent_id),
              ringing_at = ringing_at + ($2::timestamptz - started_at), answered_at = answered_at + ($2::timestamptz - started_at)
        where id = $1`,
      [w.random.pick(t.calls), startedAt, w.random.next() < 0.3 ? w.random.pick(t.agents) : null],
    );
  }],
  [3, 'provider reports cost and who hung up', async (w, t) => {
    if (t.calls.length === 0) return;
    await updateCall(w.client, w.random.pick(t.calls), w.random.next() < 0.5
      ? { costCents: w.cost(), hangupBy: w.random.pick(HANGUP_BY) }
      : w.random.next() < 0.5 ? { costCents: w.cost() } : { hangupBy: w.random.pick(HANGUP_BY) });
  }],
  [3, 'lifecycle times (ringing, answer) arrive or are corrected', async (w, t) => {
    if (t.calls.length === 0) return;
    await w.client.query(
      `update app_public.calls
          set ringing_at = case when $2::int < 0 then null else started_at + $2 * interval '1 millisecond' end,
              answered_at = case when $3::int < 0 then null else started_at + $3 * interval '1 millisecond' end
        where id = $1`,
      [w.random.pick(t.calls), w.random.next() < 0.1 ? -1 : w.random.int(8000), w.random.next() < 0.2 ? -1 : w.random.int(40_000)],
    );
  }],
  [3, 'change an agent configuration', async (w, t) => {
    const agentId = w.random.pick(t.agents);
    const config = w.random.int(4); // a small set: some writes repeat the configuration and make no version
    await w.client.query(`update app_public.agents set config = jsonb_build_object('prompt', $2::int) where id = $1`, [agentId, config]);
    if ((t.configs.get(agentId) ?? -1) !== config) t.configChanges.set(agentId, (t.configChanges.get(agentId) ?? 0) + 1);
    t.configs.set(agentId, config);
  }],
  [1, 'rename an agent (no version)', async (w, t) => {
    await w.client.query(`update app_public.agents set name = $2 where id = $1`, [w.random.pick(t.agents), `agent ${w.random.int(1000)}`]);
  }],
  [3, 'a person changes an appointment', async (w, t) => {
    const { rows } = await w.client.query<{ id: string }>(
      'select id from app_public.appointments where user_id = $1 order by id', [t.id],
    );
    if (rows.length === 0) return;
    await w.client.query(
      `update app_public.appointments set status = $2, status_source = 'api' where id = $1`,
      [w.random.pick(rows).id, w.random.pick(APPOINTMENT_STATUSES)],
    );
  }],
  [2, 'a calendar tool reports a booking (in any order)', async (w, t) => {
    await w.client.query('begin');
    await w.client.query(`select set_config('jwt.claims.user_id', $1, true)`, [t.id]);
    const call = t.calls.length > 0 && w.random.next() < 0.5 ? w.random.pick(t.calls) : null;
    await w.client.query(
      `select app_hidden.sync_calendar_appointment($1, $2, $3, $4, null, null, null, $5)`,
      [`cal-${w.random.int(30)}`, new Date(FROM + w.random.int(SPAN)), w.random.pick(APPOINTMENT_STATUSES),
        new Date(Date.now() + w.random.int(300) * 86_400_000 - 150 * 86_400_000), call],
    );
    await w.client.query('commit');
  }],
  [2, 'start a re-scoring run (versions kept aside)', async (w, t) => {
    if (t.run || t.analyses.size === 0) return;
    // Transcripts for the analysed calls (already analysed: no job is queued), then a run over a random range.
    await w.client.query(
      `insert into app_public.transcripts (user_id, call_id, content, analysis_status)
       select a.user_id, a.call_id, 'user: price?', 'completed' from app_public.lead_analytics a
        where a.user_id = $1 and a.analysis_type = 'individual'
       on conflict (call_id) do nothing`,
      [t.id],
    );
    const a = new Date(FROM + w.random.int(SPAN)).toISOString().slice(0, 10);
    const b = new Date(FROM + w.random.int(SPAN)).toISOString().slice(0, 10);
    const [from, to] = a <= b ? [a, b] : [b, a];
    try {
      t.run = (await startRun(w.client, t.id, from, to)).id;
    } catch (error) {
      if ((error as { code?: string }).code === 'SB191') return; // nothing analysed in that range
      throw error;
    }
    const score = (): number => w.random.int(101);
    await recordAllVersions(w.client, t.run, () => ({
      intent_score: score(), urgency_score: score(), budget_score: score(), fit_score: score(), engagement_score: score(),
      cta_interactions: { pricing_clicked: w.random.next() < 0.4, demo_clicked: w.random.next() < 0.3 },
    }));
  }],
  [2, 'apply or cancel the re-scoring run', async (w, t) => {
    if (!t.run) return;
    if (w.random.next() < 0.75) {
      await w.client.query('select app_hidden.apply_rescoring_run($1)', [t.run]);
    } else {
      await w.client.query(`update app_public.rescoring_runs set status = 'cancelled' where id = $1`, [t.run]);
    }
    t.run = undefined;
  }],
  [1, 'buy credits', async (w, t) => {
    await w.client.query(
      `insert into app_public.credit_transactions (user_id, type, amount, description) values ($1, 'purchase', $2, 'top-up')`,
      [t.id, w.random.between(10, 500)],
    );
  }],
  [1, 'a transaction that rolls back', async (w, t) => {
    if (t.calls.length === 0) return;
    await w.client.query('begin');
    await createCalls(w.client, Array.from({ length: 5 }, () => w.callInput(t)));
    await updateCall(w.client, w.random.pick(t.calls), { status: 'failed', startedAt: new Date(FROM) });
    await w.client.query('rollback');
  }],
];

const TOTAL_WEIGHT = OPERATION_TABLE.reduce((n, [weight]) => n + weight, 0);

function pickOperation(random: Random): [string, Operation] {
  let roll = random.int(TOTAL_WEIGHT);
  for (const [weight, name, operation] of OPERATION_TABLE) {
    if (roll < weight) return [name, operation];
    roll -= weight;
  }
  throw new Error('unreachable');
}

function differences(client: pg.ClientBase, tenants: readonly TenantState[]): Promise<unknown[]> {
  return verifyTenants(client, tenants.map((t) => t.id));
}

async function run(world: World): Promise<void> {
  const { client, random } = world;
  for (const [i, timezone] of ZONES.entries()) {
    const tenant = await createTenant(client, { timezone, credits: 15 * (i + 1) });
    const agents = [];
    for (let a = 0; a < 3; a += 1) agents.push((await createAgent(client, tenant.id)).id);
    world.tenants.push({
      id: tenant.id, agents, calls: [], analyses: new Map(), deletedPhones: new Set(), configChanges: new Map(), configs: new Map(),
    });
  }
  const zoneChangeAt = random.between(OPERATIONS * 0.3, OPERATIONS * 0.6);
  const purgeAt = random.between(OPERATIONS * 0.5, OPERATIONS * 0.8);

  for (let step = 0; step < OPERATIONS; step += 1) {
    const tenant = random.pick(world.tenants);
    let name: string;
    if (step === zoneChangeAt) {
      name = `time zone change to ${NEW_ZONE}`;
      await client.query('update app_public.users set timezone = $2 where id = $1', [tenant.id, NEW_ZONE]);
    } else if (step === purgeAt) {
      const before = new Date(FROM + random.int(SPAN / 3));
      name = `purge before ${before.toISOString()}`;
      const batch = random.between(20, 200);
      const { rows: phones } = await client.query<{ phone: string }>(
        `select distinct phone_number as phone from app_public.calls
          where user_id = $1 and started_at < $2 and phone_number is not null`,
        [tenant.id, before],
      );
      for (const { phone } of phones) tenant.deletedPhones.add(phone);
      let purged: number;
      do {
        const { rows } = await client.query<{ n: number }>('select app_hidden.purge_calls($1, $2, $3) as n', [tenant.id, before, batch]);
        purged = rows[0]?.n ?? 0;
      } while (purged > 0);
      await world.reload(tenant);
    } else if (random.next() < 0.004) {
      name = 'compact';
      await compactRollups(client, random.between(1, 2000));
    } else if (random.next() < 0.004) {
      name = 'contacts job';
      await syncContacts(client);
    } else if (random.next() < 0.003) {
      name = 'post credits';
      await client.query('select app_hidden.post_credit_transactions()');
    } else {
      let operation: Operation;
      [name, operation] = pickOperation(random);
      await operation(world, tenant);
    }
    world.note(`${step}: ${name} (tenant ${world.tenants.indexOf(tenant)})`);
    if (step % 1000 === 999) {
      expect(await differences(client, world.tenants), `seed ${seed}, after step ${step}`).toEqual([]);
    }
  }
}

describe('randomized workload', () => {
  it('leaves every rollup exact, the credit ledger balanced and every contact linked and counted', async () => {
    const client = await db.pool.connect();
    const world = new World(client, createRandom(seed));
    try {
      try {
        await run(world);
      } catch (error) {
        throw new Error(`seed ${seed} (TEST_SEED=${seed}); last operations:\n${world.log.join('\n')}`, { cause: error });
      }
      const { rows: counts } = await client.query<{ calls: number; analyses: number }>(
        `select (select count(*)::int from app_public.calls) as calls,
                (select count(*)::int from app_public.lead_analytics) as analyses`,
      );
      // The workload really happened.
      expect(counts[0]?.calls, `seed ${seed}`).toBeGreaterThan(500);
      expect(counts[0]?.analyses, `seed ${seed}`).toBeGreaterThan(100);

      // Appointments: every booking analysis has its appointment; one nobody touched follows its analysis
      // (time, or cancelled when the time was cleared) and has its call.
      const { rows: missing } = await client.query(
        `select a.call_id from app_public.lead_analytics a
          where a.analysis_type = 'individual' and a.demo_book_datetime is not null
            and not exists (select 1 from app_public.appointments p where p.call_id = a.call_id and p.source = 'analysis')`,
      );
      expect(missing, `seed ${seed}`).toEqual([]);
      const { rows: stale } = await client.query(
        `select p.id, p.status, p.scheduled_at, a.demo_book_datetime
           from app_public.appointments p
           left join app_public.lead_analytics a on a.call_id = p.call_id
          where p.source = 'analysis' and p.status_source = 'analysis'
            and (a.id is null
                 or (a.demo_book_datetime is null and p.status <> 'cancelled')
                 or (a.demo_book_datetime is not null and (p.status, p.scheduled_at) <> ('scheduled', a.demo_book_datetime)))`,
      );
      expect(stale, `seed ${seed}`).toEqual([]);
      const { rows: appointmentCounts } = await client.query<{ analysis: number; touched: number; calendar: number }>(
        `select count(*) filter (where source = 'analysis')::int as analysis,
                count(*) filter (where source = 'analysis' and status_source <> 'analysis')::int as touched,
                count(*) filter (where source = 'calendar')::int as calendar
           from app_public.appointments`,
      );
      expect(appointmentCounts[0]?.analysis, `seed ${seed}`).toBeGreaterThan(20);
      expect(appointmentCounts[0]?.touched, `seed ${seed}`).toBeGreaterThan(5);
      expect(appointmentCounts[0]?.calendar, `seed ${seed}`).toBeGreaterThan(5);
      // The booking KPIs over everything count the raw bookings and appointments exactly.
      for (const tenant of world.tenants) {
        await client.query('begin');
        await client.query(`select set_config('jwt.claims.user_id', $1, true)`, [tenant.id]);
        const { rows: kpi } = await client.query<Record<string, number>>(
          `select sum(booked_calls)::int as booked, sum(appointments)::int as appointments, sum(completed)::int as completed,
                  sum(no_shows)::int as no_shows, sum(confirmed)::int as confirmed
             from app_public.booking_kpis('2024-12-01', '2027-12-31')`,
        );
        await client.query('commit');
        const { rows: raw } = await client.query<Record<string, number>>(
          // (bookings of calls retention purged stay in the KPI history: purged_rollups)
          `select (select count(*)::int from app_public.lead_analytics a
                    where a.user_id = $1 and a.analysis_type = 'individual' and a.demo_book_datetime is not null)
                + (select coalesce(sum(r.booked_calls), 0)::int from app_hidden.purged_rollups r
                    where r.user_id = $1 and (r.target is null or r.target = 'agent_day')) as booked,
                  count(*)::int as appointments, count(*) filter (where p.status = 'completed')::int as completed,
                  count(*) filter (where p.status = 'no_show')::int as no_shows,
                  count(*) filter (where p.confirmed_at is not null)::int as confirmed
             from app_public.appointments p where p.user_id = $1`,
          [tenant.id],
        );
        expect(kpi[0], `seed ${seed}`).toEqual(raw[0]);
      }

      expect(await differences(client, world.tenants), `seed ${seed}, before compaction`).toEqual([]);
      // Re-scoring happened, and the history matches: every analysis has exactly one latest version, holding its values.
      const { rows: runs } = await client.query<{ completed: number }>(`select count(*) filter (where status = 'completed')::int as completed from app_public.rescoring_runs`);
      expect(runs[0]?.completed, `seed ${seed}`).toBeGreaterThan(0);
      const { rows: history } = await client.query(
        `select a.call_id, (select count(*)::int from app_public.analysis_versions h where h.call_id = a.call_id and h.is_latest) as latest,
                (select h.analysis = app_hidden.analysis_document(a) from app_public.analysis_versions h where h.call_id = a.call_id and h.is_latest) as same
           from app_public.lead_analytics a
          where a.analysis_type = 'individual'
            and ((select count(*) from app_public.analysis_versions h where h.call_id = a.call_id and h.is_latest) <> 1
                 or not (select h.analysis = app_hidden.analysis_document(a) from app_public.analysis_versions h where h.call_id = a.call_id and h.is_latest))
          limit 5`,
      );
      expect(history, `seed ${seed}`).toEqual([]);
      const { rows: orphans } = await client.query(
        `select h.call_id from app_public.analysis_versions h
          where h.is_latest and h.analysis_type = 'individual'
            and not exists (select 1 from app_public.lead_analytics a where a.call_id = h.call_id) limit 5`,
      );
      expect(orphans, `seed ${seed}`).toEqual([]);
      await compactRollups(client);
      expect(await differences(client, world.tenants), `seed ${seed}, after compaction`).toEqual([]);

      // Agent versions: one per configuration change after version 1, numbered without gaps; every call carries
      // the version current at its start (re-derived here with a window, not the trigger's function).
      for (const tenant of world.tenants) {
        for (const agentId of tenant.agents) {
          const { rows } = await client.query<{ version: number }>(
            'select version from app_public.agent_versions where agent_id = $1 order by version', [agentId],
          );
          const expected = 1 + (tenant.configChanges.get(agentId) ?? 0);
          expect(rows.map((r) => r.version), `seed ${seed}`).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
        }
      }
      const { rows: wrongVersions } = await client.query(
        `with spans as (
           select v.id, v.agent_id, v.version, v.created_at,
                  lead(v.created_at) over (partition by v.agent_id order by v.created_at, v.version) as until,
                  v.version = min(v.version) over (partition by v.agent_id) as first
             from app_public.agent_versions v)
         select c.id from app_public.calls c
          where app_public.calls_agent_version_id(c) is distinct from (
            select s.id from spans s
             where s.agent_id = c.agent_id
               and (c.started_at >= s.created_at or s.first) and (s.until is null or c.started_at < s.until)
             order by s.version desc limit 1)
          limit 5`,
      );
      expect(wrongVersions, `seed ${seed}`).toEqual([]);
      const { rows: versionedCalls } = await client.query<{ n: number }>(
        `select count(distinct app_public.calls_agent_version_id(calls))::int as n from app_public.calls`,
      );
      expect(versionedCalls[0]?.n, `seed ${seed}`).toBeGreaterThan(world.tenants.length * 3);
      // KPIs by version add up to the agent's KPIs (the rollups), from after the purge's latest possible cutoff
      // (they are read from stored calls; purged history stays only in the rollups).
      for (const tenant of world.tenants) {
        const sums = await inTransaction(client, async () => {
          await asTenant(client, tenant.id);
          const { rows } = await client.query<{ agent_id: string; by_version: string; rollup: string }>(
            `select g.id as agent_id,
                    (select jsonb_build_array(sum((k.figures).calls), sum((k.figures).successful_calls), sum((k.figures).talk_seconds),
                                              sum((k.figures).leads), sum((k.figures).qualified_leads), sum((k.figures).calls_with_cta))
                       from app_public.agent_version_kpis(g.id, '2026-05-25', '2026-12-31') k)::text as by_version,
                    (select jsonb_build_array((f).calls, (f).successful_calls, (f).talk_seconds, (f).leads, (f).qualified_leads, (f).calls_with_cta)
                       from (select app_hidden.kpi_figures(coalesce(
                               (select m.measures from app_hidden.agent_measures(g.user_id, '2026-05-25', '2026-12-31') m where m.agent_id = g.id),
                               app_hidden.zero_measures())) as f) x)::text as rollup
               from app_public.agents g order by g.id`,
          );
          return rows;
        });
        for (const row of sums) expect(row.by_version, `seed ${seed}, agent ${row.agent_id}`).toBe(row.rollup);
      }

      // Contacts: after the job, every call with a number is linked to its contact, and not_connected counts the
      // contact's missed calls (numbers with deleted calls excepted).
      await syncContacts(client);
      // (A tenant may have had a call deleted on every one of its numbers; across tenants some numbers remain.)
      let checkedNumbers = 0;
      for (const tenant of world.tenants) {
        const checked = Array.from({ length: PHONES }, (_, i) => phoneNumber(i)).filter((p) => !tenant.deletedPhones.has(p));
        checkedNumbers += checked.length;
        expect(await contactProblems(client, tenant.id, checked), `seed ${seed}`)
          .toEqual({ unlinked: 0, misLinked: 0, wrongCounters: [] });
      }
      expect(checkedNumbers, `seed ${seed}`).toBeGreaterThan(0);
      const { rows: leftovers } = await client.query<{ deltas: number; logged: number }>(
        `select (select count(*)::int from app_hidden.contact_count_deltas) as deltas,
                (select count(*)::int from app_private.trigger_error_log) as logged`,
      );
      expect(leftovers[0], `seed ${seed}`).toEqual({ deltas: 0, logged: 0 });

      await client.query('select app_hidden.post_credit_transactions()');
      const { rows: unposted } = await client.query<{ n: number }>(
        `select (select count(*)::int from app_public.credit_transactions where posted_at is null)
              + (select count(*)::int from app_hidden.credit_charges) as n`,
      );
      expect(unposted[0]?.n, `seed ${seed}`).toBe(0);
      // users.credits is the sum of the posted ledger.
      const { rows: balances } = await client.query(
        `select u.id, u.credits, coalesce(sum(t.amount), 0)::int as ledger
           from app_public.users u left join app_public.credit_transactions t on t.user_id = u.id
          group by u.id having u.credits <> coalesce(sum(t.amount), 0)`,
      );
      expect(balances, `seed ${seed}`).toEqual([]);
      // Postings ran in order: every balance_after is the running sum.
      const { rows: running } = await client.query(
        `select id, balance_after, running from (
           select t.id, t.balance_after,
                  sum(t.amount) over (partition by t.user_id order by t.created_at, t.id) as running
             from app_public.credit_transactions t) x
          where balance_after <> running limit 5`,
      );
      expect(running, `seed ${seed}`).toEqual([]);
      // Each existing call was charged exactly its final credits.
      const { rows: charges } = await client.query(
        `select c.id, c.credits_used, -coalesce(sum(t.amount), 0)::int as charged
           from app_public.calls c
           left join app_public.credit_transactions t on t.call_id = c.id and t.type in ('usage', 'refund')
          group by c.id having -coalesce(sum(t.amount), 0) <> c.credits_used limit 5`,
      );
      expect(charges, `seed ${seed}`).toEqual([]);
    } finally {
      client.release();
    }
  });
});
