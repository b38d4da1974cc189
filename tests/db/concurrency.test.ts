/**
 * Concurrent writers on the analytics core: many connections hammer one agent
 * on one day (single inserts, 100-row batches in random order, status updates
 * of shared calls, a compactor loop), a time zone change races with inserts,
 * and batches sharing new phone numbers race with the contacts job. No writer
 * may fail (deadlock, serialization), totals must be exact and verify_rollups
 * clean, every call linked to its one contact with an exact not_connected.
 * Also forced interleavings (an analysis racing a call move, a purge racing a
 * time zone change, contact creation racing writers and the contacts job).
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactProblems, notConnected, syncContacts } from '../helpers/contacts.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  createAgent, createAnalysis, createCall, createCalls, createRandom, createTenant, phoneNumber, updateCall,
  type CallInput, type CallStatus, type Random,
} from '../helpers/fixtures.ts';
import { compactRollups, verifyRollups } from '../helpers/rollups.ts';

const seed = Number(process.env.TEST_SEED ?? randomInt(2 ** 31));
const STATUSES: readonly CallStatus[] = ['completed', 'completed', 'busy', 'no_answer', 'failed', 'canceled', 'in_progress'];

let db: TestDatabase;
const clients: pg.Client[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  await db?.drop();
});

/** A dedicated connection (one per simulated writer), closed after the file. */
async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.connectionString, application_name: 'switchboard-test-concurrency' });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

async function verify(userId: string): Promise<unknown[]> {
  return verifyRollups(db.pool, userId, { limit: 12 });
}

/** Rows app_private.trigger_error_log gained since `since` (its max id before), per trigger and SQLSTATE. */
async function loggedSince(since: string): Promise<{ trigger_name: string; error_code: string; n: number }[]> {
  const { rows } = await db.pool.query<{ trigger_name: string; error_code: string; n: number }>(
    `select trigger_name, error_code, count(*)::int as n from app_private.trigger_error_log
      where id > $1::bigint group by 1, 2 order by 1, 2`,
    [since],
  );
  return rows;
}

async function lastLogged(): Promise<string> {
  const { rows } = await db.pool.query<{ last: string }>('select coalesce(max(id), 0)::text as last from app_private.trigger_error_log');
  return rows[0]?.last ?? '0';
}

