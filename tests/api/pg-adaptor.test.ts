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

  it('a query outside withTransaction is atomic on its own; withTransaction rolls back all of its statements', async () => {
    await pool.query(`create table adaptor_probe (n int)`);
    await expect(
      withPgClient({ statement_timeout: '0' }, async (client) => {
        await client.query({ text: 'insert into adaptor_probe values (1)' });
        await client.withTransaction(async (tx) => {
          await tx.query({ text: 'insert into adaptor_probe values (2)' });
          await tx.query({ text: 'insert into adaptor_probe values (3)' });
          throw new Error('boom');
        });
      }),
    ).rejects.toThrow('boom');
    const { rows } = await pool.query<{ n: number }>(`select n from adaptor_probe order by n`);
    expect(rows.map((r) => r.n)).toEqual([1]);
    expect((await sessionState()).user_id).toBe('');
  });

  it('nested transactions become savepoints inside withTransaction', async () => {
    await pool.query(`create table adaptor_nested (n int)`);
    await withPgClient({ statement_timeout: '0' }, (client) =>
      client.withTransaction(async (tx) => {
        await tx.query({ text: 'insert into adaptor_nested values (1)' });
        await expect(
          tx.withTransaction(async (inner) => {
            await inner.query({ text: 'insert into adaptor_nested values (2)' });
            throw new Error('inner failure');
          }),
        ).rejects.toThrow('inner failure');
        await tx.query({ text: 'insert into adaptor_nested values (3)' });
      }),
    );
    const { rows } = await pool.query<{ n: number }>(`select n from adaptor_nested order by n`);
    expect(rows.map((r) => r.n)).toEqual([1, 3]);
  });
});

describe('a query outside withTransaction: settings and query in one pipeline', () => {
  /** ReadyForQuery messages seen while `work` runs: one per round trip. */
  async function roundTrips<T>(client: { rawClient: pg.PoolClient }, work: () => Promise<T>): Promise<{ trips: number; value: T }> {
    const connection = (client.rawClient as unknown as { connection: { on(e: string, f: () => void): void; off(e: string, f: () => void): void } }).connection;
    let trips = 0;
    const count = (): void => {
      trips += 1;
    };
    connection.on('readyForQuery', count);
    try {
      const value = await work();
      return { trips, value };
    } finally {
      connection.off('readyForQuery', count);
    }
  }

  it('takes one round trip, with values and array mode; a named statement after its first use too', async () => {
    const run = (name?: string): Promise<{ trips: number; value: unknown }> =>
      withPgClient({ role: 'app_user', 'jwt.claims.user_id': 'tenant-c' }, async (client) => {
        const measured = await roundTrips(client, () =>
          client.query<unknown[]>({ text: `select current_user::text, current_setting('jwt.claims.user_id'), $1::int + 1`, values: [41], arrayMode: true, name }));
        return { trips: measured.trips, value: measured.value.rows };
      });
    const unnamed = await run();
    expect(unnamed.value).toEqual([['app_user', 'tenant-c', 42]]);
    expect(unnamed.trips).toBe(1);
    const first = await run('adaptor_named_probe');
    expect(first.value).toEqual([['app_user', 'tenant-c', 42]]);
    expect(first.trips).toBe(3); // begin + settings, the query (parsed and named), commit
    const again = await run('adaptor_named_probe');
    expect(again.value).toEqual([['app_user', 'tenant-c', 42]]);
    expect(again.trips).toBe(1);
    expect(await sessionState()).toMatchObject({ user_id: '' });
  });

  it('the statement timeout applies to the query', async () => {
    const started = Date.now();
    await expect(
      withPgClient({ statement_timeout: '100', 'jwt.claims.user_id': 'tenant-d' }, (client) => client.query({ text: 'select pg_sleep(5)' })),
    ).rejects.toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await sessionState()).toMatchObject({ user_id: '' });
  });

  it('read-only applies to the query (an API key without write)', async () => {
    await pool.query(`create table adaptor_read_only (n int)`);
    await expect(
      withPgClient({ transaction_read_only: 'on' }, (client) => client.query({ text: 'insert into adaptor_read_only values (1)' })),
    ).rejects.toMatchObject({ code: '25006' });
    const { rows } = await pool.query<{ n: string }>(`select count(*)::text as n from adaptor_read_only`);
    expect(rows[0]?.n).toBe('0');
    // and the next request may write: read-only did not outlive the failed one
    await withPgClient({ 'jwt.claims.user_id': 'tenant-e' }, (client) => client.query({ text: 'insert into adaptor_read_only values (2)' }));
    expect((await pool.query<{ n: string }>(`select count(*)::text as n from adaptor_read_only`)).rows[0]?.n).toBe('1');
  });

  it('the settings statement is parsed once per connection and bound with each request\'s own values', async () => {
    const claimOf = (userId: string, timeout: string): Promise<unknown[] | undefined> =>
      withPgClient({ 'jwt.claims.user_id': userId, statement_timeout: timeout, 'switchboard.client_ip': '10.0.0.1' }, async (client) =>
        (await client.query<unknown[]>({ text: `select current_setting('jwt.claims.user_id'), current_setting('statement_timeout')`, arrayMode: true })).rows[0]);
    expect(await claimOf('tenant-h', '2000')).toEqual(['tenant-h', '2s']);
    expect(await claimOf(`tenant-'i`, '3000')).toEqual([`tenant-'i`, '3s']);
    // after a failing pipeline too (the prepared statement is not rolled back with it)
    await expect(
      withPgClient({ 'jwt.claims.user_id': 'tenant-j', statement_timeout: '4000', 'switchboard.client_ip': '10.0.0.1' }, (client) => client.query({ text: 'select 1 / 0' })),
    ).rejects.toMatchObject({ code: '22012' });
    expect(await claimOf('tenant-k', '5000')).toEqual(['tenant-k', '5s']);
    const { rows } = await pool.query<{ name: string; statement: string }>(
      `select name, statement from pg_prepared_statements where name like 'switchboard_settings_%' order by name`,
    );
    // one per number of settings seen on this connection, with parameters: no value is in its text
    expect(rows.map((row) => row.name)).toContain('switchboard_settings_3');
    expect(rows.find((row) => row.name === 'switchboard_settings_3')?.statement).toBe('select set_config($1, $2, true), set_config($3, $4, true), set_config($5, $6, true)');
    expect(rows.some((row) => row.statement.includes('tenant'))).toBe(false);
    expect(await sessionState()).toMatchObject({ user_id: '' });
  });

  it('a failing query leaves a clean connection; the settings of one request never reach the next', async () => {
    await expect(
      withPgClient({ role: 'app_user', 'jwt.claims.user_id': 'tenant-f' }, (client) => client.query({ text: 'select 1 / 0' })),
    ).rejects.toMatchObject({ code: '22012' });
    expect(await sessionState()).toMatchObject({ user_id: '' });
    const next = await withPgClient({ 'jwt.claims.user_id': 'tenant-g' }, async (client) => (await client.query<SessionState>({ text: STATE })).rows[0]);
    expect(next?.user_id).toBe('tenant-g');
    expect(next?.role).not.toBe('app_user');
  });
});
