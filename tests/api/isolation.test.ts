/**
 * Tenant isolation through GraphQL, over real HTTP: tenant A (its own JWT)
 * tries to reach tenant B's rows by global node id, by row id and unique keys,
 * through conditions, filters, relations, aggregates and grouped aggregates,
 * through the KPI functions with B's agent, and by mutating or referencing B's
 * rows. Every attempt is empty, null or refused, and B's rows are verified
 * untouched in the database afterwards. Anonymous callers and JWTs for users
 * that do not exist get nothing; a platform admin reads all tenants' agents
 * (by design) but nothing else of theirs. (Expired / forged tokens: auth-tokens.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer, type GraphqlBody, type HttpResult } from '../helpers/api.ts';
import { okData, onlyError } from '../helpers/graphql-result.ts';
import { addCalls, compactPostAndRefresh, seedTenant, type Tenant } from '../helpers/tenants.ts';

let api: ApiServer;
let a: Tenant;
let b: Tenant;
let admin: Tenant;
/** B's rows as B sees them through the API: global node ids and row ids by type. */
let bNodes: Array<{ type: string; id: string; rowId: string }>;
let bEmail: string;
let bApiKeyPrefix: string;
let bLeadIds: string[];
let bCustomerReference: string;
let bContactPhone: string;
/** An agent of B without a phone number (B's others have one, and phone_numbers_agent_key is global). */
let bSpareAgent: string;
let bFingerprint: string;
let aFingerprint: string;

type Data = Record<string, unknown>;

const NOBODY = '0190a4a0-0000-7000-8000-000000000000';
/** The token role claim of a member (informational: the server reads the member's role from the database). */
const MEMBER_TOKEN_ROLES = { manager: 'app_user', viewer: 'app_viewer' } as const;

/** Who attacks B: A's founding owner, unless a test of A's other members sets one of theirs. */
let attacker: string | undefined;
const tokenA = (): string => attacker ?? api.tokenFor(a.userId);
const asA = async (document: string, variables: Record<string, unknown> = {}): Promise<Data> => okData(await api.graphql<Data>(document, variables, tokenA()));

/** Tenant-owned tables (every one has user_id) whose rows a fingerprint covers. */
const TENANT_TABLES = [
  'app_public.agents', 'app_public.phone_numbers', 'app_public.contacts', 'app_public.calls', 'app_public.transcripts',
  'app_public.lead_analytics', 'app_public.credit_transactions', 'app_public.follow_ups', 'app_public.customers',
  'app_public.agent_targets', 'app_public.api_keys', 'app_public.agent_analytics', 'app_public.user_analytics',
  'app_public.user_hourly_analytics', 'app_public.agent_hourly_analytics', 'app_hidden.rollup_deltas',
];

/** A hash of every row a tenant owns (and its users row), read as the owner. */
async function fingerprint(userId: string): Promise<string> {
  const parts = TENANT_TABLES.map(
    (table) => `(select coalesce(md5(string_agg(to_jsonb(t)::text, '|' order by to_jsonb(t)::text)), '-') from ${table} t where t.user_id = $1)`,
  );
  const { rows } = await api.db.pool.query<{ f: string }>(
    `select concat_ws(',', (select md5(to_jsonb(u)::text) from app_public.users u where u.id = $1), ${parts.join(', ')}) as f`,
    [userId],
  );
  return rows[0]?.f ?? '';
}

beforeAll(async () => {
  // (a generous rate limit: this file sends many requests as tenant A)
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  const client = await api.db.pool.connect();
  try {
    a = await seedTenant(client, { tag: 1, name: 'Tenant A', timezone: 'Asia/Kolkata' });
    b = await seedTenant(client, { tag: 2, name: 'Tenant B', timezone: 'America/New_York' });
    admin = await seedTenant(client, { tag: 3, name: 'Operator', role: 'admin' });
    const spare = await client.query<{ id: string }>(
      `insert into app_public.agents (user_id, provider, provider_agent_id, name) values ($1, 'bolna', 't2-spare', 'Spare') returning id`,
      [b.userId],
    );
    bSpareAgent = spare.rows[0]?.id ?? '';
    await compactPostAndRefresh(client);
    // Pending deltas too, so the live views have both parts.
    await addCalls(client, a, 4);
    await addCalls(client, b, 4);
    const details = await client.query<{ email: string; prefix: string; reference: string; phone: string; leads: string[] }>(
      `select u.email::text as email,
              (select key_prefix from app_public.api_keys where user_id = u.id limit 1) as prefix,
              (select reference from app_public.customers where user_id = u.id limit 1) as reference,
              (select phone_number from app_public.contacts where user_id = u.id order by phone_number limit 1) as phone,
              array(select id::text from app_public.lead_analytics where user_id = u.id and smart_notification is not null) as leads
         from app_public.users u where u.id = $1`,
      [b.userId],
    );
    const row = details.rows[0];
    if (!row) throw new Error('no tenant B');
    bEmail = row.email;
    bApiKeyPrefix = row.prefix;
    bCustomerReference = row.reference;
    bContactPhone = row.phone;
    bLeadIds = row.leads;
  } finally {
    client.release();
  }
  // B's node ids as B itself sees them.
  const seen = okData(await api.graphql<Data>(`{
    currentTenant { id rowId }
    allAgents(first: 10) { nodes { id rowId } }
    allPhoneNumbers(first: 10) { nodes { id rowId } }
    allContacts(first: 3) { nodes { id rowId } }
    allCalls(first: 3) { nodes { id rowId } }
    allTranscripts(first: 2) { nodes { id rowId } }
    allLeadAnalytics(first: 3) { nodes { id rowId } }
    allCreditTransactions(first: 2) { nodes { id rowId } }
    allFollowUps(first: 2) { nodes { id rowId } }
    allCustomers(first: 2) { nodes { id rowId } }
    allAgentTargets(first: 2) { nodes { id rowId } }
    allApiKeys(first: 2) { nodes { id rowId } }
  }`, {}, api.tokenFor(b.userId)));
  bNodes = [];
  for (const [field, value] of Object.entries(seen)) {
    const nodes = field === 'currentTenant' ? [value] : (value as { nodes: unknown[] }).nodes;
    for (const node of nodes as Array<{ id: string; rowId: string }>) bNodes.push({ type: field, id: node.id, rowId: node.rowId });
  }
  expect(bNodes.length).toBeGreaterThanOrEqual(20);
  bFingerprint = await fingerprint(b.userId);
  aFingerprint = await fingerprint(a.userId);
});

