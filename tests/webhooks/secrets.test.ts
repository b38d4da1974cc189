/**
 * Provider-secret encryption (AES-256-GCM bound to tenant and kind), the
 * SECRETS_KEY formats and the webhook settings read from the environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../kernel/config.ts';
import { decryptSecret, encryptSecret, parseSecretsKey, resolveSecretsKey } from '../../server/webhooks/secrets.ts';
import { TEST_SECRETS_KEY } from '../helpers/webhooks.ts';

const USER = '0191f3a4-0000-7000-8000-000000000001';
const OTHER_USER = '0191f3a4-0000-7000-8000-000000000002';

describe('provider secret encryption', () => {
  it('round-trips, with a fresh IV every time and no plaintext in the ciphertext', () => {
    const a = encryptSecret(TEST_SECRETS_KEY, 'twilio_auth_token', USER, 'token-1234567890abcdef');
    const b = encryptSecret(TEST_SECRETS_KEY, 'twilio_auth_token', USER, 'token-1234567890abcdef');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('token-1234567890abcdef'))).toBe(false);
    expect(decryptSecret(TEST_SECRETS_KEY, 'twilio_auth_token', USER, a)).toBe('token-1234567890abcdef');
  });

  it('refuses another key, another tenant, another kind and tampered or truncated data', () => {
    const stored = encryptSecret(TEST_SECRETS_KEY, 'bolna_signing_secret', USER, 'secret-value-123456');
    const otherKey = Buffer.alloc(32, 1);
    expect(() => decryptSecret(otherKey, 'bolna_signing_secret', USER, stored)).toThrow(/SECRETS_KEY changed/);
    expect(() => decryptSecret(TEST_SECRETS_KEY, 'bolna_signing_secret', OTHER_USER, stored)).toThrow();
    expect(() => decryptSecret(TEST_SECRETS_KEY, 'twilio_auth_token', USER, stored)).toThrow();
    const tampered = Buffer.from(stored);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => decryptSecret(TEST_SECRETS_KEY, 'bolna_signing_secret', USER, tampered)).toThrow();
    expect(() => decryptSecret(TEST_SECRETS_KEY, 'bolna_signing_secret', USER, stored.subarray(0, 20))).toThrow(/known encrypted format/);
  });

  it('reads SECRETS_KEY as hex or base64 and refuses other lengths', () => {
    const key = Buffer.alloc(32, 7);
    expect(parseSecretsKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseSecretsKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseSecretsKey(key.toString('base64url')).equals(key)).toBe(true);
    expect(() => parseSecretsKey('too-short')).toThrow(/32 bytes/);
  });

  it('requires SECRETS_KEY in production; in development keeps one random key', async () => {
    await expect(resolveSecretsKey({ secretsKey: undefined, production: true })).rejects.toThrow(/SECRETS_KEY must be set/);
    const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-secrets-'));
    try {
      const first = await resolveSecretsKey({ secretsKey: undefined, production: false }, dir);
      const second = await resolveSecretsKey({ secretsKey: undefined, production: false }, dir);
      expect(first).toHaveLength(32);
      expect(second.equals(first)).toBe(true);
      const configured = await resolveSecretsKey({ secretsKey: 'ab'.repeat(32), production: true }, dir);
      expect(configured.equals(Buffer.alloc(32, 0xab))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('webhook settings', () => {
  it('defaults', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      publicBaseUrl: undefined,
      webhookMaxBodyBytes: 1_048_576,
      webhookRateLimitPerMinute: 6000,
      webhookRateLimitBurst: 1000,
    });
  });

  it('PUBLIC_BASE_URL: absolute http(s), trailing slash removed; anything else refused', () => {
    expect(readConfig({ PUBLIC_BASE_URL: 'https://hooks.example.com/' }).publicBaseUrl).toBe('https://hooks.example.com');
    expect(readConfig({ PUBLIC_BASE_URL: 'https://example.com/api/' }).publicBaseUrl).toBe('https://example.com/api');
    expect(() => readConfig({ PUBLIC_BASE_URL: 'hooks.example.com' })).toThrow(/PUBLIC_BASE_URL/);
    expect(() => readConfig({ PUBLIC_BASE_URL: 'ftp://example.com' })).toThrow(/PUBLIC_BASE_URL/);
    expect(() => readConfig({ PUBLIC_BASE_URL: 'https://example.com/?a=1' })).toThrow(/PUBLIC_BASE_URL/);
  });
});
