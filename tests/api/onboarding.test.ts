/**
 * Onboarding and admin over real HTTP (issue 14, items 2 and 5):
 * - onboardingStatus reflects the real state (providers, agents, real and test calls);
 * - sendTestCall goes through the webhook ingest statement (a delivery is stored),
 *   the call is marked is_test and counts in the KPIs; removeTestCalls takes it
 *   out exactly (verify_rollups clean, KPIs back to zero, credits refunded,
 *   its contact and raw delivery gone); a real call of the same business stays;
 * - adminTenantSummaries is refused by PostgreSQL for a non-admin;
 * - an operator's view of a business is refused until startTenantView (admin
 *   only) recorded it in the audit trail, then runs as that business, read-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { okData, onlyError } from '../helpers/graphql-result.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { TENANT_VIEW_HEADER } from '../../server/graphql/tenant-view.ts';

let api: ApiServer;
let token: string;
let userId: string;

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { jwtToken userId } }`;
const STATUS = `{ onboardingStatus { bolnaConnected twilioConnected agents activeAgents calls testCalls latestTestCallId latestTestCallStatus } }`;
const KPIS = `{ kpiSummary { current { calls successfulCalls talkSeconds creditsUsed } } }`;

interface Status {
  bolnaConnected: boolean;
  twilioConnected: boolean;
  agents: number;
  activeAgents: number;
  calls: string;
  testCalls: string;
  latestTestCallId: string | null;
  latestTestCallStatus: string | null;
}

async function status(): Promise<Status> {
  return okData(await api.graphql<{ onboardingStatus: Status }>(STATUS, {}, token)).onboardingStatus;
}

async function kpis(): Promise<Record<string, string>> {
  return okData(await api.graphql<{ kpiSummary: { current: Record<string, string> } }>(KPIS, {}, token)).kpiSummary.current;
}

async function one<T>(sql: string, params: unknown[]): Promise<T> {
  const { rows } = await api.db.pool.query(sql, params);
  return rows[0] as T;
}

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  const data = okData(await api.graphql<{ register: { jwtToken: string; userId: string } }>(REGISTER, {
    input: { name: 'Onboarding Co', email: 'onboarding@example.com', password: 'a fine long password', timezone: 'Asia/Kolkata' },
  }));
  token = data.register.jwtToken;
  userId = data.register.userId;
});

afterAll(async () => {
  await api?.close();
});

describe('onboarding and test calls', () => {
  it('a new business: nothing connected, no agents, no calls', async () => {
    expect(await status()).toEqual({
      bolnaConnected: false, twilioConnected: false, agents: 0, activeAgents: 0, calls: '0', testCalls: '0', latestTestCallId: null, latestTestCallStatus: null,
    });
  });

  it('a test call needs an active Bolna agent (NO_AGENT), and stores nothing', async () => {
    const error = onlyError(await api.graphql(`mutation { sendTestCall { callId } }`, {}, token));
    expect(error.code).toBe('NO_AGENT');
    expect(error.message).toMatch(/Settings → Agents/);
    expect(await one<{ n: number }>('select count(*)::int as n from app_private.webhook_events where user_id = $1', [userId])).toEqual({ n: 0 });
  });

  it('connecting Bolna and adding an agent show in the status', async () => {
    okData(await api.graphql(`mutation { rotateBolnaIngestToken(input: {}) { clientMutationId } }`, {}, token));
    okData(await api.graphql(`mutation { createAgent(input: { agent: { providerAgentId: "agent-onboarding", name: "Priya", provider: "bolna" } }) { agent { rowId } } }`, {}, token));
    expect(await status()).toMatchObject({ bolnaConnected: true, agents: 1, activeAgents: 1, calls: '0', testCalls: '0' });
  });

  it('a test call goes through the ingest path, is marked, and counts in the KPIs', async () => {
    const sent = okData(await api.graphql<{ sendTestCall: { callId: string; agentName: string } }>(`mutation { sendTestCall { callId agentName } }`, {}, token));
    expect(sent.sendTestCall.agentName).toBe('Priya');
    const call = await one<{ is_test: boolean; status: string; duration_seconds: number; phone_number: string; credits_used: number }>(
      'select is_test, status, duration_seconds, phone_number, credits_used from app_public.calls where id = $1', [sent.sendTestCall.callId]);
    expect(call).toEqual({ is_test: true, status: 'completed', duration_seconds: 124, phone_number: '+14155550100', credits_used: 3 });
    // Stored as a Bolna delivery, like one posted to /webhooks/bolna/:token.
    const delivery = await one<{ provider: string; status: string; call_id: string }>(
      'select provider, status, call_id from app_private.webhook_events where user_id = $1', [userId]);
    expect(delivery).toEqual({ provider: 'bolna', status: 'processed', call_id: sent.sendTestCall.callId });
    expect(await status()).toMatchObject({ calls: '0', testCalls: '1', latestTestCallId: sent.sendTestCall.callId, latestTestCallStatus: 'completed' });
    expect(await kpis()).toMatchObject({ calls: '1', successfulCalls: '1', talkSeconds: '124', creditsUsed: '3' });
    expect(await verifyRollups(api.db.pool, userId)).toEqual([]);
  });

  it('a real call of the same business is not a test call and survives the removal', async () => {
    await api.db.pool.query(`select app_hidden.ingest_webhook('bolna', $1, 'real-1:completed:2026-01-05T10:02:00', $2::jsonb)`, [userId, JSON.stringify({
      id: 'real-1', agent_id: 'agent-onboarding', status: 'completed', created_at: '2026-01-05T10:00:00', updated_at: '2026-01-05T10:02:00',
      conversation_duration: 60, telephony_data: { duration: 61, to_number: '+919812345678', call_type: 'outbound' },
    })]);
    expect(await status()).toMatchObject({ calls: '1', testCalls: '1' });
  });

  it('removeTestCalls takes the test calls out exactly: KPIs, rollups, credits, contact, delivery', async () => {
    const before = await one<{ credits: number }>(
      `select (select credits from app_public.users where id = $1)
              + coalesce((select sum(amount) from app_hidden.credit_charges where user_id = $1), 0)
              + coalesce((select sum(amount) from app_public.credit_transactions where user_id = $1 and posted_at is null), 0) as credits`, [userId]);
    const removed = okData(await api.graphql<{ removeTestCalls: { result: number } }>(`mutation { removeTestCalls(input: {}) { result } }`, {}, token));
    expect(removed.removeTestCalls.result).toBe(1);
    expect(await status()).toMatchObject({ calls: '1', testCalls: '0', latestTestCallId: null });
    expect(await verifyRollups(api.db.pool, userId)).toEqual([]);
    expect(await one('select count(*)::int as n from app_public.calls where user_id = $1 and is_test', [userId])).toEqual({ n: 0 });
    expect(await one('select count(*)::int as n from app_public.contacts where user_id = $1 and phone_number = $2', [userId, '+14155550100'])).toEqual({ n: 0 });
    expect(await one(`select count(*)::int as n from app_private.webhook_events where user_id = $1 and payload->>'id' like 'switchboard-test-%'`, [userId])).toEqual({ n: 0 });
    // The 3 credits come back through the ledger.
    const after = await one<{ credits: number }>(
      `select (select credits from app_public.users where id = $1)
              + coalesce((select sum(amount) from app_hidden.credit_charges where user_id = $1), 0)
              + coalesce((select sum(amount) from app_public.credit_transactions where user_id = $1 and posted_at is null), 0) as credits`, [userId]);
    expect(Number(after.credits) - Number(before.credits)).toBe(3);
    // Only the real call is left in the KPIs (all time: the real call is in January).
    const all = okData(await api.graphql<{ kpiSummary: { current: Record<string, string> } }>(
      `{ kpiSummary(fromDate: "2026-01-01", toDate: "2026-12-31") { current { calls successfulCalls talkSeconds } } }`, {}, token));
    expect(all.kpiSummary.current).toMatchObject({ calls: '1', successfulCalls: '1', talkSeconds: '60' });
    expect((await api.graphql(`mutation { removeTestCalls(input: {}) { result } }`, {}, token)).body.data).toEqual({ removeTestCalls: { result: 0 } });
  });
});

describe('admin', () => {
  let adminToken: string;
  let adminId: string;

  beforeAll(async () => {
    const data = okData(await api.graphql<{ register: { userId: string } }>(REGISTER, {
      input: { name: 'Operator', email: 'operator@example.com', password: 'a fine long password' },
    }));
    adminId = data.register.userId;
    await api.db.pool.query(`update app_public.users set role = 'admin' where id = $1`, [adminId]);
    adminToken = api.tokenFor(adminId, 'app_admin');
  });

  it('adminTenantSummaries: refused by PostgreSQL for a business, every business for an operator', async () => {
    const refused = onlyError(await api.graphql(`{ adminTenantSummaries(first: 500) { totalCount } }`, {}, token));
    expect([refused.code, refused.message]).toEqual(['FORBIDDEN', 'Only platform operators can list all businesses.']);
    await api.db.pool.query('select app_hidden.refresh_kpi_summary()');
    const rows = okData(await api.graphql<{ adminTenantSummaries: { nodes: Array<{ userId: string }> } }>(
      `{ adminTenantSummaries(first: 500) { nodes { userId } } }`, {}, adminToken));
    expect(rows.adminTenantSummaries.nodes.map((n) => n.userId)).toEqual(expect.arrayContaining([userId, adminId]));
  });

  it('startTenantView: refused for a business (it cannot even view itself that way)', async () => {
    const answer = await api.graphql(`mutation ($id: UUID!) { startTenantView(input: { tenantId: $id }) { result { rowId } } }`, { id: userId }, token);
    expect(onlyError(answer).code).toBe('FORBIDDEN');
  });

  it("a view header is refused until the operator starts the view; then it runs as the business, read-only, audit-logged", async () => {
    const post = (query: string, headers: Record<string, string>) =>
      api.post(JSON.stringify({ query }), { 'content-type': 'application/json', accept: 'application/json', ...headers });
    const notStarted = await post(`{ currentTenant { name } }`, { authorization: `Bearer ${adminToken}`, [TENANT_VIEW_HEADER]: userId });
    expect([notStarted.status, notStarted.body.errors?.[0]?.extensions?.code]).toEqual([403, 'TENANT_VIEW_NOT_STARTED']);
    const byTenant = await post(`{ currentTenant { name } }`, { authorization: `Bearer ${token}`, [TENANT_VIEW_HEADER]: adminId });
    expect([byTenant.status, byTenant.body.errors?.[0]?.extensions?.code]).toEqual([403, 'FORBIDDEN']);

    okData(await api.graphql(`mutation ($id: UUID!) { startTenantView(input: { tenantId: $id }) { result { rowId } } }`, { id: userId }, adminToken));
    const audit = await one<{ action: string; actor: string; actor_id: string }>(
      `select action, actor, actor_id from app_hidden.audit_log where user_id = $1 and action = 'tenant.view'`, [userId]);
    expect(audit).toEqual({ action: 'tenant.view', actor: 'admin', actor_id: adminId });

    const viewed = await post(`{ currentTenant { name } onboardingStatus { calls } }`, { authorization: `Bearer ${adminToken}`, [TENANT_VIEW_HEADER]: userId });
    expect(viewed.body.data).toEqual({ currentTenant: { name: 'Onboarding Co' }, onboardingStatus: { calls: '1' } });
    const write = await post(`mutation { removeTestCalls(input: {}) { result } }`, { authorization: `Bearer ${adminToken}`, [TENANT_VIEW_HEADER]: userId });
    // SQLSTATE 25006 (read-only transaction), mapped by server/errors.ts.
    expect(write.body.errors?.[0]?.extensions?.code).toMatch(/^READ_ONLY/);
    expect(write.body.data?.removeTestCalls ?? null).toBeNull();
    const rename = await post(`mutation { updateUserByRowId(input: { rowId: "${userId}", userPatch: { name: "Hacked" } }) { user { name } } }`, { authorization: `Bearer ${adminToken}`, [TENANT_VIEW_HEADER]: userId });
    expect(rename.body.errors?.length).toBe(1);
    expect(await one('select name from app_public.users where id = $1', [userId])).toEqual({ name: 'Onboarding Co' });
  });
});