afterAll(async () => {
  await api?.close();
});

/** Runs `document` as A with one aliased field per item (in batches under the alias limit); returns every answer. */
async function batched<T>(items: readonly T[], field: (item: T, alias: string) => string, variables: Record<string, unknown> = {}): Promise<Data> {
  const answers: Data = {};
  for (let i = 0; i < items.length; i += 20) {
    const fields = items.slice(i, i + 20).map((item, j) => field(item, `f${i + j}`));
    Object.assign(answers, await asA(`{ ${fields.join('\n')} }`, variables));
  }
  return answers;
}

describe('reading B by identifier', () => {
  it('node(id:) with each of B\'s global ids is null', async () => {
    const answers = await batched(bNodes, (node, alias) => `${alias}: node(id: ${JSON.stringify(node.id)}) { id }`);
    expect(Object.keys(answers)).toHaveLength(bNodes.length);
    expect(Object.values(answers).every((v) => v === null)).toBe(true);
  });

  it('the typed node fields (agent(id:), call(id:), ...) are null', async () => {
    const byType: Record<string, string> = {
      currentTenant: 'user', allAgents: 'agent', allPhoneNumbers: 'phoneNumber', allContacts: 'contact', allCalls: 'call',
      allTranscripts: 'transcript', allLeadAnalytics: 'leadAnalytic', allCreditTransactions: 'creditTransaction',
      allFollowUps: 'followUp', allCustomers: 'customer', allAgentTargets: 'agentTarget', allApiKeys: 'apiKey',
    };
    const answers = await batched(bNodes, (node, alias) => `${alias}: ${byType[node.type]}(id: ${JSON.stringify(node.id)}) { id }`);
    expect(Object.values(answers).every((v) => v === null)).toBe(true);
  });

  it('the ...ByRowId fields are null', async () => {
    const byType: Record<string, string> = {
      currentTenant: 'userByRowId', allAgents: 'agentByRowId', allPhoneNumbers: 'phoneNumberByRowId',
      allContacts: 'contactByRowId', allCalls: 'callByRowId', allTranscripts: 'transcriptByRowId',
      allLeadAnalytics: 'leadAnalyticByRowId', allCreditTransactions: 'creditTransactionByRowId',
      allFollowUps: 'followUpByRowId', allCustomers: 'customerByRowId', allAgentTargets: 'agentTargetByRowId',
      allApiKeys: 'apiKeyByRowId',
    };
    const answers = await batched(bNodes, (node, alias) => `${alias}: ${byType[node.type]}(rowId: "${node.rowId}") { rowId }`);
    expect(Object.values(answers).every((v) => v === null)).toBe(true);
  });

  it('lookups by B\'s unique keys are null', async () => {
    const answer = await asA(`query ($b: UUID!, $agent: UUID!, $target: UUID!, $call: UUID!, $email: String!, $prefix: String!,
                                      $reference: String!, $phone: String!, $day: Date!) {
      userByEmail(email: $email) { rowId }
      apiKeyByKeyPrefix(keyPrefix: $prefix) { rowId }
      agentByUserIdAndProviderAndProviderAgentId(userId: $b, provider: "bolna", providerAgentId: "t2-agent-1") { rowId }
      callByUserIdAndProviderAndProviderCallId(userId: $b, provider: "bolna", providerCallId: "t2-call-0") { rowId }
      transcriptByCallId(callId: $call) { rowId }
      contactByUserIdAndPhoneNumber(userId: $b, phoneNumber: $phone) { rowId }
      customerByUserIdAndReference(userId: $b, reference: $reference) { rowId }
      tenantKpiSummaryByUserId(userId: $b) { userId }
      agentPerformanceByAgentId(agentId: $agent) { agentId }
      agentTargetProgressByTargetId(targetId: $target) { targetId }
      userAnalyticByUserIdAndDay(userId: $b, day: $day) { userId }
      agentAnalyticByUserIdAndDayAndAgentId(userId: $b, day: $day, agentId: $agent) { userId }
    }`, {
      b: b.userId, agent: b.agentIds[0], target: b.targetIds[0], call: b.callIds[0], email: bEmail, prefix: bApiKeyPrefix,
      reference: bCustomerReference, phone: bContactPhone, day: new Date().toISOString().slice(0, 10),
    });
    expect(Object.keys(answer)).toHaveLength(12);
    expect(Object.entries(answer).filter(([, v]) => v !== null)).toEqual([]);
  });
});

