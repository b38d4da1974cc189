/**
 * Ingest sets the agent version (issue 17 item 7): Bolna executions and Twilio status callbacks, over real HTTP,
 * store calls with the version of their agent current when the call started; a Bolna execution scheduled before a
 * configuration change and dialled after it ends with the newer version (its start moves to the dial).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRollups } from '../helpers/rollups.ts';
import { bolnaSequence, seedIngestTenant, startWebhookApp, twilioSequence, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';

let app: WebhookApp;
let tenant: IngestTenant;

/** Version 1 from 2026-01-01, version 2 from 2026-11-20 00:00 UTC (backdated: the trigger stamps now()). */
async function twoVersions(agentId: string): Promise<void> {
  await app.pool.query(`update app_public.agent_versions set created_at = '2026-01-01T00:00:00Z' where agent_id = $1`, [agentId]);
  await app.pool.query(`update app_public.agents set config = '{"prompt": "v2"}' where id = $1`, [agentId]);
  await app.pool.query(
    `update app_public.agent_versions set created_at = '2026-11-20T00:00:00Z' where agent_id = $1 and version = 2`, [agentId],
  );
}

async function version(provider: string, providerCallId: string): Promise<number | undefined> {
  const { rows } = await app.pool.query<{ version: number }>(
    `select v.version from app_public.calls c join app_public.agent_versions v on v.id = app_public.calls_agent_version_id(c) and v.agent_id = c.agent_id
      where c.user_id = $1 and c.provider = $2 and c.provider_call_id = $3`,
    [tenant.userId, provider, providerCallId],
  );
  return rows[0]?.version;
}

beforeAll(async () => {
  app = await startWebhookApp();
  tenant = await seedIngestTenant(app.pool);
  await twoVersions(tenant.agentId);
  await twoVersions(tenant.twilioAgent);
});

afterAll(async () => {
  await app?.close();
});

describe('ingest records the agent version of each call', () => {
  it('Bolna: before and after a configuration change, and a scheduled execution dialled after it', async () => {
    const before = bolnaSequence({ agentId: tenant.bolnaAgentId, createdAt: new Date('2026-11-19T22:00:00Z') });
    const after = bolnaSequence({ agentId: tenant.bolnaAgentId, createdAt: new Date('2026-11-20T09:30:00Z') });
    const scheduled = bolnaSequence({
      agentId: tenant.bolnaAgentId, createdAt: new Date('2026-11-19T21:00:00Z'), dialledAt: new Date('2026-11-20T08:00:00Z'),
    });
    // The scheduled execution's first event alone: provisional start before the change, so version 1.
    expect((await app.postBolna(tenant.bolnaToken, scheduled[0])).status).toBe(200);
    expect(await version('bolna', String(scheduled[0]!.id))).toBe(1);
    for (const payload of [...before, ...after, ...scheduled.slice(1)]) {
      const response = await app.postBolna(tenant.bolnaToken, payload);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
    }
    expect(await version('bolna', String(before[0]!.id))).toBe(1);
    expect(await version('bolna', String(after[0]!.id))).toBe(2);
    expect(await version('bolna', String(scheduled[0]!.id))).toBe(2);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });

  it('Twilio: the version current at the call start', async () => {
    const before = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber, start: new Date('2026-11-19T23:59:00Z') });
    const after = twilioSequence({ accountSid: tenant.twilioAccountSid, from: tenant.twilioNumber, start: new Date('2026-11-20T10:00:00Z') });
    // Out of order: the completed event first.
    for (const params of [...before.slice().reverse(), ...after]) {
      const response = await app.postTwilio(params, { authToken: tenant.twilioAuthToken });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
    }
    expect(await version('twilio', before[0]!.CallSid!)).toBe(1);
    expect(await version('twilio', after[0]!.CallSid!)).toBe(2);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });
});
