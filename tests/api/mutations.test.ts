/**
 * The mutations users need, over real HTTP as the tenant's JWT, checked in the
 * database: agents and phone numbers CRUD, contacts, follow-ups (complete /
 * cancel stamp who and when), customers (CUST-YYYY-NNNN per tenant and
 * tenant-local year), agent targets, smart notifications read / unread, the
 * tenant's own settings (a time zone change rebuilds the rollups: verification
 * is clean and every KPI moves to the new local days, as the oracle says), and
 * constraint violations answered with a clear code and nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../helpers/api.ts';
import { errorCode, okData, onlyError } from '../helpers/graphql-result.ts';
import { seedKpiDataset, type KpiDataset, type KpiTenant } from '../helpers/kpi-dataset.ts';
import { addDays, hourlyMatrix, leaderboard, loadSnapshot, normalise, series, summary } from '../helpers/kpi-oracle.ts';
import { seedTenant, type Tenant } from '../helpers/tenants.ts';

let api: ApiServer;
let tenant: Tenant;
let kpis: KpiDataset;

beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  const client = await api.db.pool.connect();
  try {
    tenant = await seedTenant(client, { tag: 1, name: 'Mutator', timezone: 'Asia/Kolkata' });
  } finally {
    client.release();
  }
  kpis = await seedKpiDataset(api.db.pool);
});

afterAll(async () => {
  await api?.close();
});

type Data = Record<string, unknown>;

const token = (): string => api.tokenFor(tenant.userId);

async function mutate<T = Data>(document: string, variables: Record<string, unknown> = {}, as = token()): Promise<T> {
  return okData(await api.graphql<T>(document, variables, as)) as T;
}

async function one<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await api.db.pool.query<T>(sql, params);
  const [row] = rows;
  if (!row) throw new Error(`no row: ${sql}`);
  return row;
}

async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
  return Number((await one<{ n: string }>(`select count(*)::text as n from ${table} where user_id = $1 and (${where})`, [tenant.userId, ...params])).n);
}

/** A refused mutation: one error with `code`, no data, and the table's row count unchanged. */
async function expectRefused(table: string, document: string, variables: Record<string, unknown>, code: string): Promise<Record<string, unknown>> {
  const before = await count(table);
  const result = await api.graphql<Data>(document, variables, token());
  const error = onlyError(result);
  expect(error.code, `${document}: ${error.message}`).toBe(code);
  expect(Object.values(result.body.data ?? {}).every((v) => v === null)).toBe(true);
  expect(JSON.stringify(result.body)).not.toMatch(/insert into|update app_|violates|app_public\./i);
  expect(await count(table)).toBe(before);
  return error.extensions;
}

// --- agents and phone numbers -----------------------------------------------------------------

const CREATE_AGENT = `mutation ($agent: AgentInput!) { createAgent(input: { agent: $agent }) { agent { rowId userId provider providerAgentId name isActive config } } }`;