describe('reading B through lists', () => {
  it('conditions and filters on B\'s userId / agentId are empty', async () => {
    const answer = await asA(`query ($b: UUID!, $agent: UUID!, $ab: [UUID!]) {
      c1: allCalls(condition: { userId: $b }) { totalCount }
      c2: allCalls(filter: { agentId: { equalTo: $agent } }) { totalCount }
      c3: allCalls(condition: { agentId: $agent }) { totalCount }
      c4: allAgents(condition: { userId: $b }) { totalCount }
      c5: allLeadAnalytics(filter: { userId: { equalTo: $b } }) { totalCount }
      c6: allUserAnalytics(condition: { userId: $b }) { totalCount }
      c7: allAgentDailyStats(condition: { agentId: $agent }) { totalCount }
      c8: allTenantDailyStats(condition: { userId: $b }) { totalCount }
      c9: allAgentTargets(condition: { agentId: $agent }) { totalCount }
      c10: allUsers(condition: { rowId: $b }) { totalCount }
      c11: allApiKeys(filter: { userId: { equalTo: $b } }) { totalCount }
      c12: allFollowUps(filter: { userId: { equalTo: $b } }) { totalCount }
      c13: allCalls(first: 500, filter: { userId: { in: $ab } }) { totalCount nodes { userId } }
    }`, { b: b.userId, agent: b.agentIds[0], ab: [a.userId, b.userId] });
    const counts = Object.fromEntries(Object.entries(answer).map(([k, v]) => [k, (v as { totalCount: number }).totalCount]));
    expect(counts).toEqual({ c1: 0, c2: 0, c3: 0, c4: 0, c5: 0, c6: 0, c7: 0, c8: 0, c9: 0, c10: 0, c11: 0, c12: 0, c13: a.callIds.length });
    const nodes = (answer.c13 as { nodes: Array<{ userId: string }> }).nodes;
    expect(new Set(nodes.map((n) => n.userId))).toEqual(new Set([a.userId]));
  });

  it('every list holds only A\'s rows (B has rows with the same agent names)', async () => {
    const answer = await asA(`{
      allAgents(first: 50) { nodes { userId } }
      allUsers(first: 50) { nodes { rowId } }
      allCalls(first: 500, filter: { agent: { name: { equalTo: "Agent 1" } } }) { nodes { userId } }
      allContacts(first: 500) { nodes { userId } }
      allLeadAnalytics(first: 500) { nodes { userId } }
      allCustomers(first: 50) { nodes { userId } }
      allApiKeys(first: 50) { nodes { userId } }
      allAgentTargetProgresses(first: 50) { nodes { userId } }
      allAgentPerformances(first: 50) { nodes { userId } }
      allCreditTransactions(first: 500) { nodes { userId } }
    }`);
    for (const [field, value] of Object.entries(answer)) {
      const owners = new Set((value as { nodes: Array<{ userId?: string; rowId?: string }> }).nodes.map((n) => n.userId ?? n.rowId));
      expect([...owners], field).toEqual([a.userId]);
    }
  });

  it('aggregates over calls and rollups count only A', async () => {
    const answer = await asA(`{
      allCalls { totalCount aggregates { sum { durationSeconds billedMinutes creditsUsed } distinctCount { userId agentId } } }
      allUserAnalytics { aggregates { sum { calls leadsGenerated } } }
      allAgentAnalytics { aggregates { sum { calls } distinctCount { userId } } }
      allTenantDailyStats { aggregates { sum { calls talkSeconds } distinctCount { userId } } }
      allAgentDailyStats { aggregates { sum { calls } distinctCount { userId } } }
      allLeadAnalytics { totalCount aggregates { sum { totalScore } } }
    }`);
    const { rows } = await api.db.pool.query<Record<string, string>>(
      `select (select count(*) from app_public.calls where user_id = $1)::text as calls,
              (select sum(duration_seconds) from app_public.calls where user_id = $1)::text as duration,
              (select sum(billed_minutes) from app_public.calls where user_id = $1)::text as billed,
              (select sum(credits_used) from app_public.calls where user_id = $1)::text as credits,
              (select count(distinct agent_id) from app_public.calls where user_id = $1)::text as agents,
              (select sum(calls) from app_public.user_analytics where user_id = $1)::text as rolled_calls,
              (select sum(leads_generated) from app_public.user_analytics where user_id = $1)::text as rolled_leads,
              (select sum(calls) from app_public.tenant_daily_stats where user_id = $1)::text as live_calls,
              (select sum(talk_seconds) from app_public.tenant_daily_stats where user_id = $1)::text as live_talk,
              (select count(*) from app_public.lead_analytics where user_id = $1)::text as leads,
              (select sum(total_score) from app_public.lead_analytics where user_id = $1)::text as score`,
      [a.userId],
    );
    const db = rows[0] ?? {};
    const num = (v: unknown): number => Number(v);
    const calls = answer.allCalls as { totalCount: number; aggregates: { sum: Record<string, string>; distinctCount: Record<string, string> } };
    expect(calls.totalCount).toBe(num(db.calls));
    expect([calls.aggregates.sum.durationSeconds, calls.aggregates.sum.billedMinutes, calls.aggregates.sum.creditsUsed].map(num))
      .toEqual([db.duration, db.billed, db.credits].map(num));
    expect(num(calls.aggregates.distinctCount.userId)).toBe(1);
    expect(num(calls.aggregates.distinctCount.agentId)).toBe(num(db.agents));
    const sums = (field: string): Record<string, string> => (answer[field] as { aggregates: { sum: Record<string, string> } }).aggregates.sum;
    const distinct = (field: string): Record<string, string> => (answer[field] as { aggregates: { distinctCount: Record<string, string> } }).aggregates.distinctCount;
    expect(num(sums('allUserAnalytics').calls)).toBe(num(db.rolled_calls));
    expect(num(sums('allUserAnalytics').leadsGenerated)).toBe(num(db.rolled_leads));
    expect(num(sums('allTenantDailyStats').calls)).toBe(num(db.live_calls));
    expect(num(sums('allTenantDailyStats').calls)).toBe(num(db.calls));
    expect(num(sums('allTenantDailyStats').talkSeconds)).toBe(num(db.live_talk));
    expect(num(sums('allAgentDailyStats').calls)).toBe(num(db.calls));
    for (const field of ['allAgentAnalytics', 'allTenantDailyStats', 'allAgentDailyStats']) expect(num(distinct(field).userId), field).toBe(1);
    expect((answer.allLeadAnalytics as { totalCount: number }).totalCount).toBe(num(db.leads));
    expect(num(sums('allLeadAnalytics').totalScore)).toBe(num(db.score));
  });

  it('groupedAggregates by tenant and agent show only A', async () => {
    const answer = await asA(`{
      allCalls { byUser: groupedAggregates(groupBy: USER_ID) { keys distinctCount { rowId } }
                 byAgent: groupedAggregates(groupBy: AGENT_ID) { keys } }
      allAgentDailyStats { groupedAggregates(groupBy: USER_ID) { keys sum { calls } } }
      allLeadAnalytics { groupedAggregates(groupBy: USER_ID) { keys } }
    }`);
    const calls = answer.allCalls as { byUser: Array<{ keys: string[]; distinctCount: { rowId: string } }>; byAgent: Array<{ keys: string[] }> };
    expect(calls.byUser.map((g) => g.keys)).toEqual([[a.userId]]);
    expect(Number(calls.byUser[0]?.distinctCount.rowId)).toBe(a.callIds.length);
    expect(calls.byAgent.flatMap((g) => g.keys).every((key) => a.agentIds.includes(key))).toBe(true);
    const stats = answer.allAgentDailyStats as { groupedAggregates: Array<{ keys: string[]; sum: { calls: string } }> };
    expect(stats.groupedAggregates.map((g) => g.keys)).toEqual([[a.userId]]);
    expect(Number(stats.groupedAggregates[0]?.sum.calls)).toBe(a.callIds.length);
    expect((answer.allLeadAnalytics as { groupedAggregates: Array<{ keys: string[] }> }).groupedAggregates.map((g) => g.keys)).toEqual([[a.userId]]);
  });

  it('the KPI fields with B\'s agent give zeros; the tenant-wide ones only A\'s agents and figures', async () => {
    const answer = await asA(`query ($agent: UUID!) {
      kpiSummary(fromDate: "2020-01-01", agentId: $agent) { current { calls leads talkSeconds creditsUsed } previous { calls } }
      kpiSeries(fromDate: "2020-01-01", granularity: MONTH, agentId: $agent) { figures { calls leads } }
      leadTemperature(fromDate: "2020-01-01", agentId: $agent) { value }
      ctaFunnel(fromDate: "2020-01-01", agentId: $agent) { value }
      callSourceBreakdown(fromDate: "2020-01-01", agentId: $agent) { value }
      targetsVsActuals(fromDate: "2020-01-01", agentId: $agent) { targetId }
      agentLeaderboard { agentId }
      dataFreshness { pendingRollupChanges latestCallAt }
      all: kpiSummary(fromDate: "2020-01-01") { current { calls } }
    }`, { agent: b.agentIds[0] });
    const summary = answer.kpiSummary as { current: Record<string, string>; previous: Record<string, string> };
    expect(Object.values(summary.current)).toEqual(['0', '0', '0', '0']);
    expect(summary.previous.calls).toBe('0');
    const series = answer.kpiSeries as Array<{ figures: { calls: string; leads: string } }>;
    expect(series.length).toBeGreaterThan(12);
    expect(series.every((p) => p.figures.calls === '0' && p.figures.leads === '0')).toBe(true);
    for (const field of ['leadTemperature', 'ctaFunnel', 'callSourceBreakdown']) {
      expect((answer[field] as Array<{ value: string }>).every((row) => row.value === '0'), field).toBe(true);
    }
    expect(answer.targetsVsActuals).toEqual([]);
    expect((answer.agentLeaderboard as Array<{ agentId: string }>).map((r) => r.agentId).sort()).toEqual([...a.agentIds].sort());
    const { rows } = await api.db.pool.query<{ pending: string; calls: string }>(
      `select (select count(*) from app_hidden.rollup_deltas where user_id = $1)::text as pending,
              (select count(*) from app_public.calls where user_id = $1)::text as calls`,
      [a.userId],
    );
    expect((answer.dataFreshness as { pendingRollupChanges: string }).pendingRollupChanges).toBe(rows[0]?.pending);
    expect((answer.all as { current: { calls: string } }).current.calls).toBe(rows[0]?.calls);
  });
});

