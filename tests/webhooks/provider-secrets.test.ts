/**
 * The ingest settings through GraphQL: a signed-in tenant rotates its Bolna
 * token, sets a signing secret and connects a Twilio account; the database
 * holds only ciphertext, and the webhooks then authenticate with exactly
 * those secrets. API keys, anonymous callers and bad values are refused.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/api.ts';
import {
  bolnaSequence,
  randomHex,
  signBolna,
  startWebhookApp,
  testPhoneNumber,
  twilioSequence,
  type WebhookApp,
} from '../helpers/webhooks.ts';
import { createAgent } from '../helpers/fixtures.ts';

const SETTINGS = 'bolnaTokenPrefix bolnaSigningSecretSet bolnaRequireSignature twilioAccountSid twilioAuthTokenSet';
const SET_BOLNA = `mutation ($secret: String, $require: Boolean) {
  setBolnaSigningSecret(input: { secret: $secret, requireSignature: $require }) { ${SETTINGS} }
}`;
const SET_TWILIO = `mutation ($sid: String!, $token: String!) {
  setTwilioCredentials(input: { accountSid: $sid, authToken: $token }) { ${SETTINGS} }
}`;
const ROTATE = `mutation { rotateBolnaIngestToken(input: {}) { result } }`;

let app: WebhookApp;

beforeAll(async () => {
  app = await startWebhookApp({ graphql: true });
});

afterAll(async () => {
  await app?.close();
});

async function register(): Promise<{ userId: string; jwt: string }> {
  const body = await app.graphql<{ register: { jwtToken: string; userId: string } }>(
    `mutation ($email: String!) { register(input: { email: $email, password: "correct horse battery", name: "Webhook tenant" }) { jwtToken userId } }`,
    { email: `hooks-${randomHex(4)}@example.com` },
  );
  if (!body.data?.register) throw new Error(JSON.stringify(body.errors));
  return { userId: body.data.register.userId, jwt: body.data.register.jwtToken };
}

async function rotate(jwt: string): Promise<string> {
  const body = await app.graphql<{ rotateBolnaIngestToken: { result: string } }>(ROTATE, {}, jwt);
  const token = body.data?.rotateBolnaIngestToken.result;
  if (!token) throw new Error(JSON.stringify(body.errors));
  return token;
}

async function storedCredentials(userId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await app.pool.query<Record<string, unknown>>('select * from app_private.provider_credentials where user_id = $1', [userId]);
  return rows[0];
}

describe('provider secrets through GraphQL', () => {
  it('a Bolna signing secret: stored encrypted, then required by the webhook', async () => {
    const { userId, jwt } = await register();
    const token = await rotate(jwt);
    const bolnaAgentId = `bolna-${randomHex(6)}`;
    await createAgent(app.pool, userId, { provider: 'bolna', providerAgentId: bolnaAgentId });
    const secret = `whsec_${randomHex(16)}`;
    const set = await app.graphql<{ setBolnaSigningSecret: Record<string, unknown> }>(SET_BOLNA, { secret, require: true }, jwt);
    expect(set.errors).toBeUndefined();
    expect(set.data?.setBolnaSigningSecret).toEqual({
      bolnaTokenPrefix: token.slice(0, 10),
      bolnaSigningSecretSet: true,
      bolnaRequireSignature: true,
      twilioAccountSid: null,
      twilioAuthTokenSet: false,
    });
    const stored = await storedCredentials(userId);
    const ciphertext = stored?.bolna_signing_secret_enc as Buffer;
    expect(Buffer.isBuffer(ciphertext)).toBe(true);
    expect(ciphertext.includes(Buffer.from(secret))).toBe(false);

    const [queued] = bolnaSequence({ agentId: bolnaAgentId });
    const body = JSON.stringify(queued);
    expect((await app.postBolna(token, body)).body.error?.code).toBe('MISSING_SIGNATURE');
    const signedResponse = await app.postBolna(token, body, { 'x-switchboard-signature': signBolna(secret, body) });
    expect([signedResponse.status, signedResponse.body.status]).toEqual([200, 'processed']);

    // Not requiring signatures any more; then removing the secret.
    const optional = await app.graphql<{ setBolnaSigningSecret: Record<string, unknown> }>(SET_BOLNA, { secret, require: false }, jwt);
    expect(optional.data?.setBolnaSigningSecret).toMatchObject({ bolnaSigningSecretSet: true, bolnaRequireSignature: false });
    const removed = await app.graphql<{ setBolnaSigningSecret: Record<string, unknown> }>(SET_BOLNA, { secret: null }, jwt);
    expect(removed.data?.setBolnaSigningSecret).toMatchObject({ bolnaSigningSecretSet: false, bolnaRequireSignature: false });
    const [, ringing] = bolnaSequence({ agentId: String(queued!.agent_id), executionId: String(queued!.id) });
    expect((await app.postBolna(token, ringing)).status).toBe(200);

    // Rotating replaces the token at once.
    const rotated = await rotate(jwt);
    expect((await app.postBolna(token, ringing)).body.error?.code).toBe('UNKNOWN_TOKEN');
    expect((await app.postBolna(rotated, ringing)).body).toMatchObject({ duplicate: true });
  });

  it('Twilio credentials: stored encrypted, then callbacks verify with that auth token; another tenant naming the account changes nothing', async () => {
    const { userId, jwt } = await register();
    const accountSid = `AC${randomHex(16)}`;
    const authToken = randomHex(16);
    const set = await app.graphql<{ setTwilioCredentials: Record<string, unknown> }>(SET_TWILIO, { sid: accountSid, token: authToken }, jwt);
    expect(set.errors).toBeUndefined();
    expect(set.data?.setTwilioCredentials).toMatchObject({ twilioAccountSid: accountSid, twilioAuthTokenSet: true, bolnaTokenPrefix: null });
    const stored = await storedCredentials(userId);
    expect((stored?.twilio_auth_token_enc as Buffer).includes(Buffer.from(authToken))).toBe(false);

    const agent = await createAgent(app.pool, userId, { provider: 'twilio' });
    const number = testPhoneNumber();
    await app.pool.query('insert into app_public.phone_numbers (user_id, agent_id, phone_number) values ($1, $2, $3)', [userId, agent.id, number]);
    const [initiated] = twilioSequence({ accountSid, from: number });
    const accepted = await app.postTwilio(initiated!, { authToken });
    expect([accepted.status, accepted.body.status]).toEqual([200, 'processed']);

    // A second tenant naming the same AccountSid is neither told it is taken nor able to block the owner.
    const second = await register();
    const squat = await app.graphql(SET_TWILIO, { sid: accountSid, token: randomHex(16) }, second.jwt);
    expect(squat.errors).toBeUndefined();
    const [, ringing] = twilioSequence({ accountSid, from: number, callSid: initiated!.CallSid });
    const still = await app.postTwilio(ringing!, { authToken });
    expect([still.status, still.body.status, still.body.callId]).toEqual([200, 'processed', accepted.body.callId]);
    const { rows } = await app.pool.query<{ user_id: string }>('select user_id from app_public.calls where provider_call_id = $1', [initiated!.CallSid]);
    expect(rows).toEqual([{ user_id: userId }]);
  });

  it('refuses anonymous callers, API keys and bad values', async () => {
    const { jwt, userId } = await register();
    const anonymous = await app.graphql(SET_BOLNA, { secret: randomHex(16) });
    expect(errorCodes(anonymous)).toEqual(['FORBIDDEN']);

    const created = await app.graphql<{ createApiKey: { result: { secret: string } } }>(
      `mutation { createApiKey(input: { name: "ci", scopes: ["read", "write"] }) { result { secret } } }`,
      {},
      jwt,
    );
    const apiKey = created.data?.createApiKey.result.secret;
    expect(apiKey).toMatch(/^sbk_/);
    expect(errorCodes(await app.graphql(SET_BOLNA, { secret: randomHex(16) }, apiKey))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await app.graphql(SET_TWILIO, { sid: `AC${randomHex(16)}`, token: randomHex(16) }, apiKey))).toEqual(['FORBIDDEN']);

    expect(errorCodes(await app.graphql(SET_BOLNA, { secret: 'short' }, jwt))).toEqual(['INVALID_SIGNING_SECRET']);
    expect(errorCodes(await app.graphql(SET_BOLNA, { secret: null, require: true }, jwt))).toEqual(['SIGNATURE_NEEDS_SECRET']);
    const badSid = await app.graphql(SET_TWILIO, { sid: 'AC123', token: randomHex(16) }, jwt);
    expect(errorCodes(badSid)).toEqual(['INVALID_ACCOUNT_SID']);
    expect(badSid.errors?.[0]?.message).toBe('The account SID is AC followed by 32 hexadecimal digits (Twilio console > Account info).');
    expect(badSid.errors?.[0]?.extensions?.field).toBe('accountSid');
    expect(errorCodes(await app.graphql(SET_TWILIO, { sid: `AC${randomHex(16)}`, token: randomBytes(4).toString('hex') }, jwt))).toEqual([
      'INVALID_AUTH_TOKEN',
    ]);
    // Nothing was stored for any of the refused values.
    const { rows } = await app.pool.query<{ n: number }>('select count(*)::int as n from app_private.provider_credentials where user_id = $1', [userId]);
    expect(rows[0]?.n).toBe(0);
  });
});
