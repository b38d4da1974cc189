/**
 * The GraphQL schema as SDL, sorted so that the committed `schema.graphql`
 * only changes when the schema does. Used by `npm run schema:export` and by
 * the test that fails when the committed file drifts from the database.
 */
import path from 'node:path';
import { makeSchema } from 'postgraphile';
import { lexicographicSortSchema, printSchema } from 'postgraphile/graphql';
import { PROJECT_ROOT, readConfig } from '../../kernel/config.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { AUTHENTICATOR_ROLE } from '../auth/authenticator.ts';
import { createLogger } from '../../kernel/log.ts';
import { graphqlLimits } from './limits.ts';
import { makePreset } from './preset.ts';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'server', 'graphql', 'schema.graphql');

/**
 * Builds the schema from the database at `connectionString`, which must log in
 * as app_authenticator: PostGraphile V5 leaves out what the app roles may not
 * do (PgRBACPlugin), so the owner would see a different schema.
 */
export async function buildSchemaSdl(connectionString: string): Promise<string> {
  const log = createLogger('graphql:schema');
  const pool = createPool({ connectionString, max: 2, applicationName: 'switchboard-schema', logger: log });
  try {
    const { rows } = await pool.query<{ role: string }>('select current_user as role');
    if (rows[0]?.role !== AUTHENTICATOR_ROLE) {
      throw new Error(`buildSchemaSdl must connect as ${AUTHENTICATOR_ROLE}, not ${rows[0]?.role ?? 'unknown'} (the schema depends on its grants)`);
    }
    // Limits and timeouts only act at run time; the defaults are as good as any here.
    const defaults = readConfig({});
    const preset = makePreset({
      pool,
      graphiql: false,
      statementTimeoutMs: defaults.graphqlStatementTimeoutMs,
      maxBodyBytes: defaults.graphqlMaxBodyBytes,
      planningTimeoutMs: defaults.graphqlPlanningTimeoutMs,
      limits: graphqlLimits(defaults),
      logger: log,
    });
    const { schema } = await makeSchema(preset);
    return `${printSchema(lexicographicSortSchema(schema))}\n`;
  } finally {
    await endPool(pool);
  }
}