/** A mutation as A that must fail: an error and no data. Returns the error's code. */
async function refused(document: string, variables: Record<string, unknown>): Promise<string | undefined> {
  const result = await api.graphql<Data>(document, variables, tokenA());
  expect(result.body.errors?.length, `${document}\n${JSON.stringify(result.body)}`).toBeGreaterThan(0);
  const [field] = Object.values(result.body.data ?? {});
  expect(field ?? null, document).toBeNull();
  return onlyError(result).code;
}

/**
 * A create / update / delete as A on a row A cannot see: either an error
 * (never an internal one) or, as PostGraphile V5 answers an update or delete
 * that matched no row, a payload without the record. Returns what happened.
 */
async function refusedOrNoop(document: string, variables: Record<string, unknown>): Promise<string> {
  const result = await api.graphql<Data>(document, variables, tokenA());
  const [payload] = Object.values(result.body.data ?? {});
  if (result.body.errors?.length) {
    expect(payload ?? null, document).toBeNull();
    return onlyError(result).code ?? 'no code';
  }
  expect(payload, document).not.toBeUndefined();
  const records = Object.entries(payload as Record<string, unknown>).filter(([key]) => key !== 'clientMutationId');
  expect(records.length, document).toBeGreaterThan(0);
  expect(records.filter(([, value]) => value !== null), `${document}: ${JSON.stringify(result.body)}`).toEqual([]);
  return 'no row';
}

