/**
 * Every refusal of the webhook endpoints: status, machine-readable code (and
 * field), and NOTHING stored (webhook_events, calls and transcripts counted
 * before and after each request).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bolnaSequence,
  seedIngestTenant,
  signBolna,
  startWebhookApp,
  storedCounts,
  twilioSequence,
  twilioSignature,
  TWILIO_STATUS_PATH,
  type BolnaPayload,
  type IngestTenant,
  type WebhookApp,
  type WebhookResponse,
} from '../helpers/webhooks.ts';

const SECRET = 'bolna-signing-secret-0123456789';

let app: WebhookApp;
let limited: WebhookApp;
let plain: IngestTenant;
let signed: IngestTenant;
let optional: IngestTenant;
let inactive: IngestTenant;

beforeAll(async () => {
  app = await startWebhookApp();
  // Same database; a bucket of 2 that never refills (frozen clock).
  limited = await startWebhookApp({ db: app.db, env: { WEBHOOK_RATE_LIMIT_PER_MINUTE: '1', WEBHOOK_RATE_LIMIT_BURST: '2' }, now: () => 0 });
  plain = await seedIngestTenant(app.pool);
  signed = await seedIngestTenant(app.pool, { signingSecret: SECRET, requireSignature: true });
  optional = await seedIngestTenant(app.pool, { signingSecret: SECRET, requireSignature: false });
  inactive = await seedIngestTenant(app.pool);
  await app.pool.query('update app_public.users set is_active = false where id = $1', [inactive.userId]);
});

afterAll(async () => {
  await limited?.close();
  await app?.close();
});

function execution(tenant: IngestTenant, change: (payload: BolnaPayload) => BolnaPayload = (p) => p): BolnaPayload {
  return change(bolnaSequence({ agentId: tenant.bolnaAgentId })[0]!);
}

function without(payload: BolnaPayload, key: string): BolnaPayload {
  const copy = { ...payload };
  delete copy[key];
  return copy;
}

function postRaw(token: string, body: RequestInit['body'], headers: Record<string, string> = {}): Promise<WebhookResponse> {
  return app.request(`/webhooks/bolna/${token}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

function twilioParams(tenant: IngestTenant): Record<string, string> {
  return twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber })[0]!;
}

function signedTwilio(params: Record<string, string>, tenant: IngestTenant = plain): Promise<WebhookResponse> {
  return app.postTwilio(params, { authToken: tenant.twilioAuthToken });
}

function postForm(body: string, headers: Record<string, string> = {}): Promise<WebhookResponse> {
  return app.request(TWILIO_STATUS_PATH, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

/** A chunked body (no Content-Length) that streams `total` bytes. */
function streamOf(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) {
        controller.close();
        return;
      }
      const chunk = new Uint8Array(Math.min(64 * 1024, total - sent)).fill(0x20);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

const oneMiB = 1_048_576;

interface Case {
  name: string;
  status: number;
  code: string;
  field?: string;
  send: () => Promise<WebhookResponse>;
}

