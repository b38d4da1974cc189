/**
 * Score calibration (issue 17 item 6): conversion to customer by score band and temperature, overall and per agent,
 * against a recomputation in TypeScript from the raw rows: the latest analysed call of each contact in the range
 * that started before the contact became a customer (a customer linked by contact or by number, or the is_customer
 * flag). Tenants see only their own contacts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createAnalysis, createCall, createRandom, createTenant, phoneNumber } from '../helpers/fixtures.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface CalibrationRow {
  dimension: string;
  bucket: string;
  contacts: number;
  customers: number;
  conversion_rate: string | null;
}

const TZ = 'Asia/Kolkata';
const FROM = '2026-03-01';
const TO = '2026-08-31';

async function calibration(userId: string, agentId: string | null, from = FROM, to = TO): Promise<CalibrationRow[]> {
  return withClient(db.pool, (client) => inTransaction(client, async () => {
    await asTenant(client, userId);
    const { rows } = await client.query<CalibrationRow>(
      `select dimension, bucket, contacts::int, customers::int, conversion_rate::text from app_public.score_calibration($1, $2, $3)`,
      [from, to, agentId],
    );
    return rows;
  }));
}

function band(score: number): string {
  if (score >= 80) return '80-100';
  const lo = Math.floor(score / 20) * 20;
  return `${lo}-${lo + 19}`;
}

describe('score calibration', () => {
  it('equals a recomputation from raw rows, overall and per agent', async () => {
    const random = createRandom(6);
    const tenant = await createTenant(db.pool, { timezone: TZ });
    const agents = [await createAgent(db.pool, tenant.id), await createAgent(db.pool, tenant.id)];
    for (let i = 0; i < 260; i += 1) {
      const call = await createCall(db.pool, {
        userId: tenant.id, agentId: random.pick(agents).id, status: 'completed', durationSeconds: 60,
        phoneNumber: phoneNumber(random.int(70)),
        startedAt: new Date(Date.UTC(2026, 1, 1) + random.int(240 * 86_400_000)),
      });
      if (random.next() < 0.8) {
        await createAnalysis(db.pool, {
          userId: tenant.id, callId: call.id, totalScore: random.next() < 0.05 ? null : random.int(101),
          leadStatusTag: random.pick(['hot', 'warm', 'cold', null] as const),
        });
      }
    }
    // Customers: linked by contact, by number only, two records for one contact, and the bare flag.
    const { rows: contacts } = await db.pool.query<{ id: string; phone: string }>(
      'select id, phone_number as phone from app_public.contacts where user_id = $1 order by id', [tenant.id],
    );
    expect(contacts.length).toBeGreaterThan(50);
    for (const [i, contact] of contacts.entries()) {
      const roll = random.next();
      const at = new Date(Date.UTC(2026, 2, 1) + random.int(200 * 86_400_000)).toISOString();
      if (roll < 0.25) {
        await db.pool.query(`insert into app_public.customers (user_id, contact_id, name, conversion_date) values ($1, $2, $3, $4)`,
          [tenant.id, contact.id, `C${i}`, at]);
        if (random.next() < 0.3) {
          await db.pool.query(`insert into app_public.customers (user_id, phone, name, conversion_date) values ($1, $2, $3, $4)`,
            [tenant.id, contact.phone, `C${i} again`, new Date(Date.UTC(2026, 1, 1) + random.int(240 * 86_400_000)).toISOString()]);
        }
      } else if (roll < 0.35) {
        await db.pool.query(`insert into app_public.customers (user_id, phone, name, conversion_date) values ($1, $2, $3, $4)`,
          [tenant.id, contact.phone, `P${i}`, at]);
      } else if (roll < 0.42) {
        await db.pool.query('update app_public.contacts set is_customer = true where id = $1', [contact.id]);
      }
    }

    // The oracle, from raw rows.
    const { rows: calls } = await db.pool.query<{
      id: string; contact_id: string; agent_id: string; started_at: Date; day: string; total_score: number | null; tag: string | null;
    }>(
      `select c.id, c.contact_id, c.agent_id, c.started_at, (c.started_at at time zone $2)::date::text as day, a.total_score, a.lead_status_tag as tag
         from app_public.calls c join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
        where c.user_id = $1`,
      [tenant.id, TZ],
    );
    const { rows: customerRows } = await db.pool.query<{ contact_id: string | null; phone: string | null; conversion_date: Date }>(
      'select contact_id, phone, conversion_date from app_public.customers where user_id = $1', [tenant.id],
    );
    const { rows: flagged } = await db.pool.query<{ id: string; phone: string; is_customer: boolean }>(
      'select id, phone_number as phone, is_customer from app_public.contacts where user_id = $1', [tenant.id],
    );
    const convertedAt = new Map<string, number>();
    for (const contact of flagged) {
      const times = customerRows.filter((s) => s.contact_id === contact.id || s.phone === contact.phone).map((s) => s.conversion_date.getTime());
      if (times.length > 0) convertedAt.set(contact.id, Math.min(...times));
      else if (contact.is_customer) convertedAt.set(contact.id, Infinity);
    }
    const expected = (agentId: string | null): CalibrationRow[] => {
      const latest = new Map<string, (typeof calls)[number]>();
      for (const call of calls) {
        if (call.day < FROM || call.day > TO || (agentId && call.agent_id !== agentId)) continue;
        const conv = convertedAt.get(call.contact_id);
        if (conv !== undefined && call.started_at.getTime() >= conv) continue;
        const seen = latest.get(call.contact_id);
        if (!seen || call.started_at > seen.started_at || (call.started_at.getTime() === seen.started_at.getTime() && call.id > seen.id)) {
          latest.set(call.contact_id, call);
        }
      }
      const buckets: Array<[string, string, (c: (typeof calls)[number]) => boolean]> = [
        ...['0-19', '20-39', '40-59', '60-79', '80-100'].map((b) => ['band', b, (c: (typeof calls)[number]) => c.total_score !== null && band(c.total_score) === b] as [string, string, (c: (typeof calls)[number]) => boolean]),
        ...['hot', 'warm', 'cold'].map((t) => ['temperature', t, (c: (typeof calls)[number]) => c.tag === t] as [string, string, (c: (typeof calls)[number]) => boolean]),
        ['all', 'all', () => true],
      ];
      return buckets.map(([dimension, bucket, match]) => {
        const members = [...latest.values()].filter(match);
        const customers = members.filter((c) => convertedAt.has(c.contact_id)).length;
        return {
          dimension, bucket, contacts: members.length, customers,
          conversion_rate: members.length === 0 ? null : (Math.round((customers / members.length) * 10_000) / 10_000).toFixed(4),
        };
      });
    };

    const overall = await calibration(tenant.id, null);
    expect(overall).toEqual(expected(null));
    expect(overall.at(-1)!.customers).toBeGreaterThan(3);
    expect(overall.at(-1)!.contacts - overall.at(-1)!.customers).toBeGreaterThan(10);
    for (const agent of agents) {
      expect(await calibration(tenant.id, agent.id)).toEqual(expected(agent.id));
    }
  });

  it('has every bucket with zeros when nothing was scored, and hides other tenants', async () => {
    const mine = await createTenant(db.pool, { timezone: TZ });
    const theirs = await createTenant(db.pool, { timezone: TZ });
    const theirAgent = await createAgent(db.pool, theirs.id);
    const call = await createCall(db.pool, {
      userId: theirs.id, agentId: theirAgent.id, status: 'completed', durationSeconds: 30, phoneNumber: phoneNumber(1), startedAt: '2026-05-05T06:00:00Z',
    });
    await createAnalysis(db.pool, { userId: theirs.id, callId: call.id, totalScore: 90, leadStatusTag: 'hot' });
    const rows = await calibration(mine.id, theirAgent.id);
    expect(rows).toHaveLength(9);
    expect(rows.every((r) => r.contacts === 0 && r.customers === 0 && r.conversion_rate === null)).toBe(true);
    expect((await calibration(mine.id, null)).at(-1)).toMatchObject({ contacts: 0 });
    expect((await calibration(theirs.id, null)).at(-1)).toMatchObject({ contacts: 1, customers: 0 });
  });
});