const bAgent = (): string => b.agentIds[0] ?? '';
const bNode = (type: string): string => bNodes.find((n) => n.type === type)?.id ?? '';

const updatesAndDeletes = (): Array<[string, Record<string, unknown>]> => [
    ['mutation ($id: UUID!) { updateAgentByRowId(input: { rowId: $id, agentPatch: { name: "taken" } }) { agent { rowId } } }', { id: bAgent() }],
    ['mutation ($id: ID!) { updateAgent(input: { id: $id, agentPatch: { isActive: false } }) { agent { rowId } } }', { id: bNode('allAgents') }],
    ['mutation ($b: UUID!) { updateAgentByUserIdAndProviderAndProviderAgentId(input: { userId: $b, provider: "bolna", providerAgentId: "t2-agent-2", agentPatch: { name: "x" } }) { agent { rowId } } }', { b: b.userId }],
    ['mutation ($id: UUID!) { deleteAgentByRowId(input: { rowId: $id }) { agent { rowId } } }', { id: b.agentIds[1] }],
    ['mutation ($id: ID!) { deleteAgent(input: { id: $id }) { agent { rowId } } }', { id: bNode('allAgents') }],
    ['mutation ($id: UUID!) { updatePhoneNumberByRowId(input: { rowId: $id, phoneNumberPatch: { agentId: null } }) { phoneNumber { rowId } } }', { id: b.phoneNumberIds[0] }],
    ['mutation ($id: UUID!) { deletePhoneNumberByRowId(input: { rowId: $id }) { phoneNumber { rowId } } }', { id: b.phoneNumberIds[0] }],
    ['mutation ($id: UUID!) { updateContactByRowId(input: { rowId: $id, contactPatch: { name: "x" } }) { contact { rowId } } }', { id: b.contactIds[0] }],
    ['mutation ($b: UUID!, $p: String!) { updateContactByUserIdAndPhoneNumber(input: { userId: $b, phoneNumber: $p, contactPatch: { notes: "x" } }) { contact { rowId } } }', { b: b.userId, p: bContactPhone }],
    ['mutation ($id: UUID!) { deleteContactByRowId(input: { rowId: $id }) { contact { rowId } } }', { id: b.contactIds[1] }],
    ['mutation ($id: UUID!) { updateFollowUpByRowId(input: { rowId: $id, followUpPatch: { status: "completed" } }) { followUp { rowId } } }', { id: b.followUpIds[0] }],
    ['mutation ($id: UUID!) { deleteFollowUpByRowId(input: { rowId: $id }) { followUp { rowId } } }', { id: b.followUpIds[0] }],
    ['mutation ($id: UUID!) { updateCustomerByRowId(input: { rowId: $id, customerPatch: { status: "churned" } }) { customer { rowId } } }', { id: b.customerIds[0] }],
    ['mutation ($b: UUID!, $r: String!) { deleteCustomerByUserIdAndReference(input: { userId: $b, reference: $r }) { customer { rowId } } }', { b: b.userId, r: bCustomerReference }],
    ['mutation ($id: UUID!) { updateAgentTargetByRowId(input: { rowId: $id, agentTargetPatch: { targetCalls: 1 } }) { agentTarget { rowId } } }', { id: b.targetIds[0] }],
    ['mutation ($id: UUID!) { deleteAgentTargetByRowId(input: { rowId: $id }) { agentTarget { rowId } } }', { id: b.targetIds[0] }],
    ['mutation ($id: UUID!) { updateLeadAnalyticByRowId(input: { rowId: $id, leadAnalyticPatch: { isRead: true } }) { leadAnalytic { rowId } } }', { id: bLeadIds[0] }],
    ['mutation ($id: UUID!) { updateUserByRowId(input: { rowId: $id, userPatch: { timezone: "UTC", name: "taken" } }) { user { rowId } } }', { id: b.userId }],
    ['mutation ($e: String!) { updateUserByEmail(input: { email: $e, userPatch: { name: "taken" } }) { user { rowId } } }', { e: bEmail }],
    ['mutation ($id: ID!) { updateUser(input: { id: $id, userPatch: { timezone: "UTC" } }) { user { rowId } } }', { id: bNode('currentTenant') }],
];

