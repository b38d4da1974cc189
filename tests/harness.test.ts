import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from './helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('test harness', () => {
  it('gives each file its own database cloned from the migrated template', async () => {
    const { rows } = await db.pool.query<{ name: string; encoding: string }>(
      'select current_database() as name, pg_encoding_to_char(encoding) as encoding from pg_database where datname = current_database()',
    );
    expect(rows[0]?.name).toBe(db.name);
    expect(rows[0]?.encoding).toBe('UTF8');
  });

  it('has the graphile_worker schema and the graphile-migrate bookkeeping', async () => {
    const { rows } = await db.pool.query<{ nspname: string }>(
      `select nspname from pg_namespace where nspname in ('graphile_worker', 'graphile_migrate') order by nspname`,
    );
    expect(rows.map((row) => row.nspname)).toEqual(['graphile_migrate', 'graphile_worker']);
  });

  it('can enqueue a job from SQL', async () => {
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await client.query(`select graphile_worker.add_job('kpi__refresh', '{}'::json)`);
        const { rows } = await client.query<{ count: string }>('select count(*) from graphile_worker.jobs');
        expect(Number(rows[0]?.count)).toBe(1);
      }),
    );
  });

  it("asTenant becomes the business's owner (app_owner) with its claims inside a transaction", async () => {
    await withClient(db.pool, async (client) => {
      await expect(asTenant(client, 42)).rejects.toThrow(/inside a transaction/);
      await inTransaction(client, async () => {
        await asTenant(client, 42);
        const { rows } = await client.query<{ role: string; claim: string }>(
          `select current_user as role, current_setting('jwt.claims.user_id', true) as claim`,
        );
        expect(rows[0]).toEqual({ role: 'app_owner', claim: '42' });
      });
    });
  });
});
