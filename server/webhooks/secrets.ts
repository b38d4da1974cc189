/**
 * Provider secrets the server must read back (a tenant's Bolna signing secret,
 * its Twilio auth token) are encrypted here before they reach the database,
 * which only ever holds ciphertext (`app_private.provider_credentials.*_enc`).
 *
 * AES-256-GCM with SECRETS_KEY (32 bytes). Stored format (bytea):
 *   version (1 byte, 1) || IV (12 random bytes) || tag (16 bytes) || ciphertext
 * The additional authenticated data binds a ciphertext to its tenant and kind,
 * so a value copied to another tenant's row (or column) does not decrypt.
 *
 * The key: SECRETS_KEY (required in production); in development a random key
 * generated once and kept in `.data/secrets-key`, like JWT_SECRET (see
 * server/auth/secrets.ts). Losing or changing it makes the stored secrets
 * unreadable: tenants then set them again.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { persistedSecret, SECRETS_DIR } from '../auth/secrets.ts';
import type { Config } from '../../kernel/config.ts';

export type SecretKind = 'bolna_signing_secret' | 'twilio_auth_token';

const VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** A 32-byte key from 64 hex characters or base64 / base64url text. */
export function parseSecretsKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`SECRETS_KEY must be ${KEY_BYTES} bytes (64 hex characters or base64), got ${key.length} bytes`);
  }
  return key;
}

/** SECRETS_KEY, required in production; in development a persisted random key. */
export async function resolveSecretsKey(config: Pick<Config, 'secretsKey' | 'production'>, dir = SECRETS_DIR): Promise<Buffer> {
  if (config.secretsKey) return parseSecretsKey(config.secretsKey);
  if (config.production) throw new Error('SECRETS_KEY must be set (32 bytes, hex or base64) when NODE_ENV=production');
  // persistedSecret makes 32 random bytes as base64url, which parseSecretsKey reads back.
  return parseSecretsKey(await persistedSecret('secrets-key', dir));
}

function aad(kind: SecretKind, userId: string): Buffer {
  return Buffer.from(`switchboard:${kind}:${userId.toLowerCase()}`, 'utf8');
}

export function encryptSecret(key: Buffer, kind: SecretKind, userId: string, plaintext: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(kind, userId));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

/** The plaintext; throws when the data is malformed, was encrypted with another key, or belongs to another tenant or kind. */
export function decryptSecret(key: Buffer, kind: SecretKind, userId: string, stored: Buffer): string {
  if (stored.length < HEADER_BYTES || stored[0] !== VERSION) {
    throw new Error(`stored ${kind} is not in a known encrypted format`);
  }
  const iv = stored.subarray(1, 1 + IV_BYTES);
  const tag = stored.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad(kind, userId));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(stored.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`stored ${kind} of tenant ${userId} cannot be decrypted: SECRETS_KEY changed? Set the secret again.`);
  }
}

/**
 * The key is kept on the Express app (`app.locals`), where request-time code
 * that only has the request (the GraphQL mutations that store provider
 * secrets) finds it through `req.app`.
 */
const APP_LOCAL = 'switchboardSecretsKey';

export function attachSecretsKey(app: { locals: Record<string, unknown> }, key: Buffer): void {
  app.locals[APP_LOCAL] = key;
}

export function secretsKeyOf(app: { locals: Record<string, unknown> } | undefined): Buffer | undefined {
  const key = app?.locals[APP_LOCAL];
  return Buffer.isBuffer(key) ? key : undefined;
}
