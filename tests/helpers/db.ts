/**
 * Per-file test databases cloned from the migrated template (see
 * tests/setup/global.ts), and helpers to act as the application's roles.
 *
 *   const db = await createTestDatabase();      // beforeAll
 *   await withClient(db.pool, (client) =>
 *     inTransaction(client, async () => {
 *       await asTenant(client, userId);
 *       ...                                      // rolled back afterwards
 *     }));
 *   await db.drop();                             // afterAll
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { withDatabase } from '../../kernel/db/urls.ts';

export interface TestDatabase {
  name: string;
  connectionString: string;
  /** A pool on this database, connected as the superuser. */
  pool: pg.Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('testDatabase').adminConnectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new database with every migration applied, private to the calling test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminConnectionString, templateDatabase } = inject('testDatabase');
  const name = `switchboard_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const quoted = pg.escapeIdentifier(name);
  await adminQuery(`create database ${quoted} template ${pg.escapeIdentifier(templateDatabase)}`);
  const connectionString = withDatabase(adminConnectionString, name);
  const pool = createPool({ connectionString, max: 5, applicationName: 'switchboard-test' });
  let dropping: Promise<void> | undefined;
  return {
    name,
    connectionString,
    pool,
    drop() {
      dropping ??= (async () => {
        await endPool(pool);
        await adminQuery(`drop database if exists ${quoted} with (force)`);
      })();
      return dropping;
    },
  };
}

/** Runs `fn` with a client checked out of `pool`. */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/** Runs `fn` in a transaction that is rolled back afterwards (or committed with `{ commit: true }`). */
export async function inTransaction<T>(
  client: pg.ClientBase,
  fn: () => Promise<T>,
  { commit = false }: { commit?: boolean } = {},
): Promise<T> {
  await client.query('begin');
  try {
    const result = await fn();
    await client.query(commit ? 'commit' : 'rollback');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/** `set local role` + `set local jwt.claims.user_id` (set_config(..., true) is the parameterised form). */
async function becomeRole(client: pg.ClientBase, role: string, userId: string): Promise<void> {
  await client.query(`select set_config('role', $1, true), set_config('jwt.claims.user_id', $2, true)`, [role, userId]);
  // Outside a transaction block the settings lapse with the statement: catch that mistake.
  const { rows } = await client.query<{ inside: boolean }>('select current_user = $1 as inside', [role]);
  if (!rows[0]?.inside) throw new Error(`could not become ${role}: call this inside a transaction (see inTransaction)`);
}

/**
 * Inside a transaction: `set local role app_owner` and
 * `set local jwt.claims.user_id = '<userId>'`, as a signed-in business's founding owner's
 * request would (before team access a business was one login, its owner; `asMember`
 * acts as a given login and role).
 */
export async function asTenant(client: pg.ClientBase, userId: string | number): Promise<void> {
  await becomeRole(client, 'app_owner', String(userId));
}

/** The database role a member role acts as (app_hidden.member_db_role, outside admin businesses). */
export const MEMBER_DB_ROLES = { owner: 'app_owner', manager: 'app_user', viewer: 'app_viewer' } as const;

/**
 * Inside a transaction: what the GraphQL server sets for a signed-in member: its role's
 * database role, the business and member claims, and for viewers a read-only transaction.
 */
export async function asMember(
  client: pg.ClientBase,
  userId: string,
  memberId: string,
  role: keyof typeof MEMBER_DB_ROLES,
): Promise<void> {
  await becomeRole(client, MEMBER_DB_ROLES[role], userId);
  await client.query(`select set_config('jwt.claims.member_id', $1, true)`, [memberId]);
  if (role === 'viewer') await client.query(`select set_config('transaction_read_only', 'on', true)`);
}

/** Inside a transaction: `set local role app_anonymous`, with no user id claim. */
export async function asAnonymous(client: pg.ClientBase): Promise<void> {
  await becomeRole(client, 'app_anonymous', '');
}
