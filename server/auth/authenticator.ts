/**
 * The GraphQL pool logs in as `app_authenticator` (LOGIN NOINHERIT, member of
 * app_anonymous / app_user / app_admin), never as the owner: PostGraphile
 * switches to the request's role inside each transaction, and a bug there can
 * at worst act as one of those roles.
 *
 * Migrations create the role without a password. At start-up the server gives
 * it one (AUTHENTICATOR_PASSWORD, else a random one kept in .data/) through the
 * owner connection, if the owner may, and connects to the same database with
 * it. AUTH_DATABASE_URL replaces all of this (e.g. when ops manage the role).
 */
import pg from 'pg';
import type { Config } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/log.ts';
import { persistedSecret } from './secrets.ts';

export const AUTHENTICATOR_ROLE = 'app_authenticator';

/** The owner's connection string with the authenticator's credentials (same host, port, database, options). */
export function authenticatorConnectionString(ownerConnectionString: string, password: string): string {
  const url = new URL(ownerConnectionString);
  url.username = encodeURIComponent(AUTHENTICATOR_ROLE);
  url.password = encodeURIComponent(password);
  return url.toString();
}

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Can we log in with this connection string? (A failed password is 28P01; a role without LOGIN 28000.) */
async function canLogIn(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    const state = sqlState(error);
    if (state === '28P01' || state === '28000') return false;
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * `alter role app_authenticator with login password ...` through the owner
 * pool. Returns false (and warns) when the owner lacks the privilege. ALTER
 * ROLE takes no bind parameters, so the password is quoted with pg's literal
 * escaping. Roles are cluster-wide: two processes doing this at once can meet
 * "tuple concurrently updated", which is retried.
 */
export async function ensureAuthenticatorLogin(ownerPool: pg.Pool, password: string, log?: Logger): Promise<boolean> {
  const sql = `alter role ${AUTHENTICATOR_ROLE} with login password ${pg.escapeLiteral(password)}`;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ownerPool.query(sql);
      return true;
    } catch (error) {
      const state = sqlState(error);
      if (state === '42501') {
        log?.warn(`the database owner may not set the ${AUTHENTICATOR_ROLE} password; set AUTH_DATABASE_URL`);
        return false;
      }
      if (state === 'XX000' && attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        continue;
      }
      throw error;
    }
  }
}

export interface AuthDatabaseOptions {
  config: Pick<Config, 'authDatabaseUrl' | 'authenticatorPassword'>;
  ownerConnectionString: string;
  ownerPool: pg.Pool;
  logger?: Logger;
  /** Where the generated password is kept (default .data/). */
  secretsDir?: string;
}

/**
 * The GraphQL pool's connection string: AUTH_DATABASE_URL, or the owner's URL
 * with the authenticator's password, which is set first unless it already works.
 */
export async function resolveAuthDatabaseUrl({ config, ownerConnectionString, ownerPool, logger, secretsDir }: AuthDatabaseOptions): Promise<string> {
  if (config.authDatabaseUrl) return config.authDatabaseUrl;
  const password = config.authenticatorPassword ?? (await persistedSecret('authenticator-password', secretsDir));
  const connectionString = authenticatorConnectionString(ownerConnectionString, password);
  if (await canLogIn(connectionString)) return connectionString;
  if (!(await ensureAuthenticatorLogin(ownerPool, password, logger))) {
    throw new Error(`cannot log in as ${AUTHENTICATOR_ROLE}: set AUTH_DATABASE_URL or AUTHENTICATOR_PASSWORD`);
  }
  logger?.info(`${AUTHENTICATOR_ROLE} password set`);
  return connectionString;
}