function sqlState(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

type Failure = { code: string | undefined; message: string };

/**
 * Runs the writers together, and the background loops (compactor, zone changer)
 * while any writer is still working; returns every error thrown (with its SQLSTATE).
 */
async function together(
  writers: (() => Promise<void>)[],
  background: ((active: () => boolean) => Promise<void>)[] = [],
): Promise<Failure[]> {
  let active = true;
  const main = Promise.allSettled(writers.map((writer) => writer())).finally(() => {
    active = false;
  });
  const loops = background.map((loop) => loop(() => active));
  const results = [...(await main), ...(await Promise.allSettled(loops))];
  return results.flatMap((result) =>
    result.status === 'rejected'
      ? [{ code: sqlState(result.reason), message: result.reason instanceof Error ? result.reason.message : String(result.reason) }]
      : [],
  );
}

/** A call somewhere on the day starting at `dayStart` (no phone number: contacts are tested on their own below). */
function callOnDay(random: Random, userId: string, agentId: string, dayStart: number): CallInput {
  const status = random.pick(STATUSES);
  return {
    userId,
    agentId,
    status,
    durationSeconds: status === 'completed' ? random.int(600) : 0,
    startedAt: new Date(dayStart + random.int(86_400_000)),
    direction: random.next() < 0.5 ? 'inbound' : 'outbound',
  };
}

describe('twelve connections on one agent and one day', () => {
  const DAY = '2026-06-15';
  const DAY_START = Date.UTC(2026, 5, 15);
  const SHARED = 60;
  const SINGLE_WRITERS = 4;
  const SINGLE_INSERTS = 50;
  const BATCH_WRITERS = 4;
  const BATCHES = 3;
  const BATCH_SIZE = 100;
  const UPDATERS = 3;
  const UPDATES = 80;
  let userId = '';
  let agentId = '';
  let inserted = 0;
  let errors: Failure[] = [];
  let compactions = 0;
  let postings = 0;

  beforeAll(async () => {
    const tenant = await createTenant(db.pool, { name: 'hammered' });
    userId = tenant.id;
    agentId = (await createAgent(db.pool, userId)).id;
    const setup = createRandom(seed);
    const shared = await createCalls(
      db.pool,
      Array.from({ length: SHARED }, () => ({ ...callOnDay(setup, userId, agentId, DAY_START), status: 'in_progress' as const })),
    );
    inserted = SHARED;
    const sharedIds = shared.map((call) => call.id);

    const writer = (body: (client: pg.Client, random: Random) => Promise<void>, index: number) => async (): Promise<void> => {
      await body(await connect(), createRandom(seed + index));
    };
    const writers: (() => Promise<void>)[] = [];
    for (let w = 0; w < SINGLE_WRITERS; w += 1) {
      writers.push(writer(async (client, random) => {
        for (let i = 0; i < SINGLE_INSERTS; i += 1) {
          await createCall(client, callOnDay(random, userId, agentId, DAY_START));
          inserted += 1;
        }
      }, 1 + w));
    }
    for (let w = 0; w < BATCH_WRITERS; w += 1) {
      writers.push(writer(async (client, random) => {
        for (let b = 0; b < BATCHES; b += 1) {
          const rows = random.shuffle(Array.from({ length: BATCH_SIZE }, () => callOnDay(random, userId, agentId, DAY_START)));
          await createCalls(client, rows);
          inserted += BATCH_SIZE;
        }
      }, 100 + w));
    }
    for (let w = 0; w < UPDATERS; w += 1) {
      writers.push(writer(async (client, random) => {
        for (let i = 0; i < UPDATES; i += 1) {
          const status = random.pick(STATUSES);
          await updateCall(client, random.pick(sharedIds), { status, durationSeconds: status === 'completed' ? random.int(600) : 0 });
        }
      }, 200 + w));
    }
    const compactor = async (active: () => boolean): Promise<void> => {
      const client = await connect();
      do {
        await compactRollups(client);
        compactions += 1;
        await sleep(2);
      } while (active());
    };
    // The credits job runs while calls are written: no charge may be lost or moved twice.
    const poster = async (active: () => boolean): Promise<void> => {
      const client = await connect();
      do {
        await client.query('select app_hidden.post_credit_transactions()');
        postings += 1;
        await sleep(5);
      } while (active());
    };
    errors = await together(writers, [compactor, poster]);
  });

  it('no writer failed (no deadlock, no serialization failure)', () => {
    expect(errors, `seed ${seed}`).toEqual([]);
    expect(compactions).toBeGreaterThan(0);
    expect(postings).toBeGreaterThan(0);
  });

  it('totals are exact and verification is clean, before and after the last compaction', async () => {
    expect(inserted).toBe(SHARED + SINGLE_WRITERS * SINGLE_INSERTS + BATCH_WRITERS * BATCHES * BATCH_SIZE);
    const exact = async (): Promise<void> => {
      const { rows } = await db.pool.query<Record<string, string>>(
        `select s.calls::text, s.successful_calls::text as successful, s.failed_calls::text as failed,
                s.unanswered_calls::text as unanswered, s.talk_seconds::text as talk, s.credits_used::text as credits,
                s.inbound_calls::text as inbound
           from app_public.agent_daily_stats s where s.user_id = $1 and s.agent_id = $2 and s.day = $3::date
         union all
         select count(*)::text, count(*) filter (where outcome = 'successful')::text,
                count(*) filter (where outcome = 'failed')::text, count(*) filter (where outcome = 'unanswered')::text,
                coalesce(sum(duration_seconds) filter (where outcome = 'successful'), 0)::text, sum(credits_used)::text,
                count(*) filter (where direction = 'inbound')::text
           from app_public.calls where user_id = $1`,
        [userId, agentId, DAY],
      );
      expect(rows[0]?.calls).toBe(String(inserted));
      expect(rows[0]).toEqual(rows[1]);
      const { rows: daily } = await db.pool.query<{ calls: string }>(
        `select sum(calls)::text as calls from app_public.tenant_daily_stats where user_id = $1`, [userId],
      );
      expect(daily[0]?.calls).toBe(String(inserted));
      expect(await verify(userId), `seed ${seed}`).toEqual([]);
    };
    await exact();
    await compactRollups(db.pool);
    await exact();
  });

  it('every call was charged exactly its credits', async () => {
    // Ledger rows plus charges not yet moved: exactly credits_used per call, and as available credits.
    const wrongCharges = async (): Promise<unknown[]> => {
      const { rows } = await db.pool.query(
        `select c.id, c.credits_used,
                (select -coalesce(sum(t.amount), 0)::int from app_public.credit_transactions t where t.call_id = c.id) as posted,
                (select -coalesce(sum(x.amount), 0)::int from app_hidden.credit_charges x where x.call_id = c.id) as pending
           from app_public.calls c
          where c.user_id = $1
            and (select -coalesce(sum(t.amount), 0) from app_public.credit_transactions t where t.call_id = c.id)
              + (select -coalesce(sum(x.amount), 0) from app_hidden.credit_charges x where x.call_id = c.id)
                <> c.credits_used`,
        [userId],
      );
      return rows;
    };
    const totals = async (): Promise<{ used: number; available: number; ledger: number; pending: number }> => {
      const { rows } = await db.pool.query<{ used: number; available: number; ledger: number; pending: number }>(
        `select (select sum(credits_used)::int from app_public.calls where user_id = u.id) as used,
                app_public.users_available_credits(u) as available,
                (select count(*)::int from app_public.credit_transactions t
                  where t.user_id = u.id and (t.posted_at is null or t.call_id is null)) as ledger,
                (select count(*)::int from app_hidden.credit_charges x where x.user_id = u.id) as pending
           from app_public.users u where u.id = $1`,
        [userId],
      );
      const [row] = rows;
      if (!row) throw new Error('tenant missing');
      return row;
    };
    expect(await wrongCharges(), `seed ${seed}`).toEqual([]);
    const before = await totals();
    expect(before.used).toBeGreaterThan(0);
    expect(before.available).toBe(-before.used);

    await db.pool.query('select app_hidden.post_credit_transactions()');
    expect(await wrongCharges(), `seed ${seed}`).toEqual([]);
    // Everything moved and posted (no call was deleted, so every row keeps its call).
    expect(await totals()).toEqual({ used: before.used, available: -before.used, ledger: 0, pending: 0 });
    const { rows: balance } = await db.pool.query<{ credits: number; last: number | null }>(
      `select u.credits,
              (select t.balance_after from app_public.credit_transactions t where t.user_id = u.id
                order by t.posted_at desc, t.created_at desc, t.id desc limit 1) as last
         from app_public.users u where u.id = $1`,
      [userId],
    );
    expect(balance[0]).toEqual({ credits: -before.used, last: -before.used });
  });
});

describe('a time zone change racing with writers of the same tenant', () => {
  it('leaves the rollups exact', async () => {
    const tenant = await createTenant(db.pool, { name: 'moving-zones', timezone: 'UTC' });
    const agents = [(await createAgent(db.pool, tenant.id)).id, (await createAgent(db.pool, tenant.id)).id];
    const start = Date.UTC(2026, 2, 1);
    const span = 20 * 86_400_000; // across the US and EU DST changes
    const input = (random: Random): CallInput => ({
      ...callOnDay(random, tenant.id, random.pick(agents), start + random.int(span)),
    });
    const shared = (await createCalls(db.pool, Array.from({ length: 40 }, () => input(createRandom(seed))))).map((c) => c.id);
    let zoneChanges = 0;
    const writer = (index: number, body: (client: pg.Client, random: Random) => Promise<void>) => async (): Promise<void> => {
      await body(await connect(), createRandom(seed + 1000 + index));
    };
    const writers = [
      ...[0, 1, 2].map((i) => writer(i, async (client, random) => {
        for (let n = 0; n < 80; n += 1) await createCall(client, input(random));
      })),
      ...[3, 4].map((i) => writer(i, async (client, random) => {
        for (let n = 0; n < 8; n += 1) await createCalls(client, Array.from({ length: 25 }, () => input(random)));
      })),
      writer(5, async (client, random) => {
        for (let n = 0; n < 100; n += 1) {
          const status = random.pick(STATUSES);
          await updateCall(client, random.pick(shared), { status, durationSeconds: status === 'completed' ? random.int(600) : 0 });
        }
      }),
    ];
    // Zone changes keep coming while the writers work (at least two).
    const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Pacific/Chatham', 'America/Los_Angeles'];
    const zoneChanger = async (active: () => boolean): Promise<void> => {
      const client = await connect();
      do {
        await sleep(15);
        await client.query('update app_public.users set timezone = $2 where id = $1', [tenant.id, zones[zoneChanges % zones.length]]);
        zoneChanges += 1;
      } while (active() || zoneChanges < 2);
    };
    const compactor = async (active: () => boolean): Promise<void> => {
      const client = await connect();
      do {
        await compactRollups(client);
        await sleep(5);
      } while (active());
    };
    const errors = await together(writers, [zoneChanger, compactor]);
    expect(errors, `seed ${seed}`).toEqual([]);
    expect(zoneChanges).toBeGreaterThanOrEqual(2);
    const { rows } = await db.pool.query<{ calls: number; raw: number }>(
      `select (select sum(calls)::int from app_public.tenant_daily_stats where user_id = $1) as calls,
              (select count(*)::int from app_public.calls where user_id = $1) as raw`,
      [tenant.id],
    );
    expect(rows[0]).toEqual({ calls: 40 + 3 * 80 + 2 * 8 * 25, raw: 40 + 3 * 80 + 2 * 8 * 25 });
    expect(await verify(tenant.id), `seed ${seed}`).toEqual([]);
    await compactRollups(db.pool);
    expect(await verify(tenant.id), `seed ${seed}`).toEqual([]);
  });
});

describe('concurrent batches sharing new phone numbers, with the contacts job running', () => {
  // The link trigger never waits: a call whose contact another transaction is creating right now is stored
  // unlinked, and the contacts job links it and counts it. not_connected changes are appended and applied by the
  // job. So nothing here may deadlock (with the default deadlock_timeout, which the design must not rely on).
  const PHONES = 10;
  const WRITERS = 4;
  const BATCHES = 3;
  const BATCH_SIZE = 50;
  const UPDATERS = 2;
  const UPDATES = 60;

  it('link each number to one contact and keep not_connected exact, without deadlocks', async () => {
    const tenant = await createTenant(db.pool, { name: 'shared-numbers' });
    const agent = await createAgent(db.pool, tenant.id);
    const before = await lastLogged();
    const committed: string[] = [];
    const statuses: readonly CallStatus[] = ['completed', 'busy', 'no_answer', 'failed', 'canceled', 'in_progress'];
    const writers = Array.from({ length: WRITERS }, (_, w) => async (): Promise<void> => {
      const client = await connect();
      const random = createRandom(seed + 5000 + w);
      for (let b = 0; b < BATCHES; b += 1) {
        const rows = await createCalls(client, random.shuffle(Array.from({ length: BATCH_SIZE }, (_, i) => {
          const status = random.pick(statuses);
          return {
            userId: tenant.id, agentId: agent.id, status, durationSeconds: status === 'completed' ? random.int(120) : 0,
            startedAt: '2026-06-20T10:00:00Z', phoneNumber: phoneNumber(900 + (i % PHONES)),
          };
        })));
        committed.push(...rows.map((row) => row.id));
      }
    });
    // Provider status updates of calls already stored (linked or not yet): they move not_connected both ways.
    const updaters = Array.from({ length: UPDATERS }, (_, u) => async (): Promise<void> => {
      const client = await connect();
      const random = createRandom(seed + 6000 + u);
      for (let done = 0; done < UPDATES;) {
        if (committed.length === 0) {
          await sleep(2);
          continue;
        }
        const status = random.pick(statuses);
        await updateCall(client, random.pick(committed), { status, durationSeconds: status === 'completed' ? random.int(120) : 0 });
        done += 1;
      }
    });
    let syncRuns = 0;
    const contactsJob = async (active: () => boolean): Promise<void> => {
      const client = await connect();
      do {
        await syncContacts(client);
        syncRuns += 1;
        await sleep(3);
      } while (active());
    };
    const errors = await together([...writers, ...updaters], [contactsJob]);
    expect({ errors, logged: await loggedSince(before) }, `seed ${seed}`).toEqual({ errors: [], logged: [] });
    expect(syncRuns).toBeGreaterThan(0);

    // The job catches up in one run; a second finds nothing left to link.
    await syncContacts(db.pool);
    expect(await syncContacts(db.pool)).toBe(0);
    expect(await contactProblems(db.pool, tenant.id), `seed ${seed}`).toEqual({ unlinked: 0, misLinked: 0, wrongCounters: [] });
    const { rows: contacts } = await db.pool.query<{ calls: number }>(
      `select (select count(*)::int from app_public.calls c where c.contact_id = k.id) as calls
         from app_public.contacts k where k.user_id = $1 order by k.phone_number`,
      [tenant.id],
    );
    expect(contacts.map((k) => k.calls)).toEqual(Array(PHONES).fill((WRITERS * BATCHES * BATCH_SIZE) / PHONES));
    const { rows: pending } = await db.pool.query<{ n: number }>(
      'select count(*)::int as n from app_hidden.contact_count_deltas where user_id = $1', [tenant.id],
    );
    expect(pending[0]?.n).toBe(0);
  });
});

/** Whether the statement running on `pid` is waiting for a lock. */
async function waitingForLock(pid: number): Promise<boolean> {
  const { rows } = await db.pool.query<{ waiting: boolean }>(
    `select coalesce(bool_or(wait_event_type = 'Lock'), false) as waiting from pg_stat_activity where pid = $1`, [pid],
  );
  return rows[0]?.waiting ?? false;
}

/** Waits until `statement` has finished or is blocked on a lock; returns which. */
async function finishedOrBlocked(statement: Promise<unknown>, pid: number): Promise<'finished' | 'blocked'> {
  let done = false;
  void statement.then(() => { done = true; }, () => { done = true; });
  for (let i = 0; i < 500; i += 1) {
    if (done) return 'finished';
    if (await waitingForLock(pid)) return 'blocked';
    await sleep(10);
  }
  throw new Error('statement neither finished nor blocked');
}

async function backendPid(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return rows[0]?.pid ?? 0;
}

describe('forced interleavings', () => {
  // Bug report: the analysis trigger reads the call as of its snapshot and the call trigger reads the analysis as
  // of its own; when both transactions overlap, the analysis is counted on the call's old agent (write skew).
  it.each(['call moved first', 'analysis inserted first'] as const)(
    'an analysis racing a move of its call is counted where the call ends up (%s)',
    async (order) => {
      const tenant = await createTenant(db.pool);
      const [from, to] = [await createAgent(db.pool, tenant.id), await createAgent(db.pool, tenant.id)];
      const call = await createCall(db.pool, {
        userId: tenant.id, agentId: from.id, status: 'completed', durationSeconds: 60, startedAt: '2026-07-01T12:00:00Z',
      });
      const mover = await connect();
      const analyser = await connect();
      const move = (): Promise<unknown> => updateCall(mover, call.id, { agentId: to.id });
      const analyse = (): Promise<unknown> => createAnalysis(analyser, { userId: tenant.id, callId: call.id, totalScore: 90 });
      await mover.query('begin');
      await analyser.query('begin');
      const [firstClient, first, secondClient, second] = order === 'call moved first'
        ? [mover, move, analyser, analyse] as const
        : [analyser, analyse, mover, move] as const;
      const secondPid = await backendPid(secondClient);
      await first();
      const pending = second();
      const state = await finishedOrBlocked(pending, secondPid);
      if (state === 'blocked') {
        await firstClient.query('commit');
        await pending;
        await secondClient.query('commit');
      } else {
        await pending;
        await secondClient.query('commit');
        await firstClient.query('commit');
      }
      const { rows } = await db.pool.query<{ agent_id: string; leads: string }>(
        `select agent_id::text, sum(leads_generated)::text as leads from app_public.agent_daily_stats
          where user_id = $1 group by agent_id having sum(leads_generated) <> 0`,
        [tenant.id],
      );
      expect(rows).toEqual([{ agent_id: to.id, leads: '1' }]);
      expect(await verify(tenant.id)).toEqual([]);
    },
  );

  // Bug report: purge_calls reads the time zone without locking the tenant, so a purge overlapping a time zone change
  // records the purged history in the old zone's days while the rebuild moved the rollups to the new zone.
  it('a purge racing a time zone change leaves verification clean', async () => {
    const tenant = await createTenant(db.pool, { timezone: 'UTC' });
    const agent = await createAgent(db.pool, tenant.id);
    await createCalls(db.pool, [
      { userId: tenant.id, agentId: agent.id, status: 'completed', durationSeconds: 60, startedAt: '2025-01-15T02:30:00Z' },
      { userId: tenant.id, agentId: agent.id, status: 'busy', startedAt: '2025-01-20T03:00:00Z' },
    ]);
    await compactRollups(db.pool);
    const zoneChanger = await connect();
    const purger = await connect();
    await zoneChanger.query('begin');
    await zoneChanger.query(`update app_public.users set timezone = 'America/New_York' where id = $1`, [tenant.id]);
    const purgerPid = await backendPid(purger);
    const purge = purger.query(`select app_hidden.purge_calls($1, '2025-06-01') as n`, [tenant.id]);
    await finishedOrBlocked(purge, purgerPid);
    await zoneChanger.query('commit');
    await purge;
    expect(await verify(tenant.id)).toEqual([]);
  });

  it('a call whose contact another transaction is creating is stored without waiting, then linked by the contacts job', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    const phone = phoneNumber(950);
    const call = { userId: tenant.id, agentId: agent.id, status: 'busy' as const, phoneNumber: phone, startedAt: '2026-07-02T09:00:00Z' };
    const creator = await connect();
    const other = await connect();
    const otherPid = await backendPid(other);
    await creator.query('begin');
    const created = await createCall(creator, call);
    expect(created.contactId).not.toBeNull();
    const pending = createCall(other, call);
    expect(await finishedOrBlocked(pending, otherPid)).toBe('finished');
    const skipped = await pending;
    expect(skipped.contactId).toBeNull();
    await creator.query('commit');

    expect(await syncContacts(db.pool)).toBe(1);
    const { rows } = await db.pool.query<{ contact_id: string }>('select contact_id from app_public.calls where id = $1', [skipped.id]);
    expect(rows[0]?.contact_id).toBe(created.contactId);
    expect(await notConnected(db.pool, tenant.id, phone)).toBe(2);
    expect(await contactProblems(db.pool, tenant.id)).toEqual({ unlinked: 0, misLinked: 0, wrongCounters: [] });
  });

  /**
   * Runs the contacts job while `writer` has an open transaction that created a contact the job needs, then lets
   * `next` (the writer's next statement) run; returns what the job and the writer got. The writer commits at the end.
   */
  async function contactsJobAgainst(writer: pg.Client, next: () => Promise<unknown>): Promise<{ job: unknown; writer: unknown }> {
    const job = await connect();
    const jobPid = await backendPid(job);
    const settle = (p: Promise<unknown>): Promise<unknown> =>
      p.then(() => 'ok', (error: unknown) => ({ code: sqlState(error), message: error instanceof Error ? error.message : String(error) }));
    const running = settle(syncContacts(job));
    await finishedOrBlocked(running, jobPid);
    const writerResult = await settle(next());
    await writer.query('commit');
    return { job: await running, writer: writerResult };
  }

  // Bug report: sync_contacts creates contacts without the per-number advisory lock the link trigger takes, and waits
  // (ON CONFLICT) for a writer's uncommitted contact while holding its own uncommitted ones. A writer that then needs
  // one of those contacts waits for the job: deadlock (40P01 after deadlock_timeout; the job or, caught by the link
  // trigger, the writer loses). Unlinked calls without a contact arise whenever a contact's creator rolls back.
  it('the contacts job and a writer creating the same new contacts in the other order do not deadlock', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    const [p1, p2] = [phoneNumber(951), phoneNumber(952)];
    const call = (phone: string): CallInput => ({ userId: tenant.id, agentId: agent.id, status: 'busy', phoneNumber: phone });
    // A batch creating both contacts rolls back while another stored calls for both numbers (unlinked).
    const failing = await connect();
    await failing.query('begin');
    await createCalls(failing, [call(p1), call(p2)]);
    expect((await createCalls(db.pool, [call(p1), call(p2)])).map((c) => c.contactId)).toEqual([null, null]);
    await failing.query('rollback');
    const before = await lastLogged();

    const writer = await connect();
    await writer.query('begin');
    await createCall(writer, call(p2));
    const results = await contactsJobAgainst(writer, () => createCall(writer, call(p1)));
    expect({ ...results, logged: await loggedSince(before) }).toEqual({ job: 'ok', writer: 'ok', logged: [] });
    await syncContacts(db.pool);
    expect(await contactProblems(db.pool, tenant.id)).toEqual({ unlinked: 0, misLinked: 0, wrongCounters: [] });
  });

  // Bug report: sync_contacts locks every unlinked call (FOR NO KEY UPDATE) and then waits for a writer's
  // uncommitted contact; if that writer then updates one of those calls (a status webhook in the same transaction as
  // a new call), each waits for the other: deadlock.
  it('the contacts job and a writer that creates a contact and then updates a call the job is linking do not deadlock', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    const phone = phoneNumber(953);
    const call = { userId: tenant.id, agentId: agent.id, status: 'in_progress' as const, phoneNumber: phone };
    const before = await lastLogged();
    const writer = await connect();
    await writer.query('begin');
    await createCall(writer, call);
    const skipped = await createCall(db.pool, call);
    expect(skipped.contactId).toBeNull();
    const results = await contactsJobAgainst(writer, () => updateCall(writer, skipped.id, { status: 'no_answer' }));
    expect({ ...results, logged: await loggedSince(before) }).toEqual({ job: 'ok', writer: 'ok', logged: [] });
    await syncContacts(db.pool);
    expect(await contactProblems(db.pool, tenant.id)).toEqual({ unlinked: 0, misLinked: 0, wrongCounters: [] });
    expect(await notConnected(db.pool, tenant.id, phone)).toBe(1);
  });
});