const bolnaCases: Case[] = [
  { name: 'text/plain body', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', send: () => postRaw(plain.bolnaToken, JSON.stringify(execution(plain)), { 'content-type': 'text/plain' }) },
  { name: 'malformed token', status: 401, code: 'UNKNOWN_TOKEN', send: () => app.postBolna('not-a-token', execution(plain)) },
  { name: 'unknown token', status: 401, code: 'UNKNOWN_TOKEN', send: () => app.postBolna(`sbw_${randomBytes(32).toString('base64url')}`, execution(plain)) },
  { name: 'truncated JSON', status: 400, code: 'INVALID_JSON', send: () => postRaw(plain.bolnaToken, JSON.stringify(execution(plain)).slice(0, 40)) },
  { name: 'empty body', status: 400, code: 'INVALID_JSON', send: () => postRaw(plain.bolnaToken, '') },
  { name: 'invalid UTF-8', status: 400, code: 'INVALID_JSON', send: () => postRaw(plain.bolnaToken, new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])) },
  { name: 'a JSON array', status: 400, code: 'INVALID_PAYLOAD', send: () => postRaw(plain.bolnaToken, JSON.stringify([execution(plain)])) },
  { name: 'a NUL character', status: 400, code: 'INVALID_PAYLOAD', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, transcript: 'a\u0000b' }))) },
  { name: 'a lone surrogate', status: 400, code: 'INVALID_PAYLOAD', send: () => postRaw(plain.bolnaToken, JSON.stringify(execution(plain)).replace('"batch_id":null', '"batch_id":"\\ud800"')) },
  { name: 'nesting 100 levels deep', status: 400, code: 'INVALID_PAYLOAD', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, context_details: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) as unknown }))) },
  ...['id', 'agent_id', 'status', 'updated_at'].map((field): Case => ({
    name: `no ${field}`, status: 400, code: 'MISSING_FIELD', field, send: () => app.postBolna(plain.bolnaToken, without(execution(plain), field)),
  })),
  { name: 'status null', status: 400, code: 'MISSING_FIELD', field: 'status', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, status: null }))) },
  { name: 'negative total_cost', status: 400, code: 'INVALID_FIELD', field: 'total_cost', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, total_cost: -1 }))) },
  { name: 'non-numeric duration', status: 400, code: 'INVALID_FIELD', field: 'conversation_duration', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, conversation_duration: 'abc' }))) },
  { name: 'unreadable updated_at', status: 400, code: 'INVALID_FIELD', field: 'updated_at', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, updated_at: 'yesterday' }))) },
  { name: 'fractional id', status: 400, code: 'INVALID_FIELD', field: 'id', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, id: 1.5 }))) },
  { name: 'telephony_data not an object', status: 400, code: 'INVALID_FIELD', field: 'telephony_data', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, telephony_data: 'twilio' }))) },
  { name: 'telephony duration over a day', status: 400, code: 'INVALID_FIELD', field: 'telephony_data.duration', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, telephony_data: { duration: 90_000 } }))) },
  { name: 'a body over 1 MiB', status: 413, code: 'PAYLOAD_TOO_LARGE', send: () => app.postBolna(plain.bolnaToken, execution(plain, (p) => ({ ...p, transcript: 'x'.repeat(oneMiB) }))) },
  {
    name: 'a streamed body over 1 MiB (no Content-Length)',
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    send: () => app.request(`/webhooks/bolna/${plain.bolnaToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamOf(oneMiB + 10), duplex: 'half' }),
  },
  { name: 'no signature where one is required', status: 401, code: 'MISSING_SIGNATURE', send: () => app.postBolna(signed.bolnaToken, execution(signed)) },
  {
    name: 'a signature with another secret',
    status: 403,
    code: 'INVALID_SIGNATURE',
    send: () => {
      const body = JSON.stringify(execution(signed));
      return postRaw(signed.bolnaToken, body, { 'x-switchboard-signature': signBolna('another-secret-0123456789', body) });
    },
  },
  {
    name: 'a signature of another body',
    status: 403,
    code: 'INVALID_SIGNATURE',
    send: () => {
      const payload = execution(signed);
      const body = JSON.stringify(payload);
      return postRaw(signed.bolnaToken, JSON.stringify({ ...payload, status: 'completed' }), { 'x-switchboard-signature': signBolna(SECRET, body) });
    },
  },
  { name: 'a malformed signature header', status: 403, code: 'INVALID_SIGNATURE', send: () => postRaw(signed.bolnaToken, JSON.stringify(execution(signed)), { 'x-switchboard-signature': 'md5=abc' }) },
  {
    name: 'a wrong signature where signing is optional',
    status: 403,
    code: 'INVALID_SIGNATURE',
    send: () => {
      const body = JSON.stringify(execution(optional));
      return postRaw(optional.bolnaToken, body, { 'x-switchboard-signature': signBolna('another-secret-0123456789', body) });
    },
  },
  { name: 'a deactivated tenant', status: 403, code: 'TENANT_INACTIVE', send: () => app.postBolna(inactive.bolnaToken, execution(inactive)) },
];

const twilioCases: Case[] = [
  { name: 'a JSON body', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', send: () => app.request(TWILIO_STATUS_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(twilioParams(plain)) }) },
  { name: 'a bad percent-escape', status: 400, code: 'INVALID_FORM', send: () => postForm(`${new URLSearchParams(twilioParams(plain)).toString()}&Caller=%zz`) },
  { name: 'a repeated parameter', status: 400, code: 'INVALID_FORM', send: () => postForm(`${new URLSearchParams(twilioParams(plain)).toString()}&CallStatus=completed`) },
  {
    name: 'no AccountSid',
    status: 400,
    code: 'MISSING_FIELD',
    field: 'AccountSid',
    send: () => {
      const params = twilioParams(plain);
      delete params.AccountSid;
      return app.postTwilio(params);
    },
  },
  { name: 'an unknown account', status: 403, code: 'UNKNOWN_ACCOUNT', send: () => signedTwilio({ ...twilioParams(plain), AccountSid: `AC${'0'.repeat(32)}` }) },
  { name: 'a malformed AccountSid', status: 403, code: 'UNKNOWN_ACCOUNT', send: () => signedTwilio({ ...twilioParams(plain), AccountSid: 'ACnope' }) },
  {
    name: 'a signed request without CallSid',
    status: 400,
    code: 'MISSING_FIELD',
    field: 'CallSid',
    send: () => {
      const params = twilioParams(plain);
      delete params.CallSid;
      return signedTwilio(params);
    },
  },
  { name: 'a signed request with an empty To', status: 400, code: 'INVALID_FIELD', field: 'To', send: () => signedTwilio({ ...twilioParams(plain), To: '' }) },
  { name: 'a non-numeric SequenceNumber', status: 400, code: 'INVALID_FIELD', field: 'SequenceNumber', send: () => signedTwilio({ ...twilioParams(plain), SequenceNumber: 'two' }) },
  { name: 'a body over 1 MiB', status: 413, code: 'PAYLOAD_TOO_LARGE', send: () => signedTwilio({ ...twilioParams(plain), CallerName: 'x'.repeat(oneMiB) }) },
  { name: 'a deactivated tenant', status: 403, code: 'TENANT_INACTIVE', send: () => signedTwilio(twilioParams(inactive), inactive) },
];

async function expectRefused({ status, code, field, send }: Case): Promise<void> {
  const before = await storedCounts(app.pool);
  const response = await send();
  expect([response.status, response.body.error?.code], JSON.stringify(response.body)).toEqual([status, code]);
  expect(response.body.error?.message).toEqual(expect.any(String));
  if (field) expect(response.body.error?.field).toBe(field);
  expect(await storedCounts(app.pool)).toEqual(before);
}

describe('refused Bolna deliveries store nothing', () => {
  it.each(bolnaCases)('$name → $status $code', expectRefused);
});

describe('refused Twilio deliveries store nothing', () => {
  it.each(twilioCases)('$name → $status $code', expectRefused);
});

describe('what is accepted', () => {
  it('a valid signature, or none where the tenant only optionally set a secret', async () => {
    const before = await storedCounts(app.pool);
    const body = JSON.stringify(execution(signed));
    const valid = await postRaw(signed.bolnaToken, body, { 'x-switchboard-signature': signBolna(SECRET, body) });
    expect([valid.status, valid.body.status]).toEqual([200, 'processed']);
    const unsignedOptional = await app.postBolna(optional.bolnaToken, execution(optional));
    expect([unsignedOptional.status, unsignedOptional.body.status]).toEqual([200, 'processed']);
    expect(await storedCounts(app.pool)).toMatchObject({ events: before.events + 2, calls: before.calls + 2 });
  });

  it('a body just under the limit, and +json media types', async () => {
    const payload = execution(plain, (p) => ({ ...p, context_details: { note: 'y'.repeat(oneMiB - 4000) } }));
    const response = await app.postBolna(plain.bolnaToken, payload, { 'content-type': 'application/vnd.bolna+json; charset=utf-8' });
    expect([response.status, response.body.status]).toEqual([200, 'processed']);
  });
});

describe('rate limit per source', () => {
  it('answers 429 with Retry-After once a source used its bucket, storing nothing; other sources are unaffected', async () => {
    const first = await limited.postBolna(plain.bolnaToken, execution(plain));
    const second = await limited.postBolna(plain.bolnaToken, execution(plain));
    expect([first.status, second.status]).toEqual([200, 200]);
    const before = await storedCounts(app.pool);
    const third = await limited.postBolna(plain.bolnaToken, execution(plain));
    expect([third.status, third.body.error?.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await storedCounts(app.pool)).toEqual(before);
    const other = await limited.postBolna(optional.bolnaToken, execution(optional));
    expect(other.status).toBe(200);
    // Twilio is limited per AccountSid.
    for (const expected of [200, 200, 429]) {
      const params = twilioParams(plain);
      const response = await limited.postTwilio(params, { signature: twilioSignature(plain.twilioAuthToken, `${limited.url}${TWILIO_STATUS_PATH}`, params) });
      expect(response.status).toBe(expected);
    }
  });
});

describe('other paths', () => {
  it('unknown webhook paths are 404', async () => {
    const response = await app.request('/webhooks/vapi/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(404);
  });
});
