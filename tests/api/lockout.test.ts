/**
 * Sign-in lock-out per (email, source) (issue 13, item 7): a stranger's wrong
 * passwords lock the email only for the stranger's address, so the owner still
 * signs in from elsewhere; unknown emails answer and lock exactly like known
 * ones (same codes, same messages, the same bcrypt work); each new lock of one
 * source lasts twice as long. Over real HTTP from several loopback addresses
 * (127.0.0.x: all local on Linux), and in SQL for the back-off arithmetic.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { okData } from '../helpers/graphql-result.ts';

let api: ApiServer;

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
});

afterAll(async () => {
  await api?.close();
});

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { userId } }`;
const AUTHENTICATE = `mutation ($input: AuthenticateInput!) { authenticate(input: $input) { userId } }`;

interface Answer {
  userId: string | null;
  code: string | undefined;
  message: string | undefined;
}

async function register(email: string, password: string): Promise<string> {
  return okData(await api.graphql<{ register: { userId: string } }>(REGISTER, { input: { email, password, name: 'Owner' } })).register.userId;
}

/** `authenticate` sent from a given local address. */
function signInFrom(localAddress: string, email: string, password: string): Promise<Answer> {
  const { port } = new URL(api.url);
  const body = JSON.stringify({ query: AUTHENTICATE, variables: { input: { email, password } } });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const parsed = JSON.parse(text) as {
            data?: { authenticate: { userId: string } | null };
            errors?: Array<{ message: string; extensions?: { code?: string } }>;
          };
          resolve({ userId: parsed.data?.authenticate?.userId ?? null, code: parsed.errors?.[0]?.extensions?.code, message: parsed.errors?.[0]?.message });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function attempts(times: number, send: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < times; i += 1) answers.push(await send(i));
  return answers;
}

const codes = (answers: Answer[]): Array<string | undefined> => answers.map((answer) => answer.code);

describe('lock-out per (email, source)', () => {
  it("a stranger's failures lock only the stranger's address: the owner signs in from elsewhere", async () => {
    const email = 'targeted.owner@example.com';
    const password = 'the owner knows this one';
    const userId = await register(email, password);

    const stranger = await attempts(6, (i) => signInFrom('127.0.0.2', email, `guess number ${i}`));
    expect(codes(stranger)).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'ACCOUNT_LOCKED', 'ACCOUNT_LOCKED']);
    // Locked for the stranger even with the right password...
    expect((await signInFrom('127.0.0.2', email, password)).code).toBe('ACCOUNT_LOCKED');
    // ...but not for the owner at another address.
    const owner = await signInFrom('127.0.0.3', email, password);
    expect(owner).toEqual({ userId, code: undefined, message: undefined });

    // The database saw where each attempt came from.
    const { rows } = await api.db.pool.query<{ ip_address: string; outcome: string }>(
      `select ip_address, outcome from app_private.login_attempts where email = $1 order by id`,
      [email],
    );
    expect(rows.map((row) => row.ip_address)).toEqual([...Array<string>(7).fill('127.0.0.2'), '127.0.0.3']);
    expect(rows.at(-1)?.outcome).toBe('ok');
  });

  it('unknown emails get the same answers, and lock the same way, as known ones', async () => {
    const known = 'known.person@example.com';
    await register(known, 'a password nobody guesses');
    const unknown = 'no.such.person@example.com';
    const forKnown = await attempts(7, (i) => signInFrom('127.0.0.4', known, `wrong ${i}`));
    const forUnknown = await attempts(7, (i) => signInFrom('127.0.0.4', unknown, `wrong ${i}`));
    expect(forUnknown).toEqual(forKnown);
    expect(codes(forKnown).slice(4)).toEqual(['ACCOUNT_LOCKED', 'ACCOUNT_LOCKED', 'ACCOUNT_LOCKED']);
    const throttles = await api.db.pool.query<{ email: string; lockouts: number; locked: boolean }>(
      `select email::text, lockouts, locked_until > now() as locked from app_private.login_throttles where source = '127.0.0.4' order by email`,
    );
    expect(throttles.rows).toEqual([
      { email: known, lockouts: 1, locked: true },
      { email: unknown, lockouts: 1, locked: true },
    ]);
  });
});

