/**
 * The audit trail over real HTTP: every audited change made through GraphQL
 * (sign-up, settings, agents, numbers, targets, API keys, provider
 * credentials) leaves one entry with the actor, the client's IP and user agent
 * (as the request sent them), the table and row, and the changed columns' old
 * and new values, secrets redacted. Changes by the system (worker, webhooks:
 * the owner without claims) record actor `system` and no IP. The log is
 * read through `auditEntries` (newest first, paged, filtered), a tenant sees
 * only its own entries, an admin every tenant's, and nobody can change it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../server/auth/jwt.ts';
import { USER_AGENT_MAX_LENGTH } from '../../server/graphql/context.ts';
import type { GraphqlBody } from '../helpers/api.ts';
import { TEST_JWT_SECRET } from '../helpers/api.ts';
import { asTenant, inTransaction, withClient } from '../helpers/db.ts';
import { randomHex, startWebhookApp, testPhoneNumber, type WebhookApp } from '../helpers/webhooks.ts';

let app: WebhookApp;
/** The same database behind a trusted proxy (TRUST_PROXY=loopback); started with the other, so no test idles mid-file. */
let behindProxy: WebhookApp;

beforeAll(async () => {
  app = await startWebhookApp({ graphql: true, env: { RATE_LIMIT_BURST: '1000' } });
  behindProxy = await startWebhookApp({ db: app.db, graphql: true, env: { RATE_LIMIT_BURST: '1000', TRUST_PROXY: 'loopback' } });
});

afterAll(async () => {
  await behindProxy?.close();
  await app?.close();
});

type Data = Record<string, unknown>;

interface Call {
  token?: string;
  userAgent?: string;
  headers?: Record<string, string>;
}

/** POST /graphql with a chosen User-Agent; returns the data or throws with the errors. */
async function gql<T = Data>(query: string, variables: Data = {}, call: Call = {}): Promise<T> {
  const body = await gqlBody<T>(query, variables, call);
  if (body.errors?.length || !body.data) throw new Error(JSON.stringify(body.errors ?? body));
  return body.data;
}

async function gqlBody<T>(query: string, variables: Data, { token, userAgent = 'AuditTest/1.0', headers = {} }: Call): Promise<GraphqlBody<T>> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': userAgent,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlBody<T>;
}

interface Entry {
  id: string;
  user_id: string | null;
  actor: string;
  actor_id: string | null;
  api_key_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  action: string;
  resource_type: string;
  resource_id: string;
  old_values: Data | null;
  new_values: Data | null;
}

/** The log's entries since `after` (an id), oldest first, as the owner sees them. */
async function entriesAfter(after: string): Promise<Entry[]> {
  const { rows } = await app.pool.query<Entry>(
    `select a.id::text, a.user_id, a.actor, a.actor_id, a.api_key_id, host(a.ip_address) as ip_address, a.user_agent, a.action,
            a.resource_type, a.resource_id, a.old_values, a.new_values
       from app_hidden.audit_log a where a.id > $1 order by a.id`,
    [after],
  );
  return rows;
}

async function lastId(): Promise<string> {
  const { rows } = await app.pool.query<{ id: string }>('select coalesce(max(id), 0)::text as id from app_hidden.audit_log');
  return rows[0]?.id ?? '0';
}

/** Runs `work` and returns the entries it added. */
async function recorded(work: () => Promise<unknown>): Promise<Entry[]> {
  const before = await lastId();
  await work();
  return entriesAfter(before);
}

async function register(userAgent = 'AuditTest/1.0 (sign-up)'): Promise<{ userId: string; jwt: string; email: string }> {
  const email = `audit-${randomHex(4)}@example.com`;
  const data = await gql<{ register: { jwtToken: string; userId: string } }>(
    `mutation ($email: String!) { register(input: { email: $email, password: "correct horse battery", name: "Audited Ltd" }) { jwtToken userId } }`,
    { email },
    { userAgent },
  );
  return { userId: data.register.userId, jwt: data.register.jwtToken, email };
}

const LOOPBACK = '127.0.0.1';