describe('agents', () => {
  it('create, update (by row id and by node id), delete', async () => {
    const created = await mutate<{ createAgent: { agent: Data & { rowId: string } } }>(CREATE_AGENT, {
      agent: { providerAgentId: 'crud-agent-1', name: 'Nadia', config: { voice: 'alloy', language: 'en' } },
    });
    const agent = created.createAgent.agent;
    expect(agent).toMatchObject({ userId: tenant.userId, provider: 'bolna', providerAgentId: 'crud-agent-1', name: 'Nadia', isActive: true, config: { voice: 'alloy', language: 'en' } });

    const updated = await mutate<{ updateAgentByRowId: { agent: Data } }>(
      `mutation ($id: UUID!) { updateAgentByRowId(input: { rowId: $id, agentPatch: { name: "Nadia II", isActive: false } }) { agent { id name isActive } } }`,
      { id: agent.rowId },
    );
    expect(updated.updateAgentByRowId.agent).toMatchObject({ name: 'Nadia II', isActive: false });
    await mutate(`mutation ($id: ID!) { updateAgent(input: { id: $id, agentPatch: { description: "night shift" } }) { agent { rowId } } }`,
      { id: updated.updateAgentByRowId.agent.id });
    expect(await one(`select name, is_active, description, user_id from app_public.agents where id = $1`, [agent.rowId]))
      .toEqual({ name: 'Nadia II', is_active: false, description: 'night shift', user_id: tenant.userId });

    const deleted = await mutate<{ deleteAgentByRowId: { agent: { rowId: string } } }>(
      `mutation ($id: UUID!) { deleteAgentByRowId(input: { rowId: $id }) { agent { rowId } } }`, { id: agent.rowId });
    expect(deleted.deleteAgentByRowId.agent.rowId).toBe(agent.rowId);
    expect(await count('app_public.agents', 'id = $2', [agent.rowId])).toBe(0);
  });

  it('an agent with call history cannot be deleted (AGENT_HAS_HISTORY); deactivating it works', async () => {
    const id = tenant.agentIds[0];
    await expectRefused('app_public.agents', `mutation ($id: UUID!) { deleteAgentByRowId(input: { rowId: $id }) { agent { rowId } } }`, { id }, 'AGENT_HAS_HISTORY');
    await mutate(`mutation ($id: UUID!) { updateAgentByRowId(input: { rowId: $id, agentPatch: { isActive: false } }) { agent { rowId } } }`, { id });
    expect((await one<{ active: boolean }>(`select is_active as active from app_public.agents where id = $1`, [id])).active).toBe(false);
  });

  it.each([
    ['a taken provider id', { providerAgentId: 't1-agent-1', name: 'Twin' }, 'ALREADY_EXISTS'],
    ['an unknown provider', { providerAgentId: 'x-1', name: 'Skype', provider: 'skype' }, 'CHECK_VIOLATION'],
    ['an empty name', { providerAgentId: 'x-2', name: '' }, 'CHECK_VIOLATION'],
    ['an explicit null provider', { providerAgentId: 'x-3', name: 'Null', provider: null }, 'REQUIRED_FIELD'],
  ])('%s: %s', async (_, agent, code) => {
    const extensions = await expectRefused('app_public.agents', CREATE_AGENT, { agent }, code);
    if (code === 'ALREADY_EXISTS') expect(extensions.field).toBe('providerAgentId');
    if (code === 'REQUIRED_FIELD') expect(extensions.field).toBe('provider');
  });
});

describe('phone numbers', () => {
  const CREATE = `mutation ($p: PhoneNumberInput!) { createPhoneNumber(input: { phoneNumber: $p }) { phoneNumber { rowId userId agentId phoneNumber isActive } } }`;

  it('assign to an agent, refuse duplicates, unassign and deactivate, reuse the number, delete', async () => {
    const agent = (await mutate<{ createAgent: { agent: { rowId: string } } }>(CREATE_AGENT, { agent: { providerAgentId: 'phone-agent', name: 'Lines' } })).createAgent.agent.rowId;
    const created = (await mutate<{ createPhoneNumber: { phoneNumber: Data & { rowId: string } } }>(CREATE, { p: { agentId: agent, phoneNumber: '+14155550100', name: 'Main' } })).createPhoneNumber.phoneNumber;
    expect(created).toMatchObject({ userId: tenant.userId, agentId: agent, phoneNumber: '+14155550100', isActive: true });

    await expectRefused('app_public.phone_numbers', CREATE, { p: { phoneNumber: '+14155550100' } }, 'ALREADY_EXISTS');
    await expectRefused('app_public.phone_numbers', CREATE, { p: { agentId: agent, phoneNumber: '+14155550101' } }, 'ALREADY_EXISTS');
    const rule = await expectRefused('app_public.phone_numbers', CREATE, { p: { phoneNumber: '0415 555 0100' } }, 'CHECK_VIOLATION');
    expect(rule.rule).toBe('phone_numbers_e164');

    await mutate(`mutation ($id: UUID!) { updatePhoneNumberByRowId(input: { rowId: $id, phoneNumberPatch: { agentId: null, isActive: false } }) { phoneNumber { rowId } } }`, { id: created.rowId });
    expect(await one(`select agent_id, is_active from app_public.phone_numbers where id = $1`, [created.rowId])).toEqual({ agent_id: null, is_active: false });
    // An inactive number no longer blocks the number or the agent.
    const again = (await mutate<{ createPhoneNumber: { phoneNumber: { rowId: string } } }>(CREATE, { p: { agentId: agent, phoneNumber: '+14155550100' } })).createPhoneNumber.phoneNumber;
    await mutate(`mutation ($id: UUID!) { deletePhoneNumberByRowId(input: { rowId: $id }) { phoneNumber { rowId } } }`, { id: again.rowId });
    expect(await count('app_public.phone_numbers', 'id = $2', [again.rowId])).toBe(0);
  });
});

