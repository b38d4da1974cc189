/**
 * server/graphql/pg-adaptor.ts: the request's settings are set with `begin` in
 * one round trip, transaction-local, quoted, and a failure leaves the pooled
 * connection clean (no open transaction, no role, no claims) for the next
 * request, which is what keeps one tenant's settings from leaking into another's.
 * One connection in the pool, so every call below reuses the same session.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWithPgClient } from 'postgraphile/adaptors/pg';
import { makeFastPgService } from '../../server/graphql/pg-adaptor.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
let pool: pg.Pool;
let withPgClient: ReturnType<typeof createWithPgClient>;

interface SessionState {
  role: string;
  user_id: string;
  timeout: string;
}

const STATE = `select current_user::text as role, coalesce(current_setting('jwt.claims.user_id', true), '') as user_id,
                      current_setting('statement_timeout') as timeout`;

/**
 * The session's state seen from outside any adaptor call (same single connection). A
 * connection left inside an aborted transaction would fail this query; one left inside
 * an open transaction would still show the request's role and claims.
 */
async function sessionState(): Promise<SessionState> {
  const { rows } = await pool.query<SessionState>(STATE);
  const row = rows[0];
  if (!row) throw new Error('no state row');
  return row;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.connectionString, max: 1 });
  const service = makeFastPgService({ pool, schemas: ['app_public'], pubsub: false });
  withPgClient = await service.adaptor.createWithPgClient(service.adaptorSettings, null);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('the one-round-trip adaptor', () => {
  it('runs the callback as the role with the claims, then leaves nothing behind', async () => {
    const before = await sessionState();
    const inside = await withPgClient({ role: 'app_user', 'jwt.claims.user_id': 'tenant-a', statement_timeout: '1234' }, async (client) => {
      const result = await client.query<SessionState>({ text: STATE });
      return result.rows[0];
    });
    expect(inside).toMatchObject({ role: 'app_user', user_id: 'tenant-a', timeout: '1234ms' });
    const after = await sessionState();
    expect(after).toEqual(before);
    expect(after.role).not.toBe('app_user');
    expect(after.user_id).toBe('');
  });

  it('quotes values: a quote or backslash in a setting is data, not SQL', async () => {
    const tricky = `a'b\\c'); select pg_sleep(5); --`;
    const seen = await withPgClient({ 'jwt.claims.user_id': tricky }, async (client) => {
      const result = await client.query<{ v: string }>({ text: `select current_setting('jwt.claims.user_id') as v` });
      return result.rows[0]?.v;
    });
    expect(seen).toBe(tricky);
  });

  it('a setting PostgreSQL refuses fails the call and rolls back; the connection is clean for the next request', async () => {
    await expect(
      withPgClient({ 'jwt.claims.user_id': 'tenant-b', role: 'no_such_role' }, (client) => client.query({ text: 'select 1' })),
    ).rejects.toThrow(/no_such_role/);
    const after = await sessionState();
    expect(after.user_id).toBe('');
    expect(after.role).not.toBe('no_such_role');
    // And the next request on the same connection works with its own settings only.
    const next = await withPgClient({ role: 'app_user' }, async (client) => (await client.query<SessionState>({ text: STATE })).rows[0]);
    expect(next).toMatchObject({ role: 'app_user', user_id: '' });
  });

  it('an error inside the callback rolls back its writes', async () => {
    await pool.query(`create table adaptor_probe (n int)`);
    await expect(
      withPgClient({ statement_timeout: '0' }, async (client) => {
        await client.query({ text: 'insert into adaptor_probe values (1)' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await pool.query<{ n: string }>(`select count(*)::text as n from adaptor_probe`);
    expect(rows[0]?.n).toBe('0');
    expect((await sessionState()).user_id).toBe('');
  });

  it('nested transactions become savepoints inside the request transaction', async () => {
    await pool.query(`create table adaptor_nested (n int)`);
    await withPgClient({ statement_timeout: '0' }, async (client) => {
      await client.query({ text: 'insert into adaptor_nested values (1)' });
      await expect(
        client.withTransaction(async (inner) => {
          await inner.query({ text: 'insert into adaptor_nested values (2)' });
          throw new Error('inner failure');
        }),
      ).rejects.toThrow('inner failure');
    });
    const { rows } = await pool.query<{ n: number }>(`select n from adaptor_nested order by n`);
    expect(rows.map((r) => r.n)).toEqual([1]);
  });
});
