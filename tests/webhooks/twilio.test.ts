/**
 * Twilio status callbacks over real HTTP, signed by the real `twilio` package
 * (getExpectedTwilioSignature): out-of-order SequenceNumbers end as one call
 * with the completed event's figures; tampered or unsigned requests are
 * refused and leave nothing; behind a proxy the public URL is what is signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRollups } from '../helpers/rollups.ts';
import {
  callRow,
  seedIngestTenant,
  shuffled,
  startWebhookApp,
  storedCounts,
  twilioSequence,
  twilioSignature,
  TWILIO_STATUS_PATH,
  withRepeats,
  type IngestTenant,
  type WebhookApp,
} from '../helpers/webhooks.ts';

const PUBLIC_BASE_URL = 'https://hooks.switchboard.example/base';

let app: WebhookApp;
let proxied: WebhookApp;
let tenant: IngestTenant;

beforeAll(async () => {
  app = await startWebhookApp();
  // A second app on the same database, configured as if behind a proxy.
  proxied = await startWebhookApp({ db: app.db, env: { PUBLIC_BASE_URL } });
  tenant = await seedIngestTenant(app.pool);
});

afterAll(async () => {
  await proxied?.close();
  await app?.close();
});

describe('Twilio status callbacks', () => {
  it.each([3, 17, 29])('out of order with repeats (seed %i): one call with the final state', async (seed) => {
    const sequence = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber });
    const deliveries = withRepeats(sequence, seed);
    for (const params of deliveries) {
      const response = await app.postTwilio(params, { authToken: tenant.twilioAuthToken });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.status).toBe('processed');
    }
    const completed = sequence.at(-1)!;
    const call = await callRow(app.pool, 'twilio', completed.CallSid!);
    expect(call).toMatchObject({
      user_id: tenant.userId,
      agent_id: tenant.twilioAgent,
      status: 'completed',
      outcome: 'successful',
      duration_seconds: 64,
      billed_minutes: 2,
      recording_url: completed.RecordingUrl,
      direction: 'outbound',
      phone_number: completed.To,
      provider_event_rank: 4003,
    });
    expect((call?.provider_event_at as Date).getTime()).toBe(Date.parse(completed.Timestamp!));
    // Started at the first event (initiated), which is earlier than completed minus its duration.
    expect((call?.started_at as Date).getTime()).toBe(Date.parse(sequence[0]!.Timestamp!));
    const { rows } = await app.pool.query<{ n: number }>(
      `select count(*)::int as n from app_private.webhook_events where provider = 'twilio' and event_key like $1 and status = 'processed'`,
      [`${completed.CallSid}:%`],
    );
    expect(rows[0]?.n).toBe(sequence.length);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });

  it('a later SequenceNumber of the same status wins; an earlier one changes nothing', async () => {
    const [initiated, ringing, answered] = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber });
    for (const params of [initiated!, answered!, ringing!]) {
      expect((await app.postTwilio(params, { authToken: tenant.twilioAuthToken })).status).toBe(200);
    }
    const call = await callRow(app.pool, 'twilio', initiated!.CallSid!);
    expect(call).toMatchObject({ status: 'in_progress', provider_event_rank: 3002, duration_seconds: 0 });
  });

  it('refuses a tampered parameter, a wrong URL and a missing signature, storing nothing', async () => {
    const [params] = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber });
    const before = await storedCounts(app.pool);
    const signature = twilioSignature(tenant.twilioAuthToken, `${app.url}${TWILIO_STATUS_PATH}`, params!);
    const tampered = await app.postTwilio(params!, { signature, sendParams: { ...params!, CallStatus: 'completed', CallDuration: '3600' } });
    expect(tampered.status).toBe(403);
    expect(tampered.body.error?.code).toBe('INVALID_SIGNATURE');
    const added = await app.postTwilio(params!, { signature, sendParams: { ...params!, AnsweredBy: 'human' } });
    expect(added.body.error?.code).toBe('INVALID_SIGNATURE');
    const otherUrl = await app.postTwilio(params!, { authToken: tenant.twilioAuthToken, signUrl: `${app.url}/webhooks/twilio/other` });
    expect(otherUrl.body.error?.code).toBe('INVALID_SIGNATURE');
    const otherToken = await app.postTwilio(params!, { authToken: 'f'.repeat(32) });
    expect(otherToken.body.error?.code).toBe('INVALID_SIGNATURE');
    const unsigned = await app.postTwilio(params!);
    expect([unsigned.status, unsigned.body.error?.code]).toEqual([401, 'MISSING_SIGNATURE']);
    expect(await storedCounts(app.pool)).toEqual(before);
    expect(await callRow(app.pool, 'twilio', params!.CallSid!)).toBeUndefined();
  });

  it('behind a proxy, checks the signature against PUBLIC_BASE_URL', async () => {
    const [params] = shuffled(twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber }), 1);
    const before = await storedCounts(app.pool);
    const local = await proxied.postTwilio(params!, { authToken: tenant.twilioAuthToken, signUrl: `${proxied.url}${TWILIO_STATUS_PATH}` });
    expect([local.status, local.body.error?.code]).toEqual([403, 'INVALID_SIGNATURE']);
    expect(await storedCounts(app.pool)).toEqual(before);
    const accepted = await proxied.postTwilio(params!, { authToken: tenant.twilioAuthToken, signUrl: `${PUBLIC_BASE_URL}${TWILIO_STATUS_PATH}` });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ duplicate: false, status: 'processed' });
    // ... and the app without PUBLIC_BASE_URL refuses the public URL's signature.
    const direct = await app.postTwilio(params!, { authToken: tenant.twilioAuthToken, signUrl: `${PUBLIC_BASE_URL}${TWILIO_STATUS_PATH}` });
    expect(direct.body.error?.code).toBe('INVALID_SIGNATURE');
  });
});
