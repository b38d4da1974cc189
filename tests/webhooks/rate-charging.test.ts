/**
 * Who a webhook delivery is charged to (issue 13, item 4): a stranger who
 * names a tenant's Twilio AccountSid or Bolna token prefix, without a valid
 * signature or token, spends the bucket of his own address, never the
 * tenant's; genuine deliveries from another address keep flowing.
 *
 * The stranger's requests leave from other loopback addresses (127.0.0.2,
 * 127.0.0.3: the whole 127/8 is local on Linux) so the server sees different
 * senders over real sockets.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bolnaSequence,
  seedIngestTenant,
  signBolna,
  startWebhookApp,
  twilioSequence,
  twilioSignature,
  TWILIO_STATUS_PATH,
  type IngestTenant,
  type WebhookApp,
} from '../helpers/webhooks.ts';

const BURST = 3;
const SECRET = 'bolna-signing-secret-charging-0123';

let app: WebhookApp;
let tenant: IngestTenant;
let signed: IngestTenant;

beforeAll(async () => {
  // A bucket of 3 per source that never refills (frozen clock).
  app = await startWebhookApp({ env: { WEBHOOK_RATE_LIMIT_PER_MINUTE: '1', WEBHOOK_RATE_LIMIT_BURST: String(BURST) }, now: () => 0 });
  tenant = await seedIngestTenant(app.pool);
  signed = await seedIngestTenant(app.pool, { signingSecret: SECRET, requireSignature: true });
});

afterAll(async () => {
  await app?.close();
});

interface Answer {
  status: number;
  code: string | undefined;
}

/** POST from a given local address; the answer's status and error code. */
function postFrom(localAddress: string, path: string, contentType: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, localAddress, method: 'POST', path, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { error?: { code?: string } };
          resolve({ status: res.statusCode ?? 0, code: parsed.error?.code });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function repeat(times: number, send: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < times; i += 1) answers.push(await send());
  return answers;
}

function statuses(answers: Answer[]): number[] {
  return answers.map((answer) => answer.status);
}

describe('Twilio: unsigned or forged callbacks are charged to the sender', () => {
  it("a stranger naming the tenant's AccountSid runs out of his own bucket; the genuine callbacks all pass", async () => {
    const params = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber });
    const form = new URLSearchParams(params[0]).toString();
    const formType = 'application/x-www-form-urlencoded';

    const unsigned = await repeat(BURST + 3, () => postFrom('127.0.0.2', TWILIO_STATUS_PATH, formType, form));
    expect(unsigned.slice(0, BURST)).toEqual(Array(BURST).fill({ status: 401, code: 'MISSING_SIGNATURE' }));
    expect(unsigned.slice(BURST)).toEqual(Array(3).fill({ status: 429, code: 'RATE_LIMITED' }));

    const forgedSignature = twilioSignature('not-the-auth-token-0123456789abcdef', `${app.url}${TWILIO_STATUS_PATH}`, params[0]!);
    const forged = await repeat(BURST + 2, () => postFrom('127.0.0.3', TWILIO_STATUS_PATH, formType, form, { 'x-twilio-signature': forgedSignature }));
    expect(statuses(forged)).toEqual([...Array<number>(BURST).fill(403), 429, 429]);

    // Twilio itself (127.0.0.1): every genuine callback is accepted, up to the tenant's own bucket.
    const genuine = [];
    for (const callback of params.slice(0, BURST)) {
      genuine.push((await app.postTwilio(callback, { authToken: tenant.twilioAuthToken })).status);
    }
    expect(genuine).toEqual(Array(BURST).fill(200));
  });
});

describe('Bolna: unknown tokens and bad signatures are charged to the sender', () => {
  it("a stranger who knows a token's visible prefix spends only his own bucket", async () => {
    const prefix = tenant.bolnaToken.slice(0, 10);
    const lookalike = `${prefix}${randomBytes(40).toString('base64url').slice(0, tenant.bolnaToken.length - prefix.length)}`;
    expect(lookalike).toHaveLength(tenant.bolnaToken.length);
    const payloads = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const strangers = await repeat(BURST + 2, () => postFrom('127.0.0.5', `/webhooks/bolna/${lookalike}`, 'application/json', JSON.stringify(payloads[0])));
    expect(strangers.slice(0, BURST)).toEqual(Array(BURST).fill({ status: 401, code: 'UNKNOWN_TOKEN' }));
    expect(strangers.slice(BURST)).toEqual(Array(2).fill({ status: 429, code: 'RATE_LIMITED' }));

    const genuine = [];
    for (const payload of payloads.slice(0, BURST)) genuine.push((await app.postBolna(tenant.bolnaToken, payload)).status);
    expect(genuine).toEqual(Array(BURST).fill(200));
  });

  it('a known token with a wrong signature is charged to the sender, not the tenant', async () => {
    const payloads = bolnaSequence({ agentId: signed.bolnaAgentId });
    const body = JSON.stringify(payloads[0]);
    const wrong = await repeat(BURST + 1, () =>
      postFrom('127.0.0.4', `/webhooks/bolna/${signed.bolnaToken}`, 'application/json', body, { 'x-switchboard-signature': signBolna('another secret entirely', body) }),
    );
    expect(statuses(wrong)).toEqual([...Array<number>(BURST).fill(403), 429]);

    const genuine = [];
    for (const payload of payloads.slice(0, BURST)) {
      const text = JSON.stringify(payload);
      genuine.push((await app.postBolna(signed.bolnaToken, text, { 'x-switchboard-signature': signBolna(SECRET, text) })).status);
    }
    expect(genuine).toEqual(Array(BURST).fill(200));
  });
});