describe('writing B\'s rows', () => {
  it('updates and deletes of B\'s rows by row id, node id or unique key change nothing', async () => {
    for (const [document, variables] of updatesAndDeletes()) await refusedOrNoop(document, variables);
    expect(await fingerprint(b.userId)).toBe(bFingerprint);
    expect(await fingerprint(a.userId)).toBe(aFingerprint);
  });

  it('and answer as for a row that does not exist (no row, or NOT_FOUND), never INTERNAL_ERROR', async () => {
    const outcomes: string[] = [];
    for (const [document, variables] of updatesAndDeletes()) {
      const outcome = await refusedOrNoop(document, variables);
      if (!['no row', 'NOT_FOUND'].includes(outcome)) outcomes.push(`${outcome}: ${document.replace(/\{ [a-zA-Z]+ \{ rowId \} \}/, '')}`);
    }
    expect(outcomes).toEqual([]);
  });

  it('the custom mutations on B\'s rows answer NOT_FOUND and change nothing', async () => {
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['mutation ($id: UUID!) { completeFollowUp(input: { followUpId: $id, remark: "done" }) { result { rowId } } }', { id: b.followUpIds[0] }],
      ['mutation ($id: UUID!) { cancelFollowUp(input: { followUpId: $id }) { result { rowId } } }', { id: b.followUpIds[1] }],
      ['mutation ($id: UUID!) { markNotificationRead(input: { leadAnalyticId: $id, isRead: true }) { result { rowId } } }', { id: bLeadIds[0] }],
      ['mutation ($id: UUID!) { revokeApiKey(input: { keyId: $id }) { result { rowId } } }', { id: bNodes.find((n) => n.type === 'allApiKeys')?.rowId }],
    ];
    for (const [document, variables] of attempts) expect(await refused(document, variables), document).toBe('NOT_FOUND');
    expect(await fingerprint(b.userId)).toBe(bFingerprint);
  });

  it('markAllNotificationsRead marks only A\'s', async () => {
    const unread = async (userId: string): Promise<number> => {
      const { rows } = await api.db.pool.query<{ n: string }>(
        `select count(*)::text as n from app_public.lead_analytics where user_id = $1 and smart_notification is not null and not is_read`,
        [userId],
      );
      return Number(rows[0]?.n);
    };
    const before = await unread(a.userId);
    expect(before).toBeGreaterThan(0);
    expect(await unread(b.userId)).toBeGreaterThan(0);
    const answer = await asA('mutation { markAllNotificationsRead(input: {}) { result } }');
    expect((answer.markAllNotificationsRead as { result: number }).result).toBe(before);
    expect(await unread(a.userId)).toBe(0);
    expect(await fingerprint(b.userId)).toBe(bFingerprint);
    aFingerprint = await fingerprint(a.userId);
  });

  it('creating rows for B or pointing at B\'s rows is refused and stores nothing', async () => {
    const attempts: Array<[string, Record<string, unknown>, string]> = [
      ['mutation ($b: UUID!) { createAgent(input: { agent: { userId: $b, providerAgentId: "planted-1", name: "Planted" } }) { agent { rowId } } }', { b: b.userId }, 'FORBIDDEN'],
      ['mutation ($b: UUID!) { createContact(input: { contact: { userId: $b, phoneNumber: "+15550009999" } }) { contact { rowId } } }', { b: b.userId }, 'FORBIDDEN'],
      ['mutation ($b: UUID!) { createFollowUp(input: { followUp: { userId: $b, leadPhone: "+15550009999", followUpDate: "2030-01-01" } }) { followUp { rowId } } }', { b: b.userId }, 'FORBIDDEN'],
      ['mutation ($b: UUID!) { createCustomer(input: { customer: { userId: $b, name: "Planted" } }) { customer { rowId } } }', { b: b.userId }, 'FORBIDDEN'],
      ['mutation ($b: UUID!, $agent: UUID!) { createAgentTarget(input: { agentTarget: { userId: $b, agentId: $agent, periodType: "month", periodStart: "2030-01-01" } }) { agentTarget { rowId } } }', { b: b.userId, agent: bAgent() }, 'FORBIDDEN'],
      ['mutation ($agent: UUID!) { createAgentTarget(input: { agentTarget: { agentId: $agent, periodType: "month", periodStart: "2030-01-01" } }) { agentTarget { rowId } } }', { agent: bAgent() }, 'INVALID_REFERENCE'],
      ['mutation ($agent: UUID!) { createPhoneNumber(input: { phoneNumber: { agentId: $agent, phoneNumber: "+15550008888" } }) { phoneNumber { rowId } } }', { agent: bSpareAgent }, 'INVALID_REFERENCE'],
      ['mutation ($c: UUID!) { createFollowUp(input: { followUp: { contactId: $c, leadPhone: "+15550009999", followUpDate: "2030-01-01" } }) { followUp { rowId } } }', { c: b.contactIds[0] }, 'INVALID_REFERENCE'],
      ['mutation ($c: UUID!) { createCustomer(input: { customer: { contactId: $c, name: "Planted" } }) { customer { rowId } } }', { c: b.contactIds[0] }, 'INVALID_REFERENCE'],
    ];
    for (const [document, variables, code] of attempts) expect(await refused(document, variables), document).toBe(code);
    expect(await fingerprint(b.userId)).toBe(bFingerprint);
    expect(await fingerprint(a.userId)).toBe(aFingerprint);
  });
});