// --- contacts, follow-ups, customers -------------------------------------------------------------

describe('contacts', () => {
  const CREATE = `mutation ($c: ContactInput!) { createContact(input: { contact: $c }) { contact { rowId userId phoneNumber name email isCustomer isAutoCreated } } }`;

  it('create, update, delete; a second contact with the same number is refused', async () => {
    const contact = (await mutate<{ createContact: { contact: Data & { rowId: string } } }>(CREATE, { c: { phoneNumber: '+919800000001', name: 'Ravi', email: 'ravi@example.in' } })).createContact.contact;
    expect(contact).toMatchObject({ userId: tenant.userId, phoneNumber: '+919800000001', name: 'Ravi', isCustomer: false, isAutoCreated: false });
    const extensions = await expectRefused('app_public.contacts', CREATE, { c: { phoneNumber: '+919800000001' } }, 'ALREADY_EXISTS');
    expect(extensions.field).toBe('phoneNumber');
    await expectRefused('app_public.contacts', CREATE, { c: { phoneNumber: 'ravi' } }, 'CHECK_VIOLATION');
    await mutate(`mutation ($id: UUID!) { updateContactByRowId(input: { rowId: $id, contactPatch: { company: "Acme", isCustomer: true } }) { contact { rowId } } }`, { id: contact.rowId });
    expect(await one(`select company, is_customer from app_public.contacts where id = $1`, [contact.rowId])).toEqual({ company: 'Acme', is_customer: true });
    await mutate(`mutation ($id: UUID!) { deleteContactByRowId(input: { rowId: $id }) { contact { rowId } } }`, { id: contact.rowId });
    expect(await count('app_public.contacts', 'id = $2', [contact.rowId])).toBe(0);
  });
});

describe('follow-ups', () => {
  const CREATE = `mutation ($f: FollowUpInput!) { createFollowUp(input: { followUp: $f }) { followUp { rowId status createdBy completedAt } } }`;
  const FIELDS = 'rowId status remark completedAt completedBy';

  async function create(remark: string | null = 'call back'): Promise<string> {
    const f = (await mutate<{ createFollowUp: { followUp: { rowId: string; status: string; createdBy: string; completedAt: null } } }>(CREATE, {
      f: { contactId: tenant.contactIds[0], leadPhone: '+15551000000', leadName: 'Lead', followUpDate: '2030-05-01', remark },
    })).createFollowUp.followUp;
    expect(f).toMatchObject({ status: 'pending', createdBy: tenant.userId, completedAt: null });
    return f.rowId;
  }

  it('complete stamps when and by whom (and the remark); reopening clears the stamps', async () => {
    const id = await create();
    const done = (await mutate<{ completeFollowUp: { result: Data } }>(`mutation ($id: UUID!) { completeFollowUp(input: { followUpId: $id, remark: "spoke to them" }) { result { ${FIELDS} } } }`, { id })).completeFollowUp.result;
    expect(done).toMatchObject({ rowId: id, status: 'completed', remark: 'spoke to them', completedBy: tenant.userId });
    expect(typeof done.completedAt).toBe('string');
    const stored = await one<{ status: string; completed_by: string; stamped: boolean }>(
      `select status, completed_by, completed_at between now() - interval '1 hour' and now() as stamped from app_public.follow_ups where id = $1`, [id]);
    expect(stored).toEqual({ status: 'completed', completed_by: tenant.userId, stamped: true });

    const reopened = (await mutate<{ updateFollowUpByRowId: { followUp: Data } }>(`mutation ($id: UUID!) { updateFollowUpByRowId(input: { rowId: $id, followUpPatch: { status: "pending" } }) { followUp { ${FIELDS} } } }`, { id })).updateFollowUpByRowId.followUp;
    expect(reopened).toMatchObject({ status: 'pending', completedAt: null, completedBy: null, remark: 'spoke to them' });
  });

  it('complete without a remark keeps the old one; completing twice keeps the first stamp', async () => {
    const id = await create('original remark');
    const first = (await mutate<{ completeFollowUp: { result: Data } }>(`mutation ($id: UUID!) { completeFollowUp(input: { followUpId: $id }) { result { ${FIELDS} } } }`, { id })).completeFollowUp.result;
    expect(first.remark).toBe('original remark');
    const second = (await mutate<{ completeFollowUp: { result: Data } }>(`mutation ($id: UUID!) { completeFollowUp(input: { followUpId: $id }) { result { ${FIELDS} } } }`, { id })).completeFollowUp.result;
    expect(second.completedAt).toBe(first.completedAt);
  });

  it('cancel sets the status and no completion stamp', async () => {
    const id = await create();
    const cancelled = (await mutate<{ cancelFollowUp: { result: Data } }>(`mutation ($id: UUID!) { cancelFollowUp(input: { followUpId: $id, remark: "not interested" }) { result { ${FIELDS} } } }`, { id })).cancelFollowUp.result;
    expect(cancelled).toMatchObject({ status: 'cancelled', remark: 'not interested', completedAt: null, completedBy: null });
    expect(await one(`select status, completed_at from app_public.follow_ups where id = $1`, [id])).toEqual({ status: 'cancelled', completed_at: null });
  });

  it('a follow-up that does not exist is NOT_FOUND; a bad status or phone is refused', async () => {
    const missing = await api.graphql(`mutation { completeFollowUp(input: { followUpId: "0190a4a0-0000-7000-8000-00000000dead" }) { result { rowId } } }`, {}, token());
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const id = await create();
    const before = await one(`select status, remark from app_public.follow_ups where id = $1`, [id]);
    const bad = await api.graphql(`mutation ($id: UUID!) { updateFollowUpByRowId(input: { rowId: $id, followUpPatch: { status: "done" } }) { followUp { rowId } } }`, { id }, token());
    expect(errorCode(bad)).toBe('CHECK_VIOLATION');
    expect(await one(`select status, remark from app_public.follow_ups where id = $1`, [id])).toEqual(before);
    const rule = await expectRefused('app_public.follow_ups', CREATE, { f: { leadPhone: 'tomorrow', followUpDate: '2030-01-01' } }, 'CHECK_VIOLATION');
    expect(rule.rule).toBe('follow_ups_e164');
  });
});