describe('in SQL', () => {
  async function login(email: string, password: string, ip: string | null): Promise<string> {
    const { rows } = await api.db.pool.query<{ outcome: string }>(`select outcome from app_hidden.login($1, $2, $3)`, [email, password, ip]);
    return rows[0]?.outcome ?? 'none';
  }

  async function lockMinutes(email: string, source: string): Promise<number> {
    const { rows } = await api.db.pool.query<{ minutes: number }>(
      `select round(extract(epoch from locked_until - updated_at) / 60)::int as minutes from app_private.login_throttles where email = $1 and source = $2`,
      [email, source],
    );
    return rows[0]?.minutes ?? -1;
  }

  async function expireLock(email: string, source: string): Promise<void> {
    await api.db.pool.query(`update app_private.login_throttles set locked_until = now() - interval '1 second' where email = $1 and source = $2`, [email, source]);
  }

  it('back-off: each new lock of one source lasts twice as long, up to auth.lockout_max_minutes; a success from it starts over', async () => {
    const email = 'backoff@example.com';
    await register(email, 'the real password here');
    const ip = '198.51.100.7';
    const fail = async (): Promise<string[]> => {
      const outcomes = [];
      for (let i = 0; i < 5; i += 1) outcomes.push(await login(email, 'wrong', ip));
      return outcomes;
    };
    expect(await fail()).toEqual(['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'locked']);
    expect(await lockMinutes(email, ip)).toBe(15);
    await expireLock(email, ip);
    expect((await fail()).at(-1)).toBe('locked');
    expect(await lockMinutes(email, ip)).toBe(30);
    await expireLock(email, ip);
    expect((await fail()).at(-1)).toBe('locked');
    expect(await lockMinutes(email, ip)).toBe(60);
    // Many locks later: capped at one day.
    await api.db.pool.query(`update app_private.login_throttles set lockouts = 12, locked_until = now() - interval '1 second' where email = $1`, [email]);
    await fail();
    expect(await lockMinutes(email, ip)).toBe(1440);

    await expireLock(email, ip);
    expect(await login(email, 'the real password here', ip)).toBe('ok');
    expect((await api.db.pool.query(`select 1 from app_private.login_throttles where email = $1`, [email])).rowCount).toBe(0);
  });

  it('the same bcrypt work for known and unknown emails: one hash per attempt, none while locked', async () => {
    const known = 'timing.known@example.com';
    await register(known, 'timing password 123');
    const client = await api.db.pool.connect();
    const cryptCalls = async (email: string, ip: string): Promise<number> => {
      await client.query('begin');
      try {
        await client.query(`set local track_functions = 'all'`);
        // The view also holds counts not yet flushed from earlier transactions of this backend: take the difference.
        const count = async (): Promise<number> =>
          Number((await client.query<{ calls: string }>(`select calls from pg_stat_xact_user_functions where funcname = 'crypt'`)).rows[0]?.calls ?? 0);
        const before = await count();
        await client.query(`select app_hidden.login($1, 'not it', $2)`, [email, ip]);
        return (await count()) - before;
      } finally {
        await client.query('commit');
      }
    };
    try {
      const work = async (email: string, ip: string): Promise<number[]> => {
        const calls = [];
        for (let i = 0; i < 6; i += 1) calls.push(await cryptCalls(email, ip));
        return calls;
      };
      const forKnown = await work(known, '192.0.2.10');
      const forUnknown = await work('timing.unknown@example.com', '192.0.2.10');
      expect(forKnown).toEqual([1, 1, 1, 1, 1, 0]);
      expect(forUnknown).toEqual(forKnown);
    } finally {
      client.release();
    }
  });

  it('sources: an IPv6 /64 is one source, IPv4-mapped addresses are IPv4; without ip the switchboard.client_ip setting is used', async () => {
    const { rows } = await api.db.pool.query<Record<string, string>>(
      `select app_hidden.login_source('2001:db8:1:2::1') as a, app_hidden.login_source('2001:db8:1:2:ffff::9') as b,
              app_hidden.login_source('::ffff:203.0.113.5') as c, app_hidden.login_source('203.0.113.5') as d,
              app_hidden.login_source(null) as e, app_hidden.login_source('not an address') as f`,
    );
    expect(rows[0]).toEqual({ a: '2001:db8:1:2::/64', b: '2001:db8:1:2::/64', c: '203.0.113.5', d: '203.0.113.5', e: 'unknown', f: 'unknown' });

    const client = await api.db.pool.connect();
    try {
      await client.query(`select set_config('switchboard.client_ip', '192.0.2.77', false)`);
      await client.query(`select app_hidden.login('setting.source@example.com', 'whatever', null)`);
    } finally {
      await client.query(`reset switchboard.client_ip`);
      client.release();
    }
    const throttle = await api.db.pool.query<{ source: string }>(`select source from app_private.login_throttles where email = 'setting.source@example.com'`);
    expect(throttle.rows).toEqual([{ source: '192.0.2.77' }]);
  });
});