describe("members of another business (A's manager and viewer)", () => {
  const members: Record<'manager' | 'viewer', string> = { manager: '', viewer: '' };

  beforeAll(async () => {
    for (const role of ['manager', 'viewer'] as const) {
      const { rows } = await api.db.pool.query<{ id: string }>(
        `insert into app_public.members (user_id, email, name, role) values ($1, $2, $3, $4) returning id`,
        [a.userId, `${role}@tenant-a.example.com`, `A's ${role}`, role],
      );
      members[role] = rows[0]?.id ?? '';
    }
  });

  afterEach(() => {
    attacker = undefined;
  });

  for (const role of ['manager', 'viewer'] as const) {
    it(`${role}: B's rows by global id and row id are null, and B's members are invisible`, async () => {
      attacker = api.tokenFor(a.userId, MEMBER_TOKEN_ROLES[role], members[role]);
      // API keys are owner-only: a member cannot read any (FORBIDDEN), B's or A's.
      const answers = await batched(bNodes.filter((node) => node.type !== 'allApiKeys'), (node, alias) => `${alias}: node(id: "${node.id}") { id }`);
      const keys = await api.graphql<Data>(`{ allApiKeys(first: 10) { nodes { rowId } } }`, {}, tokenA());
      expect(onlyError(keys).code).toBe('FORBIDDEN');
      expect(Object.values(answers).filter((value) => value !== null)).toEqual([]);
      const listed = await asA(`{ allMembers(first: 50) { nodes { userId } } currentMember { role } }`);
      expect(listed.currentMember).toEqual({ role });
      expect((listed.allMembers as { nodes: Array<{ userId: string }> }).nodes.every((node) => node.userId === a.userId)).toBe(true);
    });

    it(`${role}: updates, deletes and custom mutations of B's rows change nothing`, async () => {
      attacker = api.tokenFor(a.userId, MEMBER_TOKEN_ROLES[role], members[role]);
      for (const [document, variables] of updatesAndDeletes()) await refusedOrNoop(document, variables);
      const bMember = await api.db.pool.query<{ id: string }>(`select id from app_public.members where user_id = $1 limit 1`, [b.userId]);
      for (const [document, variables] of [
        ['mutation ($id: UUID!) { completeFollowUp(input: { followUpId: $id, remark: "done" }) { result { rowId } } }', { id: b.followUpIds[0] }],
        ['mutation ($id: UUID!) { setMemberRole(input: { memberId: $id, role: "viewer" }) { result { rowId } } }', { id: bMember.rows[0]?.id }],
        ['mutation ($id: UUID!) { removeMember(input: { memberId: $id }) { result { rowId } } }', { id: bMember.rows[0]?.id }],
        ['mutation ($id: UUID!) { issuePasswordReset(input: { memberId: $id }) { result } }', { id: bMember.rows[0]?.id }],
        ['mutation ($b: UUID!) { createAgent(input: { agent: { userId: $b, providerAgentId: "planted-m", name: "Planted" } }) { agent { rowId } } }', { b: b.userId }],
      ] as const) {
        const result = await api.graphql<Data>(document, variables, tokenA());
        expect(result.body.errors?.length, document).toBeGreaterThan(0);
        expect(['NOT_FOUND', 'FORBIDDEN', 'READ_ONLY_MEMBER'], document).toContain(onlyError(result).code);
      }
      expect(await fingerprint(b.userId)).toBe(bFingerprint);
      expect((await api.db.pool.query(`select 1 from app_public.members where user_id = $1`, [b.userId])).rowCount).toBe(1);
    });
  }
});