describe('customers', () => {
  const CREATE = `mutation ($c: CustomerInput!) { createCustomer(input: { customer: $c }) { customer { rowId reference userId } } }`;

  it('references are CUST-<tenant-local year>-NNNN, numbered per tenant and year', async () => {
    const year = Number((await one<{ y: number }>(`select extract(year from now() at time zone 'Asia/Kolkata')::int as y`)).y);
    // seedTenant made one customer this year already.
    const refs: string[] = [];
    for (const name of ['Second', 'Third']) {
      refs.push((await mutate<{ createCustomer: { customer: { reference: string } } }>(CREATE, { c: { name } })).createCustomer.customer.reference);
    }
    expect(refs).toEqual([`CUST-${year}-0002`, `CUST-${year}-0003`]);
    // 20:00 UTC on New Year's Eve is already the next year in Kolkata (UTC+05:30).
    const nye = (await mutate<{ createCustomer: { customer: { reference: string } } }>(CREATE, { c: { name: 'Party', conversionDate: '2023-12-31T20:00:00Z' } })).createCustomer.customer.reference;
    expect(nye).toBe('CUST-2024-0001');
    const before = (await mutate<{ createCustomer: { customer: { reference: string } } }>(CREATE, { c: { name: 'Early', conversionDate: '2023-12-31T12:00:00Z' } })).createCustomer.customer.reference;
    expect(before).toBe('CUST-2023-0001');
    // Another tenant's numbering is its own.
    const other = kpis.tenants[0];
    if (!other) throw new Error('no other tenant');
    const theirs = okData(await api.graphql<{ createCustomer: { customer: { reference: string; userId: string } } }>(CREATE, { c: { name: 'Theirs', conversionDate: '2023-12-31T12:00:00Z' } }, api.tokenFor(other.userId)));
    expect(theirs.createCustomer.customer).toEqual({ reference: 'CUST-2023-0001', userId: other.userId, rowId: expect.any(String) });
  });

  it('update and delete; a bad status or phone is refused', async () => {
    const id = (await mutate<{ createCustomer: { customer: { rowId: string } } }>(CREATE, { c: { name: 'Mutable', phone: '+15552220000' } })).createCustomer.customer.rowId;
    await mutate(`mutation ($id: UUID!) { updateCustomerByRowId(input: { rowId: $id, customerPatch: { status: "churned", notes: "moved away" } }) { customer { rowId } } }`, { id });
    expect(await one(`select status, notes from app_public.customers where id = $1`, [id])).toEqual({ status: 'churned', notes: 'moved away' });
    await expectRefused('app_public.customers', CREATE, { c: { name: 'Bad', status: 'vip' } }, 'CHECK_VIOLATION');
    await expectRefused('app_public.customers', CREATE, { c: { name: 'Bad', phone: '12' } }, 'CHECK_VIOLATION');
    await mutate(`mutation ($id: UUID!) { deleteCustomerByRowId(input: { rowId: $id }) { customer { rowId } } }`, { id });
    expect(await count('app_public.customers', 'id = $2', [id])).toBe(0);
  });
});