describe('what is recorded', () => {
  it('sign-up: the new tenant row, actor anonymous, with IP and user agent', async () => {
    let tenant: { userId: string; email: string } | undefined;
    const entries = await recorded(async () => {
      tenant = await register('AuditTest/1.0 (sign-up)');
    });
    expect(entries).toEqual([
      expect.objectContaining({
        user_id: tenant?.userId,
        actor: 'anonymous',
        actor_id: null,
        ip_address: LOOPBACK,
        user_agent: 'AuditTest/1.0 (sign-up)',
        action: 'insert',
        resource_type: 'users',
        resource_id: tenant?.userId,
        old_values: null,
      }),
    ]);
    expect(entries[0]?.new_values).toMatchObject({ email: tenant?.email, name: 'Audited Ltd', timezone: 'UTC' });
    // Ledger-maintained and bookkeeping columns are not part of the trail.
    expect(Object.keys(entries[0]?.new_values ?? {})).not.toEqual(expect.arrayContaining(['credits']));
    expect(Object.keys(entries[0]?.new_values ?? {})).not.toEqual(expect.arrayContaining(['id', 'updated_at', 'created_at']));
  });

  it('settings: time zone and prompt, only the changed columns, old -> new', async () => {
    const tenant = await register();
    const entries = await recorded(() =>
      gql(
        `mutation ($id: UUID!) { updateUserByRowId(input: { rowId: $id, userPatch: { timezone: "Asia/Kolkata", analysisPromptIndividual: "Score the lead." } }) { user { timezone } } }`,
        { id: tenant.userId },
        { token: tenant.jwt, userAgent: 'Mozilla/5.0 (Audit settings)' },
      ),
    );
    expect(entries).toEqual([
      expect.objectContaining({
        user_id: tenant.userId,
        actor: 'user',
        actor_id: tenant.userId,
        ip_address: LOOPBACK,
        user_agent: 'Mozilla/5.0 (Audit settings)',
        action: 'update',
        resource_type: 'users',
        resource_id: tenant.userId,
        old_values: { timezone: 'UTC', analysis_prompt_individual: null, analysis_prompt_version: 1 },
        new_values: { timezone: 'Asia/Kolkata', analysis_prompt_individual: 'Score the lead.', analysis_prompt_version: 2 },
      }),
    ]);
  });

  it('agents, phone numbers and targets: create, update, delete', async () => {
    const tenant = await register();
    const as = { token: tenant.jwt, userAgent: 'AuditTest/1.0 (agents)' };
    let agentId = '';
    const created = await recorded(async () => {
      const data = await gql<{ createAgent: { agent: { rowId: string } } }>(
        `mutation { createAgent(input: { agent: { providerAgentId: "audit-agent-${randomHex(3)}", name: "Asha" } }) { agent { rowId } } }`,
        {},
        as,
      );
      agentId = data.createAgent.agent.rowId;
    });
    expect(created).toEqual([
      expect.objectContaining({ action: 'insert', resource_type: 'agents', resource_id: agentId, actor: 'user', actor_id: tenant.userId, user_id: tenant.userId }),
    ]);
    expect(created[0]?.new_values).toMatchObject({ name: 'Asha', provider: 'bolna', is_active: true });

    const renamed = await recorded(() =>
      gql(`mutation ($id: UUID!) { updateAgentByRowId(input: { rowId: $id, agentPatch: { name: "Asha II" } }) { agent { name } } }`, { id: agentId }, as),
    );
    expect(renamed).toEqual([
      expect.objectContaining({ action: 'update', resource_type: 'agents', resource_id: agentId, old_values: { name: 'Asha' }, new_values: { name: 'Asha II' } }),
    ]);

    const number = testPhoneNumber();
    let numberId = '';
    const numbers = await recorded(async () => {
      const data = await gql<{ createPhoneNumber: { phoneNumber: { rowId: string } } }>(
        `mutation ($agent: UUID!, $number: String!) { createPhoneNumber(input: { phoneNumber: { agentId: $agent, phoneNumber: $number, name: "Main line" } }) { phoneNumber { rowId } } }`,
        { agent: agentId, number },
        as,
      );
      numberId = data.createPhoneNumber.phoneNumber.rowId;
      await gql(`mutation ($id: UUID!) { updatePhoneNumberByRowId(input: { rowId: $id, phoneNumberPatch: { isActive: false } }) { phoneNumber { isActive } } }`, { id: numberId }, as);
    });
    expect(numbers).toEqual([
      expect.objectContaining({ action: 'insert', resource_type: 'phone_numbers', resource_id: numberId, new_values: expect.objectContaining({ phone_number: number, agent_id: agentId }) }),
      expect.objectContaining({ action: 'update', resource_type: 'phone_numbers', resource_id: numberId, old_values: { is_active: true }, new_values: { is_active: false } }),
    ]);

    let targetId = '';
    const targets = await recorded(async () => {
      const data = await gql<{ createAgentTarget: { agentTarget: { rowId: string } } }>(
        `mutation ($agent: UUID!) { createAgentTarget(input: { agentTarget: { agentId: $agent, periodType: "month", periodStart: "2026-12-01", targetCalls: 100 } }) { agentTarget { rowId } } }`,
        { agent: agentId },
        as,
      );
      targetId = data.createAgentTarget.agentTarget.rowId;
      await gql(`mutation ($id: UUID!) { updateAgentTargetByRowId(input: { rowId: $id, agentTargetPatch: { targetCalls: 150 } }) { agentTarget { targetCalls } } }`, { id: targetId }, as);
      await gql(`mutation ($id: UUID!) { deleteAgentTargetByRowId(input: { rowId: $id }) { deletedAgentTargetId } }`, { id: targetId }, as);
    });
    expect(targets.map((e) => [e.action, e.resource_type, e.resource_id])).toEqual([
      ['insert', 'agent_targets', targetId],
      ['update', 'agent_targets', targetId],
      ['delete', 'agent_targets', targetId],
    ]);
    expect(targets[1]).toMatchObject({ old_values: { target_calls: 100 }, new_values: { target_calls: 150 } });
    expect(targets[2]).toMatchObject({ new_values: null, old_values: expect.objectContaining({ target_calls: 150, period_type: 'month' }) });

    const deleted = await recorded(async () => {
      await gql(`mutation ($id: UUID!) { deletePhoneNumberByRowId(input: { rowId: $id }) { deletedPhoneNumberId } }`, { id: numberId }, as);
      await gql(`mutation ($id: UUID!) { deleteAgentByRowId(input: { rowId: $id }) { deletedAgentId } }`, { id: agentId }, as);
    });
    expect(deleted.map((e) => [e.action, e.resource_type, e.resource_id, e.user_agent])).toEqual([
      ['delete', 'phone_numbers', numberId, 'AuditTest/1.0 (agents)'],
      ['delete', 'agents', agentId, 'AuditTest/1.0 (agents)'],
    ]);
  });

  it('API keys: creation and revocation without the secret; a key\'s own writes name the key; use records nothing', async () => {
    const tenant = await register();
    const as = { token: tenant.jwt, userAgent: 'AuditTest/1.0 (keys)' };
    let key = { rowId: '', secret: '' };
    const created = await recorded(async () => {
      const data = await gql<{ createApiKey: { result: { secret: string; apiKey: { rowId: string } } } }>(
        `mutation { createApiKey(input: { name: "CRM sync", scopes: ["write"] }) { result { secret apiKey { rowId } } } }`,
        {},
        as,
      );
      key = { rowId: data.createApiKey.result.apiKey.rowId, secret: data.createApiKey.result.secret };
    });
    expect(created).toEqual([
      expect.objectContaining({ action: 'insert', resource_type: 'api_keys', resource_id: key.rowId, actor: 'user', actor_id: tenant.userId, api_key_id: null }),
    ]);
    expect(created[0]?.new_values).toMatchObject({ name: 'CRM sync', scopes: ['read', 'write'] });
    expect(JSON.stringify(created)).not.toContain(key.secret.slice(-20));

    // Using the key (last_used_at moves) records nothing; a write made with it names the key.
    const used = await recorded(() =>
      gql(`mutation ($id: UUID!) { updateUserByRowId(input: { rowId: $id, userPatch: { name: "Audited via key" } }) { user { name } } }`, { id: tenant.userId }, { token: key.secret, userAgent: 'crm-sync/2.1' }),
    );
    expect(used).toEqual([
      expect.objectContaining({ action: 'update', resource_type: 'users', actor: 'api_key', actor_id: tenant.userId, api_key_id: key.rowId, user_agent: 'crm-sync/2.1', new_values: { name: 'Audited via key' } }),
    ]);

    const revoked = await recorded(() => gql(`mutation ($id: UUID!) { revokeApiKey(input: { keyId: $id }) { result { revokedAt } } }`, { id: key.rowId }, as));
    expect(revoked).toEqual([
      expect.objectContaining({ action: 'update', resource_type: 'api_keys', resource_id: key.rowId, old_values: { revoked_at: null }, new_values: { revoked_at: expect.any(String) } }),
    ]);
  });

  it('provider credentials: that the token, signing secret and Twilio credentials changed, never the values or hashes', async () => {
    const tenant = await register();
    const as = { token: tenant.jwt, userAgent: 'AuditTest/1.0 (credentials)' };
    const signingSecret = randomBytes(24).toString('hex');
    const twilioToken = randomBytes(16).toString('hex');
    const twilioSid = `AC${randomBytes(16).toString('hex')}`;
    let bolnaToken = '';
    const entries = await recorded(async () => {
      bolnaToken = (await gql<{ rotateBolnaIngestToken: { result: string } }>(`mutation { rotateBolnaIngestToken(input: {}) { result } }`, {}, as)).rotateBolnaIngestToken.result;
      await gql(`mutation ($s: String!) { setBolnaSigningSecret(input: { secret: $s, requireSignature: true }) { bolnaRequireSignature } }`, { s: signingSecret }, as);
      await gql(`mutation ($sid: String!, $t: String!) { setTwilioCredentials(input: { accountSid: $sid, authToken: $t }) { twilioAccountSid } }`, { sid: twilioSid, t: twilioToken }, as);
      await gql(`mutation { rotateBolnaIngestToken(input: {}) { result } }`, {}, as);
    });
    expect(entries.map((e) => [e.action, e.resource_type, e.resource_id, e.actor, e.actor_id, e.ip_address])).toEqual(
      Array.from({ length: 4 }, (_, i) => [i === 0 ? 'insert' : 'update', 'provider_credentials', tenant.userId, 'user', tenant.userId, LOOPBACK]),
    );
    expect(entries[0]?.new_values).toMatchObject({ bolna_token_hash: '[redacted]', bolna_token_prefix: bolnaToken.slice(0, 10), bolna_signing_secret_enc: null, twilio_auth_token_enc: null });
    expect(entries[1]).toMatchObject({
      old_values: { bolna_signing_secret_enc: null, bolna_require_signature: false },
      new_values: { bolna_signing_secret_enc: '[redacted]', bolna_require_signature: true },
    });
    expect(entries[2]).toMatchObject({
      old_values: { twilio_account_sid: null, twilio_auth_token_enc: null },
      new_values: { twilio_account_sid: twilioSid, twilio_auth_token_enc: '[redacted]' },
    });
    expect(entries[3]).toMatchObject({ old_values: expect.objectContaining({ bolna_token_hash: '[redacted]' }), new_values: expect.objectContaining({ bolna_token_hash: '[redacted]' }) });

    // Neither a secret nor its hash nor its ciphertext appears anywhere in the log.
    const { rows } = await app.pool.query<{ hash: string; signing: string; twilio: string }>(
      `select encode(bolna_token_hash, 'hex') as hash, encode(bolna_signing_secret_enc, 'hex') as signing, encode(twilio_auth_token_enc, 'hex') as twilio
         from app_private.provider_credentials where user_id = $1`,
      [tenant.userId],
    );
    const { rows: log } = await app.pool.query<{ text: string }>(`select string_agg(a::text, ' ') as text from app_hidden.audit_log a where a.user_id = $1`, [tenant.userId]);
    const text = log[0]?.text ?? '';
    for (const secret of [bolnaToken, signingSecret, twilioToken, rows[0]?.hash, rows[0]?.signing, rows[0]?.twilio]) {
      expect(secret).toBeTruthy();
      expect(text).not.toContain(secret?.slice(-16));
    }
  });

  it('the worker and webhooks (owner, no claims): actor system, no IP; ignored columns record nothing', async () => {
    const tenant = await register();
    const entries = await recorded(async () => {
      await app.pool.query(`insert into app_private.tenant_retention (user_id, data_type, retain_days) values ($1, 'calls', 400)`, [tenant.userId]);
      await app.pool.query(`update app_private.tenant_retention set retain_days = 500 where user_id = $1`, [tenant.userId]);
      await app.pool.query(`update app_public.users set credits = credits + 10 where id = $1`, [tenant.userId]);
    });
    expect(entries).toEqual([
      expect.objectContaining({ action: 'insert', resource_type: 'tenant_retention', resource_id: `${tenant.userId}/calls`, actor: 'system', actor_id: null, ip_address: null, user_agent: null, new_values: { data_type: 'calls', retain_days: 400 } }),
      expect.objectContaining({ action: 'update', resource_type: 'tenant_retention', actor: 'system', old_values: { retain_days: 400 }, new_values: { retain_days: 500 } }),
    ]);
  });

  it('the client address is the socket\'s: X-Forwarded-For is not trusted (no trust proxy); the user agent is capped', async () => {
    const tenant = await register();
    const entries = await recorded(() =>
      gql(`mutation ($id: UUID!) { updateUserByRowId(input: { rowId: $id, userPatch: { name: "Spoofed" } }) { user { name } } }`, { id: tenant.userId }, {
        token: tenant.jwt,
        userAgent: `Long/${'x'.repeat(2000)}`,
        headers: { 'x-forwarded-for': '203.0.113.9' },
      }),
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]?.ip_address).toBe(LOOPBACK);
    expect(entries[0]?.user_agent).toBe(`Long/${'x'.repeat(USER_AGENT_MAX_LENGTH - 5)}`);
  });

  it('behind a trusted proxy (TRUST_PROXY), the client address is the one the proxy forwarded', async () => {
    const tenant = await register();
    const entries = await recorded(async () => {
      const response = await fetch(`${behindProxy.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.jwt}`, 'x-forwarded-for': '203.0.113.9' },
        body: JSON.stringify({ query: `mutation ($id: UUID!) { updateUserByRowId(input: { rowId: $id, userPatch: { name: "Proxied" } }) { user { name } } }`, variables: { id: tenant.userId } }),
      });
      expect(response.status).toBe(200);
    });
    expect(entries.map((entry) => entry.ip_address)).toEqual(['203.0.113.9']);
  });

  it('deleting a tenant: one entry without values, none for the rows it cascades to; older entries lose the tenant id', async () => {
    const tenant = await register();
    await gql(`mutation { createAgent(input: { agent: { providerAgentId: "gone-${randomHex(3)}", name: "Gone" } }) { agent { rowId } } }`, {}, { token: tenant.jwt });
    const entries = await recorded(() => app.pool.query('delete from app_public.users where id = $1', [tenant.userId]));
    expect(entries).toEqual([
      expect.objectContaining({ action: 'delete', resource_type: 'users', resource_id: tenant.userId, user_id: null, old_values: null, new_values: null, actor: 'system' }),
    ]);
    const { rows } = await app.pool.query(`select 1 from app_hidden.audit_log where user_id = $1`, [tenant.userId]);
    expect(rows).toEqual([]);
  });
});

