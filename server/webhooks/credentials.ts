/**
 * Who a delivery is for: the tenant whose URL token (stored as its SHA-256)
 * matches, or the tenants that named a Twilio AccountSid (several may: the
 * route keeps the one whose auth token validates the signature), with their
 * secrets decrypted. Reads `app_private.provider_credentials` on the owner
 * pool (the table is not exposed to any API role).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { decryptSecret } from './secrets.ts';

/** `sbw_` + 32 random bytes as unpadded base64url (see app_public.rotate_bolna_ingest_token). */
export const BOLNA_TOKEN_FORMAT = /^sbw_[A-Za-z0-9_-]{43}$/;
/** What the database shows of a token (`bolna_token_prefix`): safe to log and to key rate limits by. */
export const BOLNA_TOKEN_PREFIX_LENGTH = 10;

export const TWILIO_ACCOUNT_SID_FORMAT = /^AC[0-9a-fA-F]{32}$/;

export interface BolnaTenant {
  userId: string;
  active: boolean;
  /** The tenant's signing secret, when it set one. */
  signingSecret: string | undefined;
  /** Deliveries without a valid signature are refused (only meaningful with a secret). */
  requireSignature: boolean;
}

export interface TwilioTenant {
  userId: string;
  active: boolean;
  /** The AccountSid the tenant connected (undefined when none). */
  accountSid: string | undefined;
  /** Undefined when no auth token is stored (then no delivery can be verified). */
  authToken: string | undefined;
}

interface BolnaRow {
  user_id: string;
  is_active: boolean;
  bolna_signing_secret_enc: Buffer | null;
  bolna_require_signature: boolean;
}

interface TwilioRow {
  user_id: string;
  is_active: boolean;
  twilio_account_sid: string | null;
  twilio_auth_token_enc: Buffer | null;
}

function twilioTenant(key: Buffer, row: TwilioRow): TwilioTenant {
  return {
    userId: row.user_id,
    active: row.is_active,
    accountSid: row.twilio_account_sid ?? undefined,
    authToken: row.twilio_auth_token_enc ? decryptSecret(key, 'twilio_auth_token', row.user_id, row.twilio_auth_token_enc) : undefined,
  };
}

export function bolnaTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export async function findBolnaTenant(pool: pg.Pool, key: Buffer, token: string): Promise<BolnaTenant | undefined> {
  const { rows } = await pool.query<BolnaRow>(
    `select c.user_id, u.is_active, c.bolna_signing_secret_enc, c.bolna_require_signature
       from app_private.provider_credentials c join app_public.users u on u.id = c.user_id
      where c.bolna_token_hash = $1`,
    [bolnaTokenHash(token)],
  );
  const row = rows[0];
  if (!row) return undefined;
  const secret = row.bolna_signing_secret_enc;
  return {
    userId: row.user_id,
    active: row.is_active,
    signingSecret: secret ? decryptSecret(key, 'bolna_signing_secret', row.user_id, secret) : undefined,
    requireSignature: row.bolna_require_signature && secret !== null,
  };
}

/**
 * Every tenant that connected `accountSid` with an auth token. Whoever's token
 * validates the signature is the one; should several (the same account
 * connected twice), the one with `ourNumber` as an active number comes first,
 * then the earliest connected.
 */
export async function findTwilioTenants(pool: pg.Pool, key: Buffer, accountSid: string, ourNumber: string | undefined): Promise<TwilioTenant[]> {
  const { rows } = await pool.query<TwilioRow>(
    `select c.user_id, u.is_active, c.twilio_account_sid, c.twilio_auth_token_enc
       from app_private.provider_credentials c join app_public.users u on u.id = c.user_id
      where c.twilio_account_sid = $1 and c.twilio_auth_token_enc is not null
      order by exists (select 1 from app_public.phone_numbers n
                        where n.user_id = c.user_id and n.phone_number = $2 and n.is_active) desc,
               c.updated_at, c.user_id`,
    [accountSid, ourNumber ?? null],
  );
  // A candidate whose secret cannot be read (SECRETS_KEY changed) must not block the others.
  return rows.flatMap((row) => {
    try {
      return [twilioTenant(key, row)];
    } catch {
      return [];
    }
  });
}

/** The tenant whose URL token this is, with its Twilio credentials (the per-business status callback URL). */
export async function findTwilioTenantByToken(pool: pg.Pool, key: Buffer, token: string): Promise<TwilioTenant | undefined> {
  const { rows } = await pool.query<TwilioRow>(
    `select c.user_id, u.is_active, c.twilio_account_sid, c.twilio_auth_token_enc
       from app_private.provider_credentials c join app_public.users u on u.id = c.user_id
      where c.bolna_token_hash = $1`,
    [bolnaTokenHash(token)],
  );
  const row = rows[0];
  return row ? twilioTenant(key, row) : undefined;
}