describe('callers without a tenant', () => {
  const READS = `{
    allAgents(first: 10) { totalCount nodes { rowId } }
    allCalls(first: 10) { totalCount }
    allUsers(first: 10) { totalCount }
    allLeadAnalytics(first: 10) { totalCount }
    allTenantKpiSummaries(first: 10) { totalCount }
    allUserAnalytics(first: 10) { totalCount }
  }`;

  /** Every list in the answer is empty or refused (an error with no data). */
  function nothingIn(result: HttpResult<GraphqlBody<Data>>): void {
    expect(result.status).toBe(200);
    for (const [field, value] of Object.entries(result.body.data ?? {})) {
      if (value !== null) expect((value as { totalCount: number }).totalCount, field).toBe(0);
    }
    const codes = (result.body.errors ?? []).map((e) => e.extensions?.code);
    expect(codes.filter((c) => c !== 'FORBIDDEN')).toEqual([]);
  }

  it('anonymous: no rows, no KPIs, no node, no writes', async () => {
    nothingIn(await api.graphql<Data>(READS));
    const node = await api.graphql<Data>(`query ($id: ID!) { node(id: $id) { id } }`, { id: bNodes[1]?.id });
    expect(node.body.data?.node ?? null).toBeNull();
    const me = await api.graphql<Data>(`{ currentTenant { rowId } currentUserId }`);
    expect(me.body.data?.currentTenant ?? null).toBeNull();
    expect(me.body.data?.currentUserId ?? null).toBeNull();
    const kpis = await api.graphql<Data>(`{ kpiSummary { current { calls } } }`);
    expect(kpis.body.data?.kpiSummary ?? null).toBeNull();
    expect(onlyError(kpis).code).toBe('FORBIDDEN');
    const write = await api.graphql<Data>(`mutation ($b: UUID!) { createAgent(input: { agent: { userId: $b, providerAgentId: "anon-1", name: "Anon" } }) { agent { rowId } } }`, { b: b.userId });
    expect(onlyError(write).code).toBe('FORBIDDEN');
    expect(await fingerprint(b.userId)).toBe(bFingerprint);
  });

  it('a valid JWT for a user that does not exist: refused (no such login, MEMBERSHIP_REVOKED), nothing written', async () => {
    const token = api.tokenFor(NOBODY);
    for (const document of [
      READS,
      `{ currentTenant { rowId } }`,
      `mutation { createAgent(input: { agent: { providerAgentId: "ghost-1", name: "Ghost" } }) { agent { rowId } } }`,
      `mutation { createApiKey(input: { name: "ghost" }) { result { secret } } }`,
    ]) {
      const result = await api.graphql<Data>(document, {}, token);
      expect(result.status, document).toBe(401);
      expect(result.body.data ?? null).toBeNull();
      expect(onlyError(result).code).toBe('MEMBERSHIP_REVOKED');
    }
    const { rows } = await api.db.pool.query<{ n: string }>(
      `select ((select count(*) from app_public.agents where provider_agent_id = 'ghost-1')
             + (select count(*) from app_public.api_keys where name = 'ghost'))::text as n`,
    );
    expect(rows[0]?.n).toBe('0');
  });
});

describe('a platform admin', () => {
  it('reads every tenant\'s agents (by design) but only its own calls, and cannot change another tenant\'s rows', async () => {
    const token = api.tokenFor(admin.userId, 'app_admin');
    const answer = okData(await api.graphql<Data>(`{
      allAgents(first: 50) { nodes { userId } }
      allCalls(first: 500) { totalCount nodes { userId } }
      allContacts(first: 500) { nodes { userId } }
      allLeadAnalytics(first: 500) { nodes { userId } }
    }`, {}, token));
    const owners = (field: string): Set<unknown> => new Set((answer[field] as { nodes: Array<{ userId: string }> }).nodes.map((n) => n.userId));
    expect(owners('allAgents')).toEqual(new Set([a.userId, b.userId, admin.userId]));
    for (const field of ['allCalls', 'allContacts', 'allLeadAnalytics']) expect(owners(field), field).toEqual(new Set([admin.userId]));
    const write = await api.graphql<Data>(
      'mutation ($id: UUID!) { updateAgentByRowId(input: { rowId: $id, agentPatch: { name: "taken" } }) { agent { rowId } } }',
      { id: b.agentIds[0] },
      token,
    );
    expect(write.body.data?.updateAgentByRowId ?? null, JSON.stringify(write.body)).toEqual(write.body.errors ? null : { agent: null });
    expect(await fingerprint(b.userId)).toBe(bFingerprint);
  });
});