// --- reading -------------------------------------------------------------------------------------

const AUDIT = `query ($first: Int = 100, $offset: Int, $action: String, $table: String, $tenant: UUID) {
  auditEntries(first: $first, offset: $offset, action: $action, tableName: $table, tenantId: $tenant) {
    totalCount
    pageInfo { hasNextPage }
    nodes { rowId createdAt userId actor actorId ipAddress userAgent action tableName recordId oldValues newValues }
  }
}`;

interface AuditPage {
  auditEntries: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean };
    nodes: Array<{ rowId: string; userId: string | null; actor: string; ipAddress: string | null; userAgent: string | null; action: string; tableName: string; recordId: string; oldValues: Data | null; newValues: Data | null }>;
  };
}

describe('reading the trail', () => {
  let a: { userId: string; jwt: string };
  let b: { userId: string; jwt: string };

  beforeAll(async () => {
    a = await register();
    b = await register();
    for (const name of ['One', 'Two', 'Three']) {
      await gql(`mutation ($id: UUID!, $n: String!) { updateUserByRowId(input: { rowId: $id, userPatch: { name: $n } }) { user { name } } }`, { id: a.userId, n: name }, { token: a.jwt });
    }
    await gql(`mutation { createAgent(input: { agent: { providerAgentId: "read-${randomHex(3)}", name: "Reader" } }) { agent { rowId } } }`, {}, { token: a.jwt });
  });

  it('newest first, paged, with the total', async () => {
    const first = await gql<AuditPage>(AUDIT, { first: 2 }, { token: a.jwt });
    expect(first.auditEntries.totalCount).toBe(5); // sign-up, three renames, the agent
    expect(first.auditEntries.pageInfo.hasNextPage).toBe(true);
    expect(first.auditEntries.nodes.map((n) => [n.action, n.tableName])).toEqual([
      ['insert', 'agents'],
      ['update', 'users'],
    ]);
    expect(first.auditEntries.nodes[1]).toMatchObject({ oldValues: { name: 'Two' }, newValues: { name: 'Three' }, ipAddress: LOOPBACK, userAgent: 'AuditTest/1.0', actor: 'user', userId: a.userId });
    const second = await gql<AuditPage>(AUDIT, { first: 2, offset: 2 }, { token: a.jwt });
    expect(second.auditEntries.nodes.map((n) => n.newValues?.name)).toEqual(['Two', 'One']);
    const ids = [...first.auditEntries.nodes, ...second.auditEntries.nodes].map((n) => BigInt(n.rowId));
    expect(ids).toEqual([...ids].sort((x, y) => (x > y ? -1 : 1)));
  });

  it('filtered by action and table', async () => {
    const updates = await gql<AuditPage>(AUDIT, { action: 'update', table: 'users' }, { token: a.jwt });
    expect(updates.auditEntries.totalCount).toBe(3);
    const agents = await gql<AuditPage>(AUDIT, { table: 'agents' }, { token: a.jwt });
    expect(agents.auditEntries.nodes.map((n) => n.newValues?.name)).toEqual(['Reader']);
  });

  it('another tenant sees none of them, not even when asking for them by tenant id', async () => {
    const mine = await gql<AuditPage>(AUDIT, {}, { token: b.jwt });
    expect(mine.auditEntries.nodes.every((n) => n.userId === b.userId)).toBe(true);
    expect(mine.auditEntries.totalCount).toBe(1); // its own sign-up
    const theirs = await gql<AuditPage>(AUDIT, { tenant: a.userId }, { token: b.jwt });
    expect(theirs.auditEntries).toMatchObject({ totalCount: 0, nodes: [] });
    const anonymous = await gqlBody<AuditPage>(AUDIT, {}, {});
    expect(anonymous.data?.auditEntries?.totalCount ?? 0).toBe(0);
  });

  it('a platform admin reads every tenant\'s entries', async () => {
    const admin = await register();
    await app.pool.query(`update app_public.users set role = 'admin' where id = $1`, [admin.userId]);
    const token = signJwt({ userId: admin.userId, role: 'app_admin' }, { secret: TEST_JWT_SECRET, ttlSeconds: 600 });
    const all = await gql<AuditPage>(AUDIT, { first: 500 }, { token });
    const tenants = new Set(all.auditEntries.nodes.map((n) => n.userId));
    expect(tenants.has(a.userId) && tenants.has(b.userId)).toBe(true);
    const onlyA = await gql<AuditPage>(AUDIT, { tenant: a.userId }, { token });
    expect(onlyA.auditEntries.totalCount).toBe(5);
  });

  it('nobody changes the log: no insert, update or delete for a tenant; the owner\'s updates are refused (SB130)', async () => {
    for (const sql of [
      `update app_hidden.audit_log set action = 'x' where user_id = '${a.userId}'`,
      `delete from app_hidden.audit_log where user_id = '${a.userId}'`,
      `insert into app_hidden.audit_log (user_id, action) values ('${a.userId}', 'forged')`,
      `update app_private.audit_log set action = 'x'`,
    ]) {
      await expect(
        withClient(app.pool, (client) =>
          inTransaction(client, async () => {
            await asTenant(client, a.userId);
            await client.query(sql);
          }),
        ),
        sql,
      ).rejects.toMatchObject({ code: '42501' });
    }
    // As the tenant's owner, the table reads only its own rows (managers and viewers: none, see team tests).
    const own = await withClient(app.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, b.userId);
        return (await client.query<{ user_id: string }>('select distinct user_id from app_hidden.audit_log')).rows;
      }),
    );
    expect(own).toEqual([{ user_id: b.userId }]);
    await expect(app.pool.query(`update app_hidden.audit_log set action = 'x' where user_id = $1`, [a.userId])).rejects.toMatchObject({ code: 'SB130' });
    await expect(app.pool.query(`update app_hidden.audit_log set old_values = null where user_id = $1`, [a.userId])).rejects.toMatchObject({ code: 'SB130' });
  });
});