// --- targets ------------------------------------------------------------------------------------------

describe('agent targets', () => {
  const CREATE = `mutation ($t: AgentTargetInput!) { createAgentTarget(input: { agentTarget: $t }) { agentTarget { rowId userId periodType periodStart targetCalls targetSuccessRate } } }`;

  it('create (aligned periods only, one per agent and period), update, see it in targetsVsActuals, delete', async () => {
    const agentId = tenant.agentIds[1];
    const monday = '2030-01-07';
    const created = (await mutate<{ createAgentTarget: { agentTarget: Data & { rowId: string } } }>(CREATE, {
      t: { agentId, periodType: 'week', periodStart: monday, targetCalls: 50, targetSuccessRate: '0.5' },
    })).createAgentTarget.agentTarget;
    expect(normalise(created)).toMatchObject({ userId: tenant.userId, periodType: 'week', periodStart: monday, targetCalls: '50', targetSuccessRate: '0.5' });

    const misaligned = await expectRefused('app_public.agent_targets', CREATE, { t: { agentId, periodType: 'week', periodStart: '2030-01-08' } }, 'CHECK_VIOLATION');
    expect(misaligned.rule).toBe('agent_targets_period_aligned');
    await expectRefused('app_public.agent_targets', CREATE, { t: { agentId, periodType: 'week', periodStart: monday } }, 'ALREADY_EXISTS');
    await expectRefused('app_public.agent_targets', CREATE, { t: { agentId, periodType: 'year', periodStart: '2030-01-01' } }, 'CHECK_VIOLATION');
    await expectRefused('app_public.agent_targets', CREATE, { t: { agentId, periodType: 'month', periodStart: '2030-02-01', targetSuccessRate: '1.5' } }, 'CHECK_VIOLATION');

    await mutate(`mutation ($id: UUID!) { updateAgentTargetByRowId(input: { rowId: $id, agentTargetPatch: { targetCalls: 80 } }) { agentTarget { rowId } } }`, { id: created.rowId });
    const progress = okData(await api.graphql<{ targetsVsActuals: Array<{ targetId: string; targetCalls: number; actualCalls: string; periodEnd: string }> }>(
      `{ targetsVsActuals(fromDate: "2030-01-01", toDate: "2030-01-31") { targetId targetCalls actualCalls periodEnd } }`, {}, token()));
    expect(progress.targetsVsActuals).toEqual([{ targetId: created.rowId, targetCalls: 80, actualCalls: '0', periodEnd: '2030-01-14' }]);

    await mutate(`mutation ($id: UUID!) { deleteAgentTargetByRowId(input: { rowId: $id }) { agentTarget { rowId } } }`, { id: created.rowId });
    expect(await count('app_public.agent_targets', 'id = $2', [created.rowId])).toBe(0);
  });
});

// --- notifications ------------------------------------------------------------------------------------

