/**
 * The settings pages' API (issue 14 item 3): agents and their number, targets
 * with pacing, and the account (name, time zone, prompts, alert phone, usage
 * alert thresholds). Every refusal has a code and a field, stores nothing, and
 * another business can neither see nor touch yours. Pacing is checked against
 * hand computations, including a daylight-saving day (23 hours) in New York.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startApi, type ApiServer } from '../helpers/api.ts';
import { createCalls, createTenant, type TenantRow } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';

let api: ApiServer;
let mine: TenantRow;
let other: TenantRow;

interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string };
}

async function gql<T>(userId: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: GqlError[] }> {
  const { body } = await api.graphql<T>(query, variables, api.tokenFor(userId));
  return body as { data?: T; errors?: GqlError[] };
}

async function scalar<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await api.db.pool.query<T[]>({ text: sql, values: params, rowMode: 'array' });
  return rows[0]![0]!;
}

const SAVE_AGENT = `mutation($id: UUID, $provider: String, $pid: String, $name: String, $phone: String) {
  saveAgent(input: { agentId: $id, provider: $provider, providerAgentId: $pid, name: $name, phoneNumber: $phone }) {
    result { rowId name provider providerAgentId isActive phoneNumber }
  }
}`;

interface AgentResult {
  rowId: string;
  name: string;
  provider: string;
  providerAgentId: string;
  isActive: boolean;
  phoneNumber: string | null;
}

function saveAgent(userId: string, variables: Record<string, unknown>) {
  return gql<{ saveAgent: { result: AgentResult } }>(userId, SAVE_AGENT, variables);
}

beforeAll(async () => {
  api = await startApi();
  mine = await createTenant(api.db.pool, { timezone: 'America/New_York' });
  other = await createTenant(api.db.pool, { timezone: 'UTC' });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe('agents and numbers', () => {
  it('creates an agent with its number, refuses a duplicate provider id and a bad number with a code and field, storing nothing', async () => {
    const created = await saveAgent(mine.id, { provider: 'bolna', pid: 'bolna-1', name: ' Sales bot ', phone: '+1 (415) 555-0100' });
    expect(created.errors).toBeUndefined();
    expect(created.data?.saveAgent.result).toMatchObject({ name: 'Sales bot', provider: 'bolna', providerAgentId: 'bolna-1', isActive: true, phoneNumber: '+14155550100' });

    const before = await scalar<string>('select count(*) from app_public.agents where user_id = $1', [mine.id]);
    const duplicate = await saveAgent(mine.id, { provider: 'bolna', pid: 'bolna-1', name: 'Again' });
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_AGENT_ID_TAKEN', field: 'providerAgentId' });
    expect(duplicate.errors?.[0]?.message).toContain('Sales bot');

    const badPhone = await saveAgent(mine.id, { provider: 'bolna', pid: 'bolna-2', name: 'Second', phone: '0415 555' });
    expect(errorCodes(badPhone as never)).toEqual(['INVALID_PHONE_NUMBER']);
    expect(badPhone.errors?.[0]?.message).toMatch(/international format/);

    const taken = await saveAgent(mine.id, { provider: 'bolna', pid: 'bolna-2', name: 'Second', phone: '+14155550100' });
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: 'PHONE_NUMBER_IN_USE', field: 'phoneNumber' });

    const noName = await saveAgent(mine.id, { provider: 'bolna', pid: 'bolna-2', name: '   ' });
    expect(noName.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_AGENT_NAME', field: 'name' });
    const badProvider = await saveAgent(mine.id, { provider: 'skype', pid: 'x', name: 'X' });
    expect(badProvider.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_PROVIDER', field: 'provider' });

    expect(await scalar<string>('select count(*) from app_public.agents where user_id = $1', [mine.id])).toBe(before);
    expect(await scalar<string>('select count(*) from app_public.phone_numbers where user_id = $1', [mine.id])).toBe('1');
    // The same provider id is free for another business (ids are per business).
    const elsewhere = await saveAgent(other.id, { provider: 'bolna', pid: 'bolna-1', name: 'Theirs', phone: '+14155550100' });
    expect(elsewhere.errors).toBeUndefined();
  });

  it('renames, moves the number (the old one released), deactivates and reactivates; all audit-logged', async () => {
    const { data } = await saveAgent(mine.id, { provider: 'twilio', pid: 'tw-1', name: 'Support', phone: '+14155550111' });
    const id = data!.saveAgent.result.rowId;
    const edited = await saveAgent(mine.id, { id, name: 'Support desk', phone: '+14155550112' });
    expect(edited.errors).toBeUndefined();
    expect(edited.data?.saveAgent.result).toMatchObject({ name: 'Support desk', phoneNumber: '+14155550112' });
    const numbers = await api.db.pool.query<{ phone_number: string; agent_id: string | null; is_active: boolean }>(
      `select phone_number, agent_id, is_active from app_public.phone_numbers where user_id = $1 and phone_number in ('+14155550111', '+14155550112') order by phone_number`,
      [mine.id],
    );
    expect(numbers.rows).toEqual([
      { phone_number: '+14155550111', agent_id: null, is_active: false },
      { phone_number: '+14155550112', agent_id: id, is_active: true },
    ]);
    // The provider id is fixed once created.
    const change = await saveAgent(mine.id, { id, pid: 'tw-2', name: 'Support desk' });
    expect(errorCodes(change as never)).toEqual(['IMMUTABLE_FIELD']);
    // Removing the number.
    const cleared = await saveAgent(mine.id, { id, name: 'Support desk', phone: '' });
    expect(cleared.data?.saveAgent.result.phoneNumber).toBeNull();

    const SET_ACTIVE = `mutation($id: UUID!, $a: Boolean!) { setAgentActive(input: { agentId: $id, active: $a }) { result { rowId isActive } } }`;
    const off = await gql<{ setAgentActive: { result: { isActive: boolean } } }>(mine.id, SET_ACTIVE, { id, a: false });
    expect(off.data?.setAgentActive.result.isActive).toBe(false);
    const on = await gql<{ setAgentActive: { result: { isActive: boolean } } }>(mine.id, SET_ACTIVE, { id, a: true });
    expect(on.data?.setAgentActive.result.isActive).toBe(true);

    // Another business can neither change nor deactivate it.
    const theirs = await saveAgent(other.id, { id, name: 'Hijacked' });
    expect(errorCodes(theirs as never)).toEqual(['NOT_FOUND']);
    const theirsOff = await gql(other.id, SET_ACTIVE, { id, a: false });
    expect(errorCodes(theirsOff as never)).toEqual(['NOT_FOUND']);
    expect(await scalar<string>('select name from app_public.agents where id = $1', [id])).toBe('Support desk');
    expect(await scalar<boolean>('select is_active from app_public.agents where id = $1', [id])).toBe(true);

    const audit = await api.db.pool.query<{ resource_type: string; action: string }>(
      `select resource_type, action from app_hidden.audit_log where user_id = $1 and resource_type in ('agents', 'phone_numbers') and (resource_id = $2 or new_values->>'agent_id' = $2 or old_values->>'agent_id' = $2) order by id`,
      [mine.id, id],
    );
    expect(audit.rows.filter((r) => r.resource_type === 'agents').map((r) => r.action)).toEqual(['insert', 'update', 'update', 'update']);
    expect(audit.rows.some((r) => r.resource_type === 'phone_numbers' && r.action === 'insert')).toBe(true);
  });
});

describe('targets and pacing', () => {
  const SET_TARGET = `mutation($agent: UUID!, $type: String!, $start: Date!, $metric: String!, $value: BigFloat) {
    setAgentTarget(input: { agentId: $agent, periodType: $type, periodStart: $start, metric: $metric, value: $value }) { result { rowId periodStart targetCalls } }
  }`;
  const PACING = `query($asOf: Datetime) { targetPacing(asOf: $asOf) { agentName periodType periodStart metric target actual achievement elapsedShare expectedSoFar pace } }`;
  interface PacingRow {
    agentName: string;
    periodType: string;
    periodStart: string;
    metric: string;
    target: string;
    actual: string;
    achievement: string | null;
    elapsedShare: string;
    expectedSoFar: string;
    pace: string | null;
  }
  let agentId: string;

  beforeAll(async () => {
    const { data } = await saveAgent(mine.id, { provider: 'other', pid: 'pace-1', name: 'Pacer' });
    agentId = data!.saveAgent.result.rowId;
    // 2026-03-08 is the US spring-forward day: 23 hours in New York (05:00 UTC to 04:00 UTC next day).
    // 11 calls in its first 11 hours (local 00:30 .. 10:30 EST/EDT), 3 of them successful.
    const starts = ['2026-03-08T05:30:00Z', '2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z', '2026-03-08T08:30:00Z', '2026-03-08T09:30:00Z',
      '2026-03-08T10:30:00Z', '2026-03-08T11:30:00Z', '2026-03-08T12:30:00Z', '2026-03-08T13:30:00Z', '2026-03-08T14:30:00Z', '2026-03-08T15:30:00Z'];
    await createCalls(api.db.pool, starts.map((startedAt, i) => ({
      userId: mine.id, agentId, startedAt, status: 'completed' as const, durationSeconds: i < 3 ? 60 : 0,
    })));
  });

  it('refuses a bad period, metric or value with a code and field, and another business\'s agent', async () => {
    const set = (userId: string, v: Record<string, unknown>) =>
      gql(userId, SET_TARGET, { agent: agentId, type: 'day', start: '2026-03-08', metric: 'calls', value: '46', ...v });
    expect((await set(mine.id, { type: 'year' })).errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TARGET_PERIOD', field: 'periodType' });
    expect((await set(mine.id, { metric: 'revenue' })).errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TARGET_METRIC', field: 'metric' });
    expect((await set(mine.id, { value: '-1' })).errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TARGET_VALUE', field: 'value' });
    expect((await set(mine.id, { value: '2.5' })).errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TARGET_VALUE' });
    expect((await set(mine.id, { metric: 'success_rate', value: '1.5' })).errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TARGET_VALUE' });
    expect(errorCodes((await set(other.id, {})) as never)).toEqual(['NOT_FOUND']);
    expect(await scalar<string>('select count(*) from app_public.agent_targets where agent_id = $1', [agentId])).toBe('0');
  });

  it('computes expected-so-far from the elapsed share of the period in the business\'s time zone (hand-computed, DST day)', async () => {
    for (const [type, metric, value] of [
      ['day', 'calls', '46'], ['day', 'successful_calls', '10'], ['day', 'success_rate', '0.5'],
      ['week', 'calls', '167'], ['month', 'calls', '743'],
    ] as const) {
      const r = await gql(mine.id, SET_TARGET, { agent: agentId, type, start: '2026-03-08', metric, value });
      expect(r.errors).toBeUndefined();
    }
    // Week targets start on Monday (2026-03-02), month targets on the 1st.
    expect(await scalar<string>(`select string_agg(period_type || ' ' || period_start, ', ' order by period_type) from app_public.agent_targets where agent_id = $1`, [agentId]))
      .toBe('day 2026-03-08, month 2026-03-01, week 2026-03-02');

    // 12:00 local (EDT) = 16:00 UTC: 11 of the day's 23 hours have passed.
    const { data, errors } = await gql<{ targetPacing: PacingRow[] }>(mine.id, PACING, { asOf: '2026-03-08T16:00:00Z' });
    expect(errors).toBeUndefined();
    const row = (type: string, metric: string) => data!.targetPacing.find((r) => r.periodType === type && r.metric === metric)!;
    // day: 46 x 11/23 = 22 expected; 11 actual: pace 0.5
    expect(row('day', 'calls')).toMatchObject({ agentName: 'Pacer', target: '46', actual: '11', elapsedShare: '0.4783', expectedSoFar: '22.00', pace: '0.5000', achievement: '0.2391' });
    // 10 x 11/23 = 4.7826 -> 4.78 expected; 3 actual
    expect(row('day', 'successful_calls')).toMatchObject({ expectedSoFar: '4.78', actual: '3', pace: '0.6276' });
    // a rate is not prorated: expected is the target itself
    expect(row('day', 'success_rate')).toMatchObject({ target: '0.5000', expectedSoFar: '0.5000' });
    // week from Mon 2026-03-02 05:00 UTC: 167 hours (one lost to DST), 155 elapsed -> 155 expected of 167
    expect(row('week', 'calls')).toMatchObject({ elapsedShare: '0.9281', expectedSoFar: '155.00' });
    // March: 743 hours, 179 elapsed -> 179 expected of 743
    expect(row('month', 'calls')).toMatchObject({ elapsedShare: '0.2409', expectedSoFar: '179.00' });

    // Before the day starts nothing is expected (pace null); after it ends, all of it.
    const before = await gql<{ targetPacing: PacingRow[] }>(mine.id, PACING, { asOf: '2026-03-08T04:59:00Z' });
    expect(before.data!.targetPacing.find((r) => r.periodType === 'day' && r.metric === 'calls')).toMatchObject({ elapsedShare: '0.0000', expectedSoFar: '0.00', pace: null });
    const after = await gql<{ targetPacing: PacingRow[] }>(mine.id, PACING, { asOf: '2026-03-09T04:00:00Z' });
    expect(after.data!.targetPacing.find((r) => r.periodType === 'day' && r.metric === 'calls')).toMatchObject({ elapsedShare: '1.0000', expectedSoFar: '46.00' });

    // The same instant is 16/24 of the day for a business in UTC.
    const utcShare = await scalar<string>(
      `select round(greatest(0, least(1, extract(epoch from ($1::timestamptz - ('2026-03-08'::timestamp at time zone 'UTC'))) / 86400)), 4)::text`,
      ['2026-03-08T16:00:00Z'],
    );
    expect(utcShare).toBe('0.6667');

    // Another business sees none of it.
    const theirs = await gql<{ targetPacing: PacingRow[] }>(other.id, PACING, {});
    expect(theirs.data?.targetPacing).toEqual([]);
  });

  it('changes and removes one metric; the target goes when none is left', async () => {
    await gql(mine.id, SET_TARGET, { agent: agentId, type: 'day', start: '2026-03-08', metric: 'calls', value: '50' });
    expect(await scalar<number>(`select target_calls from app_public.agent_targets where agent_id = $1 and period_type = 'day'`, [agentId])).toBe(50);
    for (const metric of ['calls', 'successful_calls', 'success_rate']) {
      const r = await gql(mine.id, SET_TARGET, { agent: agentId, type: 'day', start: '2026-03-08', metric, value: null });
      expect(r.errors).toBeUndefined();
    }
    expect(await scalar<string>(`select count(*) from app_public.agent_targets where agent_id = $1 and period_type = 'day'`, [agentId])).toBe('0');
    const actions = await api.db.pool.query<{ action: string }>(
      `select action from app_hidden.audit_log where user_id = $1 and resource_type = 'agent_targets' order by id`, [mine.id]);
    expect(actions.rows.map((r) => r.action)).toContain('delete');
  });
});

describe('account', () => {
  const PROFILE = `mutation($name: String!, $tz: String!) { setBusinessProfile(input: { name: $name, timezone: $tz }) { result { name timezone } } }`;

  it('refuses a bad name or time zone with a code and field, changing nothing', async () => {
    const badTz = await gql(mine.id, PROFILE, { name: 'Acme', tz: 'Mars/Olympus' });
    expect(badTz.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TIMEZONE', field: 'timezone' });
    const badName = await gql(mine.id, PROFILE, { name: '  ', tz: 'UTC' });
    expect(badName.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_BUSINESS_NAME', field: 'name' });
    expect(await scalar<string>('select name || $2 || timezone from app_public.users where id = $1', [mine.id, '|'])).toBe(`${mine.name}|America/New_York`);
  });

  it('a new time zone rebuilds the rollups before the mutation returns (calls move to their new local day)', async () => {
    const dayOf = () => scalar<string>(
      `select string_agg(day::text || '=' || calls, ',' order by day) from app_public.tenant_daily_stats where user_id = $1 and calls <> 0`, [mine.id]);
    expect(await dayOf()).toContain('2026-03-08=11');
    const r = await gql<{ setBusinessProfile: { result: { name: string; timezone: string } } }>(mine.id, PROFILE, { name: 'Acme Calls', tz: 'Asia/Tokyo' });
    expect(r.errors).toBeUndefined();
    expect(r.data?.setBusinessProfile.result).toEqual({ name: 'Acme Calls', timezone: 'Asia/Tokyo' });
    // 05:30-14:30 UTC is 14:30-23:30 in Tokyo on the 8th; 15:30 UTC is 00:30 on the 9th.
    expect(await dayOf()).toContain('2026-03-08=10');
    expect(await dayOf()).toContain('2026-03-09=1');
    expect(await verifyRollups(api.db.pool, mine.id)).toEqual([]);
    const audit = await scalar<string>(
      `select new_values->>'timezone' from app_hidden.audit_log where user_id = $1 and resource_type = 'users' order by id desc limit 1`, [mine.id]);
    expect(audit).toBe('Asia/Tokyo');
  });

  it('bumps the prompt version only when a prompt changes; an empty prompt means the platform default', async () => {
    const SET = `mutation($i: String, $c: String) { setAnalysisPrompts(input: { individual: $i, complete: $c }) { result { analysisPromptIndividual analysisPromptComplete analysisPromptVersion } } }`;
    const v0 = await scalar<number>('select analysis_prompt_version from app_public.users where id = $1', [mine.id]);
    const a = await gql<{ setAnalysisPrompts: { result: { analysisPromptVersion: number; analysisPromptIndividual: string | null } } }>(mine.id, SET, { i: 'Score the call.', c: '' });
    expect(a.data?.setAnalysisPrompts.result).toMatchObject({ analysisPromptIndividual: 'Score the call.', analysisPromptVersion: v0 + 1 });
    const same = await gql<{ setAnalysisPrompts: { result: { analysisPromptVersion: number } } }>(mine.id, SET, { i: 'Score the call.', c: null });
    expect(same.data?.setAnalysisPrompts.result.analysisPromptVersion).toBe(v0 + 1);
    const long = await gql(mine.id, SET, { i: 'x', c: 'y'.repeat(20_001) });
    expect(long.errors?.[0]?.extensions).toMatchObject({ code: 'PROMPT_TOO_LONG', field: 'analysisPromptComplete' });
    expect(await scalar<number>('select analysis_prompt_version from app_public.users where id = $1', [mine.id])).toBe(v0 + 1);
  });

  it('sets and clears the alert phone (E.164 only)', async () => {
    const SET = `mutation($p: String) { setAlertPhone(input: { phoneNumber: $p }) { result { alertPhone } } }`;
    const bad = await gql(mine.id, SET, { p: '12345' });
    expect(errorCodes(bad as never)).toEqual(['INVALID_PHONE_NUMBER']);
    const ok = await gql<{ setAlertPhone: { result: { alertPhone: string | null } } }>(mine.id, SET, { p: '+44 20 7946 0000' });
    expect(ok.data?.setAlertPhone.result.alertPhone).toBe('+442079460000');
    const cleared = await gql<{ setAlertPhone: { result: { alertPhone: string | null } } }>(mine.id, SET, { p: '' });
    expect(cleared.data?.setAlertPhone.result.alertPhone).toBeNull();
  });

  it('usage alert thresholds: add, change, remove; the job uses them instead of the platform\'s; others cannot touch them', async () => {
    const SAVE = `mutation($id: UUID, $p: Int) { saveUsageAlertThreshold(input: { thresholdId: $id, thresholdPercent: $p }) { result { rowId thresholdPercent } } }`;
    const REMOVE = `mutation($id: UUID!) { removeUsageAlertThreshold(input: { thresholdId: $id }) { result { rowId } } }`;
    expect((await gql<{ defaultUsageAlertThresholds: number[] }>(mine.id, '{ defaultUsageAlertThresholds }')).data?.defaultUsageAlertThresholds).toEqual([20, 10]);
    const added = await gql<{ saveUsageAlertThreshold: { result: { rowId: string } } }>(mine.id, SAVE, { p: 50 });
    const id = added.data!.saveUsageAlertThreshold.result.rowId;
    expect((await gql(mine.id, SAVE, { p: 50 })).errors?.[0]?.extensions).toMatchObject({ code: 'ALERT_THRESHOLD_EXISTS', field: 'thresholdPercent' });
    expect((await gql(mine.id, SAVE, { p: 100 })).errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ALERT_THRESHOLD', field: 'thresholdPercent' });
    const changed = await gql<{ saveUsageAlertThreshold: { result: { thresholdPercent: number } } }>(mine.id, SAVE, { id, p: 40 });
    expect(changed.data?.saveUsageAlertThreshold.result.thresholdPercent).toBe(40);
    expect(errorCodes((await gql(other.id, SAVE, { id, p: 30 })) as never)).toEqual(['NOT_FOUND']);
    expect(errorCodes((await gql(other.id, REMOVE, { id })) as never)).toEqual(['NOT_FOUND']);
    const othersView = await gql<{ allUsageAlertThresholds: { nodes: unknown[] } }>(other.id, '{ allUsageAlertThresholds(first: 50) { nodes { rowId } } }');
    expect(othersView.errors).toBeUndefined();
    expect(othersView.data?.allUsageAlertThresholds.nodes).toEqual([]);

    // Balance 35 of 100 this month: below 40 % (own threshold) but not below the platform's 20 % / 10 %.
    await api.db.pool.query(
      `insert into app_public.credit_transactions (user_id, type, amount, description) values ($1, 'purchase', 100, 'Top-up')`, [mine.id]);
    await api.db.pool.query('select app_hidden.post_credit_transactions()');
    await api.db.pool.query(
      `insert into app_public.credit_transactions (user_id, type, amount, description) values ($1, 'usage', -65, 'Calls')`, [mine.id]);
    await api.db.pool.query('select app_hidden.post_credit_transactions()');
    const fired = await api.db.pool.query<{ user_id: string; threshold_percent: number }>('select user_id, threshold_percent from app_hidden.check_usage_alerts()');
    expect(fired.rows.filter((r) => r.user_id === mine.id).map((r) => r.threshold_percent)).toEqual([40]);

    expect((await gql(mine.id, REMOVE, { id })).errors).toBeUndefined();
    expect(await scalar<string>('select count(*) from app_public.usage_alert_thresholds where user_id = $1', [mine.id])).toBe('0');
    const audit = await api.db.pool.query<{ action: string }>(
      `select action from app_hidden.audit_log where resource_type = 'usage_alert_thresholds' and resource_id = $1 order by id`, [id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['insert', 'update', 'delete']);
  });
});
