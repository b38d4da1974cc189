/**
 * The Providers page's API: per provider when the last delivery arrived and
 * how many failed, the failed deliveries with the code and plain message the
 * webhook answered, and replaying them once the cause is fixed. Replaying is
 * idempotent (twice, or twice at once, never applies twice; rollups stay
 * exact), and a business sees and replays only its own deliveries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/api.ts';
import { createAgent } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { bolnaSequence, seedIngestTenant, startWebhookApp, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';

const STATUS = `query ($provider: String) {
  providerDeliverySummaries { provider lastDeliveryAt lastAppliedAt failedDeliveries }
  failedDeliveries(provider: $provider) { provider eventKey receivedAt attempts providerCallId providerStatus errorCode errorMessage }
}`;
const REPLAY = `mutation ($provider: String!, $keys: [String]) {
  replayFailedDeliveries(input: { provider: $provider, eventKeys: $keys }) { result { replayed applied stillFailed } }
}`;

interface Summary {
  provider: string;
  lastDeliveryAt: string | null;
  lastAppliedAt: string | null;
  failedDeliveries: number;
}
interface Failed {
  provider: string;
  eventKey: string;
  attempts: number;
  providerCallId: string;
  providerStatus: string;
  errorCode: string;
  errorMessage: string;
}
interface StatusData {
  providerDeliverySummaries: Summary[];
  failedDeliveries: Failed[];
}
interface ReplayData {
  replayFailedDeliveries: { result: { replayed: number; applied: number; stillFailed: number } };
}

let app: WebhookApp;
let tenant: IngestTenant;
let other: IngestTenant;

beforeAll(async () => {
  app = await startWebhookApp({ graphql: true });
  tenant = await seedIngestTenant(app.pool);
  other = await seedIngestTenant(app.pool);
});

afterAll(async () => {
  await app?.close();
});

async function status(userId: string, provider: string | null = 'bolna'): Promise<StatusData> {
  const body = await app.graphql<StatusData>(STATUS, { provider }, app.tokenFor(userId));
  expect(body.errors).toBeUndefined();
  if (!body.data) throw new Error('no data');
  return body.data;
}

async function replay(userId: string, provider: string, keys?: string[], token = app.tokenFor(userId)) {
  return app.graphql<ReplayData>(REPLAY, { provider, keys: keys ?? null }, token);
}

async function calls(userId: string, providerCallId: string): Promise<number> {
  const { rows } = await app.pool.query<{ n: number }>(
    `select count(*)::int as n from app_public.calls where user_id = $1 and provider = 'bolna' and provider_call_id = $2`,
    [userId, providerCallId],
  );
  return rows[0]?.n ?? 0;
}

describe('delivery status and failed deliveries', () => {
  it('no deliveries yet: both providers listed with nothing', async () => {
    const fresh = await seedIngestTenant(app.pool);
    const data = await status(fresh.userId, null);
    expect(data.providerDeliverySummaries).toEqual([
      { provider: 'bolna', lastDeliveryAt: null, lastAppliedAt: null, failedDeliveries: 0 },
      { provider: 'twilio', lastDeliveryAt: null, lastAppliedAt: null, failedDeliveries: 0 },
    ]);
    expect(data.failedDeliveries).toEqual([]);
  });

  it('a failed delivery shows with the code and message the webhook answered; replayed once fixed, exactly once', async () => {
    const agentAtBolna = 'agent-not-yet-added';
    const sequence = bolnaSequence({ agentId: agentAtBolna });
    const answers = [];
    for (const payload of sequence) answers.push(await app.postBolna(tenant.bolnaToken, payload));
    expect(answers.map((a) => a.status)).toEqual(sequence.map(() => 422));

    const before = await status(tenant.userId);
    const bolna = before.providerDeliverySummaries.find((s) => s.provider === 'bolna');
    expect(bolna).toMatchObject({ failedDeliveries: sequence.length, lastAppliedAt: null });
    expect(bolna?.lastDeliveryAt).not.toBeNull();
    const failed = before.failedDeliveries;
    expect(failed).toHaveLength(sequence.length);
    // Newest first; each says exactly what its 422 said.
    const newest = answers.at(-1)?.body.error;
    expect(failed[0]).toMatchObject({
      provider: 'bolna',
      eventKey: newest?.eventKey,
      attempts: 1,
      providerCallId: String(sequence[0]?.id),
      errorCode: newest?.code,
      errorMessage: newest?.message,
    });
    expect(failed[0]?.errorCode).toBe('UNKNOWN_AGENT');
    expect(failed[0]?.errorMessage).toContain(agentAtBolna);

    // Another business sees none of it, and cannot replay it even by its keys.
    const theirs = await status(other.userId);
    expect(theirs.failedDeliveries).toEqual([]);
    expect(theirs.providerDeliverySummaries.find((s) => s.provider === 'bolna')?.failedDeliveries).toBe(0);
    const foreign = await replay(other.userId, 'bolna', failed.map((f) => f.eventKey));
    expect(foreign.data?.replayFailedDeliveries.result).toEqual({ replayed: 0, applied: 0, stillFailed: 0 });

    // Not fixed yet: replaying keeps them failed (one more attempt each).
    const early = await replay(tenant.userId, 'bolna');
    expect(early.data?.replayFailedDeliveries.result).toEqual({ replayed: sequence.length, applied: 0, stillFailed: sequence.length });

    await createAgent(app.pool, tenant.userId, { provider: 'bolna', providerAgentId: agentAtBolna });
    // Two replays at once, then a third: every delivery is applied by exactly one of them.
    const [a, b] = await Promise.all([replay(tenant.userId, 'bolna'), replay(tenant.userId, 'bolna')]);
    const applied = (a.data?.replayFailedDeliveries.result.applied ?? 0) + (b.data?.replayFailedDeliveries.result.applied ?? 0);
    expect(applied).toBe(sequence.length);
    expect((await replay(tenant.userId, 'bolna')).data?.replayFailedDeliveries.result).toEqual({ replayed: 0, applied: 0, stillFailed: 0 });

    expect(await calls(tenant.userId, String(sequence[0]?.id))).toBe(1);
    const after = await status(tenant.userId);
    expect(after.failedDeliveries).toEqual([]);
    expect(after.providerDeliverySummaries.find((s) => s.provider === 'bolna')).toMatchObject({ failedDeliveries: 0 });
    expect(after.providerDeliverySummaries.find((s) => s.provider === 'bolna')?.lastAppliedAt).not.toBeNull();
    const { rows } = await app.pool.query<{ n: number }>(`select count(*)::int as n from app_hidden.credit_charges where user_id = $1`, [tenant.userId]);
    const { rows: ledger } = await app.pool.query<{ n: number }>(
      `select count(*)::int as n from app_public.credit_transactions where user_id = $1 and type = 'usage'`,
      [tenant.userId],
    );
    expect((rows[0]?.n ?? 0) + (ledger[0]?.n ?? 0)).toBe(1);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });

  it('replays only the deliveries named, when keys are given', async () => {
    const sequence = bolnaSequence({ agentId: 'agent-two' });
    const answers = [];
    for (const payload of sequence) answers.push(await app.postBolna(tenant.bolnaToken, payload));
    const first = answers[0]?.body.error?.eventKey ?? '';
    await createAgent(app.pool, tenant.userId, { provider: 'bolna', providerAgentId: 'agent-two' });
    const one = await replay(tenant.userId, 'bolna', [first]);
    expect(one.data?.replayFailedDeliveries.result).toEqual({ replayed: 1, applied: 1, stillFailed: 0 });
    expect((await status(tenant.userId)).failedDeliveries.map((f) => f.eventKey)).not.toContain(first);
    expect((await replay(tenant.userId, 'bolna')).data?.replayFailedDeliveries.result.applied).toBe(sequence.length - 1);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });

  it('refuses an unknown provider, anonymous callers and read-only API keys, changing nothing', async () => {
    const bad = await replay(tenant.userId, 'vapi');
    expect(errorCodes(bad)).toEqual(['UNKNOWN_PROVIDER']);
    expect(bad.errors?.[0]?.message).toBe('Unknown provider "vapi": choose bolna or twilio.');

    await app.postBolna(tenant.bolnaToken, bolnaSequence({ agentId: 'agent-three' })[0]);
    await createAgent(app.pool, tenant.userId, { provider: 'bolna', providerAgentId: 'agent-three' });
    const anonymous = await app.graphql<ReplayData>(REPLAY, { provider: 'bolna' });
    expect(anonymous.data?.replayFailedDeliveries ?? null).toBeNull();
    expect(anonymous.errors?.length).toBeGreaterThan(0);

    const created = await app.graphql<{ createApiKey: { result: { secret: string } } }>(
      `mutation { createApiKey(input: { name: "read only", scopes: ["read"] }) { result { secret } } }`,
      {},
      app.tokenFor(tenant.userId),
    );
    const readOnly = created.data?.createApiKey.result.secret ?? '';
    expect(errorCodes(await replay(tenant.userId, 'bolna', undefined, readOnly))).toEqual(['READ_ONLY_API_KEY']);
    expect((await status(tenant.userId)).failedDeliveries).toHaveLength(1);
  });
});