describe('smart notifications', () => {
  const unread = (): Promise<number> => count('app_public.lead_analytics', `analysis_type = 'individual' and not is_read`);
  const deltas = async (): Promise<number> => count('app_hidden.rollup_deltas');

  it('markNotificationRead marks one read and unread again; markAllNotificationsRead the rest; no KPI changes', async () => {
    const { id } = await one<{ id: string }>(
      `select id from app_public.lead_analytics where user_id = $1 and analysis_type = 'individual' and not is_read order by id limit 1`, [tenant.userId]);
    const total = await unread();
    expect(total).toBeGreaterThan(1);
    const pending = await deltas();
    const MARK = `mutation ($id: UUID!, $read: Boolean) { markNotificationRead(input: { leadAnalyticId: $id, isRead: $read }) { result { rowId isRead } } }`;
    expect((await mutate<{ markNotificationRead: { result: Data } }>(MARK, { id, read: true })).markNotificationRead.result).toEqual({ rowId: id, isRead: true });
    expect(await unread()).toBe(total - 1);
    expect((await mutate<{ markNotificationRead: { result: Data } }>(MARK, { id, read: false })).markNotificationRead.result).toEqual({ rowId: id, isRead: false });
    expect(await unread()).toBe(total);
    // isRead defaults to true
    expect((await mutate<{ markNotificationRead: { result: Data } }>(`mutation ($id: UUID!) { markNotificationRead(input: { leadAnalyticId: $id }) { result { isRead } } }`, { id })).markNotificationRead.result).toEqual({ isRead: true });

    const all = await mutate<{ markAllNotificationsRead: { result: number } }>(`mutation { markAllNotificationsRead(input: {}) { result } }`);
    expect(all.markAllNotificationsRead.result).toBe(total - 1);
    expect(await unread()).toBe(0);
    expect((await mutate<{ markAllNotificationsRead: { result: number } }>(`mutation { markAllNotificationsRead(input: {}) { result } }`)).markAllNotificationsRead.result).toBe(0);
    // Reading a notification is not a change to any KPI.
    expect(await deltas()).toBe(pending);
  });

  it('an analysis that does not exist is NOT_FOUND', async () => {
    const result = await api.graphql(`mutation { markNotificationRead(input: { leadAnalyticId: "0190a4a0-0000-7000-8000-00000000beef" }) { result { rowId } } }`, {}, token());
    expect(errorCode(result)).toBe('NOT_FOUND');
  });
});

// --- the tenant's own settings ----------------------------------------------------------------------------

