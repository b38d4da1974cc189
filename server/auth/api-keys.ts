/**
 * API keys (`sbk_<8 hex prefix>_<43 base64url>`) are checked by the database:
 * `app_hidden.authenticate_api_key(key)` hashes the key, finds it by prefix and
 * hash, refuses revoked / expired keys and inactive tenants, and stamps
 * `last_used_at`. It runs on the GraphQL pool as `app_authenticator` itself
 * (no role switch), which is the only role allowed to call it.
 */
import type pg from 'pg';
import { isTokenRole, type TokenRole } from './jwt.ts';

export const API_KEY_PREFIX = 'sbk_';
const API_KEY_FORMAT = /^sbk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

export type ApiKeyScope = 'read' | 'write';

export interface ApiKeyIdentity {
  apiKeyId: string;
  userId: string;
  role: TokenRole;
  scopes: ApiKeyScope[];
}

/** Bearer tokens that start like a key are keys (never tried as JWTs). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

interface Row {
  api_key_id: string;
  user_id: string;
  db_role: string;
  scopes: string[];
}

/** The key's identity, or undefined when the key is malformed, unknown, revoked, expired or its tenant inactive. */
export async function authenticateApiKey(pool: pg.Pool, key: string): Promise<ApiKeyIdentity | undefined> {
  // Saves a round trip for garbage; the database checks the format again.
  if (!API_KEY_FORMAT.test(key)) return undefined;
  const { rows } = await pool.query<Row>(
    'select api_key_id, user_id, db_role, scopes from app_hidden.authenticate_api_key($1)',
    [key],
  );
  const row = rows[0];
  if (!row || !isTokenRole(row.db_role)) return undefined;
  const scopes = row.scopes.filter((scope): scope is ApiKeyScope => scope === 'read' || scope === 'write');
  return { apiKeyId: row.api_key_id, userId: row.user_id, role: row.db_role, scopes };
}
