/**
 * The committed GraphQL schema (server/graphql/schema.graphql) is what the
 * migrations produce: a migration or smart-tag change that alters the API
 * fails here until `npm run schema:export` is run and the diff reviewed.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAuthDatabaseUrl } from '../../server/auth/authenticator.ts';
import { readConfig } from '../../kernel/config.ts';
import { buildSchemaSdl, SCHEMA_FILE } from '../../server/graphql/schema-sdl.ts';
import { TEST_AUTHENTICATOR_PASSWORD } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (a[i] !== b[i]) return `line ${i + 1}: committed ${JSON.stringify(a[i])}, database ${JSON.stringify(b[i])}`;
  }
  return 'none';
}

describe('schema.graphql', () => {
  it('matches the schema PostGraphile builds from the migrated database (run `npm run schema:export` after an API change)', async () => {
    const connectionString = await resolveAuthDatabaseUrl({
      config: readConfig({ AUTHENTICATOR_PASSWORD: TEST_AUTHENTICATOR_PASSWORD }),
      ownerConnectionString: db.connectionString,
      ownerPool: db.pool,
    });
    const built = await buildSchemaSdl(connectionString);
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    // A readable failure (the first differing line) rather than a 31,000-line diff.
    expect(firstDifference(committed, built)).toBe('none');
    expect(built).toContain('kpiSummary(');
  });

  it('exposes no app_private or app_hidden object and no password or key hash', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    for (const hidden of ['passwordHash', 'keyHash', 'UserSecret', 'WebhookEvent', 'LoginAttempt', 'RollupDelta', 'AuditLog']) {
      expect(committed, hidden).not.toContain(hidden);
    }
  });
});