describe('tenant settings', () => {
  const UPDATE_ME = `mutation ($id: UUID!, $patch: UserPatch!) { updateUserByRowId(input: { rowId: $id, userPatch: $patch }) { user { name timezone analysisPromptIndividual analysisPromptVersion } } }`;

  it('name and analysis prompts; a prompt change bumps the prompt version', async () => {
    const before = await one<{ v: number }>(`select analysis_prompt_version as v from app_public.users where id = $1`, [tenant.userId]);
    const user = (await mutate<{ updateUserByRowId: { user: Data } }>(UPDATE_ME, { id: tenant.userId, patch: { name: 'Mutator Ltd', analysisPromptIndividual: 'Score the lead.' } })).updateUserByRowId.user;
    expect(user).toMatchObject({ name: 'Mutator Ltd', analysisPromptIndividual: 'Score the lead.', analysisPromptVersion: before.v + 1 });
    const again = (await mutate<{ updateUserByRowId: { user: Data } }>(UPDATE_ME, { id: tenant.userId, patch: { name: 'Mutator Group' } })).updateUserByRowId.user;
    expect(again.analysisPromptVersion).toBe(before.v + 1);
  });

  it('a bad time zone is refused and nothing changes; role and credits are not writable', async () => {
    const before = await one(`select to_jsonb(u) - 'updated_at' as u from app_public.users u where id = $1`, [tenant.userId]);
    const result = await api.graphql(UPDATE_ME, { id: tenant.userId, patch: { timezone: 'Asia/Atlantis' } }, token());
    expect(errorCode(result)).toBe('CHECK_VIOLATION');
    expect(onlyError(result).extensions.rule).toBe('users_timezone_valid');
    for (const patch of ['{ role: "admin" }', '{ credits: 100000 }', '{ isActive: false }']) {
      const refused = await api.graphql(`mutation ($id: UUID!) { updateUserByRowId(input: { rowId: $id, userPatch: ${patch} }) { user { rowId } } }`, { id: tenant.userId }, token());
      expect(refused.body.errors?.length, patch).toBeGreaterThan(0);
    }
    expect(await one(`select to_jsonb(u) - 'updated_at' as u from app_public.users u where id = $1`, [tenant.userId])).toEqual(before);
  });

  it('a time zone change rebuilds the rollups: verification is clean and the KPIs move to the new local days', async () => {
    const [first] = kpis.tenants;
    if (!first) throw new Error('no KPI tenant');
    const t: KpiTenant = first;
    const me = api.tokenFor(t.userId);
    const verify = async (): Promise<unknown[]> => (await api.db.pool.query(`select * from app_hidden.verify_rollups($1)`, [t.userId])).rows;
    const QUERY = `query ($from: Date, $to: Date, $agent: UUID) {
      agentKpis: kpiSummary(fromDate: $from, toDate: $to, agentId: $agent) { current { calls leads successfulCalls } }
      agentLeaderboard(fromDate: $from, toDate: $to) { agentId rank dailyCalls figures { calls qualifiedLeads } }
      kpiSummary(fromDate: $from, toDate: $to) { fromDate toDate previousFromDate previousToDate timezone creditsAvailable
        current { calls successfulCalls unansweredCalls failedCalls answerRate leads qualifiedLeads talkSeconds }
        previous { calls successfulCalls unansweredCalls failedCalls answerRate leads qualifiedLeads talkSeconds } }
      kpiSeries(fromDate: $from, toDate: $to, granularity: DAY) { periodStart periodEnd figures { calls leads successfulCalls } }
      kpiHourlyMatrix(fromDate: $from, toDate: $to) { isoWeekday hour calls leads }
    }`;
    const pick = (figures: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(['calls', 'successfulCalls', 'unansweredCalls', 'failedCalls', 'answerRate', 'leads', 'qualifiedLeads', 'talkSeconds'].map((k) => [k, figures[k]]));

    async function expectOracle(): Promise<{ daily: unknown; hours: unknown }> {
      const snapshot = await loadSnapshot(api.db.pool, t.userId);
      const range = { fromDate: addDays(snapshot.today, -40), toDate: addDays(snapshot.today, -1) };
      const agentId = t.agents[0]?.id;
      const answer = okData(await api.graphql<Data>(QUERY, { from: range.fromDate, to: range.toDate, agent: agentId }, me));
      // Per agent (the agent x day rollup and its corrections) ...
      const agentFigures = summary(snapshot, range, agentId).current;
      expect(normalise(answer.agentKpis)).toEqual(normalise({ current: { calls: agentFigures.calls, leads: agentFigures.leads, successfulCalls: agentFigures.successfulCalls } }));
      expect(normalise(answer.agentLeaderboard)).toEqual(normalise(leaderboard(snapshot, range).map((row) => ({
        agentId: row.agentId, rank: row.rank, dailyCalls: row.dailyCalls,
        figures: { calls: row.figures.calls, qualifiedLeads: row.figures.qualifiedLeads },
      }))));
      // ... and tenant-wide (the tenant x day and tenant x hour rollups and theirs).
      const expected = summary(snapshot, range);
      expect(normalise(answer.kpiSummary)).toEqual(normalise({
        fromDate: expected.fromDate, toDate: expected.toDate, previousFromDate: expected.previousFromDate,
        previousToDate: expected.previousToDate, timezone: expected.timezone, creditsAvailable: expected.creditsAvailable,
        current: pick({ ...expected.current }), previous: pick({ ...expected.previous }),
      }));
      const daily = series(snapshot, range, 'day').map((p) => ({ periodStart: p.periodStart, periodEnd: p.periodEnd, figures: { calls: p.figures.calls, leads: p.figures.leads, successfulCalls: p.figures.successfulCalls } }));
      const hours = hourlyMatrix(snapshot, range).map((c) => ({ isoWeekday: c.isoWeekday, hour: c.hour, calls: c.calls, leads: c.leads }));
      expect(normalise(answer.kpiSeries)).toEqual(normalise(daily));
      expect(normalise(answer.kpiHourlyMatrix)).toEqual(normalise(hours));
      return { daily: normalise(daily), hours: normalise(hours) };
    }

    expect(await verify()).toEqual([]);
    const before = await expectOracle();
    const changed = (await mutate<{ updateUserByRowId: { user: Data } }>(UPDATE_ME, { id: t.userId, patch: { timezone: 'America/Los_Angeles' } }, me)).updateUserByRowId.user;
    expect(changed.timezone).toBe('America/Los_Angeles');
    expect(await verify()).toEqual([]);
    const after = await expectOracle();
    // The change was not a no-op: calls moved to other local days and hours.
    expect(after.daily).not.toEqual(before.daily);
    expect(after.hours).not.toEqual(before.hours);
    const tz = okData(await api.graphql<{ kpiSummary: { timezone: string } }>(`{ kpiSummary { timezone } }`, {}, me));
    expect(tz.kpiSummary.timezone).toBe('America/Los_Angeles');
    // And once compacted, still exact.
    await api.db.pool.query('select app_hidden.compact_rollups()');
    expect(await verify()).toEqual([]);
    await expectOracle();
  });
});
