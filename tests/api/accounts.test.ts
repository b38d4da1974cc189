/**
 * Accounts and API keys over real HTTP, checked in the database:
 * register (validation codes, nothing stored on failure, bcrypt hash),
 * authenticate (one answer for unknown emails and wrong passwords, every
 * attempt recorded, lock-out after 5 failures that survives because the
 * failures commit, unlock after the lock expires; per-source lock-out in
 * ./lockout.test.ts), and API keys (the secret
 * shown once and stored only as a hash, read-only keys refused by the database
 * with nothing changed, write keys, revoked / expired keys and keys of inactive
 * tenants refused with 401, last use stamped, keys cannot manage keys).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer, type GraphqlBody, type HttpResult } from '../helpers/api.ts';
import { errorCode, okData, onlyError } from '../helpers/graphql-result.ts';
import { seedTenant, type Tenant } from '../helpers/tenants.ts';

let api: ApiServer;
let tenant: Tenant;

beforeAll(async () => {
  // A generous rate limit: this file sends many requests as one caller.
  api = await startApi({ env: { RATE_LIMIT_BURST: '5000' } });
  const client = await api.db.pool.connect();
  try {
    tenant = await seedTenant(client, { tag: 1, name: 'Key Owner', timezone: 'Europe/Paris' });
  } finally {
    client.release();
  }
});

afterAll(async () => {
  await api?.close();
});

type Data = Record<string, unknown>;

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { jwtToken userId } }`;
const AUTHENTICATE = `mutation ($input: AuthenticateInput!) { authenticate(input: $input) { jwtToken userId } }`;

interface Session {
  jwtToken: string;
  userId: string;
}

async function register(email: string, password = 'a perfectly fine password', extra: Record<string, unknown> = {}): Promise<Session> {
  const data = okData(await api.graphql<{ register: Session }>(REGISTER, { input: { email, password, name: 'Someone', ...extra } }));
  return data.register;
}

function authenticate(email: string, password: string): Promise<HttpResult<GraphqlBody<Data>>> {
  return api.graphql<Data>(AUTHENTICATE, { input: { email, password } });
}

async function one<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await api.db.pool.query<T>(sql, params);
  const [row] = rows;
  if (!row) throw new Error(`no row: ${sql}`);
  return row;
}

async function usersWithEmail(email: string): Promise<number> {
  return Number((await one<{ n: string }>(`select count(*)::text as n from app_public.users where email = $1`, [email])).n);
}

function jwtRole(token: string): unknown {
  const [, payload = ''] = token.split('.');
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { role?: unknown }).role;
}

describe('register', () => {
  it('creates the tenant with a bcrypt hash, and both the returned token and a new sign-in work', async () => {
    const email = 'amelie@example.com';
    const password = 'correct horse battery staple';
    const session = await register(email, password, { timezone: 'Asia/Kolkata', name: 'Amélie' });
    const row = await one<{ name: string; timezone: string; role: string; hash: string }>(
      `select u.name, u.timezone, u.role, s.password_hash as hash
         from app_public.users u join app_private.user_secrets s on s.user_id = u.id where u.id = $1`,
      [session.userId],
    );
    expect(row).toMatchObject({ name: 'Amélie', timezone: 'Asia/Kolkata', role: 'user' });
    expect(row.hash).toMatch(/^\$2[ab]\$10\$/);
    expect(row.hash).not.toContain(password);
    // The founding owner (team access): its member id is the business id.
    expect(jwtRole(session.jwtToken)).toBe('app_owner');

    const signedIn = okData(await authenticate('AMELIE@example.com', password)) as { authenticate: Session };
    expect(signedIn.authenticate.userId).toBe(session.userId);
    for (const token of [session.jwtToken, signedIn.authenticate.jwtToken]) {
      const me = okData(await api.graphql<Data>(`{ currentTenant { rowId email timezone } }`, {}, token));
      expect(me.currentTenant).toEqual({ rowId: session.userId, email, timezone: 'Asia/Kolkata' });
    }
    const lastLogin = await one<{ at: Date | null }>(`select last_login_at as at from app_private.user_secrets where user_id = $1`, [session.userId]);
    expect(lastLogin.at).not.toBeNull();
  });

  it('the time zone defaults to UTC', async () => {
    const session = await register('default.zone@example.com');
    expect((await one<{ tz: string }>(`select timezone as tz from app_public.users where id = $1`, [session.userId])).tz).toBe('UTC');
  });

  it.each([
    ['a taken email', { email: 'amelie@example.com' }, 'EMAIL_TAKEN'],
    ['a taken email in other case', { email: 'Amelie@Example.COM' }, 'EMAIL_TAKEN'],
    ['a short password', { email: 'short@example.com', password: 'seven77' }, 'WEAK_PASSWORD'],
    ['a password over 72 bytes', { email: 'long@example.com', password: 'é'.repeat(37) }, 'WEAK_PASSWORD'],
    ['an unknown time zone', { email: 'mars@example.com', timezone: 'Mars/Olympus_Mons' }, 'CHECK_VIOLATION'],
    ['a POSIX offset instead of a zone name', { email: 'posix@example.com', timezone: 'UTC+5' }, 'CHECK_VIOLATION'],
    ['a malformed email', { email: 'not-an-email' }, 'CHECK_VIOLATION'],
  ])('%s: %s and nothing stored', async (_, input, code) => {
    const email = String(input.email);
    const before = await usersWithEmail(email);
    const result = await api.graphql(REGISTER, { input: { password: 'a perfectly fine password', name: 'X', ...input } });
    expect(errorCode(result)).toBe(code);
    expect(result.body.data?.register ?? null).toBeNull();
    expect(await usersWithEmail(email)).toBe(before);
    expect(JSON.stringify(result.body)).not.toMatch(/register_user|app_hidden|insert into/i);
  });

  it('a bad time zone names the rule', async () => {
    const { extensions } = onlyError(await api.graphql(REGISTER, { input: { email: 'tz@example.com', password: 'long enough!', name: 'X', timezone: 'Nowhere/Land' } }));
    expect(extensions.rule).toBe('users_timezone_valid');
  });
});

describe('authenticate', () => {
  it('unknown emails and wrong passwords get the same answer; every attempt is recorded', async () => {
    const email = 'careful@example.com';
    const session = await register(email);
    const unknown = onlyError(await authenticate('nobody-here@example.com', 'a perfectly fine password'));
    const wrong = onlyError(await authenticate(email, 'not the password'));
    expect(unknown.code).toBe('INVALID_CREDENTIALS');
    expect(wrong).toEqual(unknown);
    const { rows } = await api.db.pool.query<{ email: string; user_id: string | null; outcome: string; ip_address: string | null }>(
      `select email::text, user_id, outcome, ip_address from app_private.login_attempts where email in ($1, $2) order by id`,
      ['nobody-here@example.com', email],
    );
    expect(rows.map(({ email: e, user_id: u, outcome }) => ({ e, u, outcome }))).toEqual([
      { e: 'nobody-here@example.com', u: null, outcome: 'invalid_credentials' },
      { e: email, u: session.userId, outcome: 'invalid_credentials' },
    ]);
    expect(rows.every((row) => row.ip_address !== null && row.ip_address.length > 0)).toBe(true);
  });

  it('5 failures from one source lock the email for that source, even against the right password; the lock is committed and expires', async () => {
    const email = 'locked.out@example.com';
    const password = 'the one true password';
    const session = await register(email, password);
    const codes: Array<string | undefined> = [];
    for (let i = 1; i <= 5; i += 1) codes.push(errorCode(await authenticate(email, `wrong guess ${i}`)));
    expect(codes).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'ACCOUNT_LOCKED']);
    const right = await authenticate(email, password);
    expect(errorCode(right)).toBe('ACCOUNT_LOCKED');
    expect(right.body.data?.authenticate ?? null).toBeNull();

    // Read on another connection: the failures and the lock were committed, not rolled back with the error.
    const state = await one<{ source: string; lockouts: number; locked: boolean }>(
      `select source, lockouts, locked_until > now() as locked from app_private.login_throttles where email = $1`,
      [email],
    );
    expect(state).toEqual({ source: '127.0.0.1', lockouts: 1, locked: true });
    const outcomes = await api.db.pool.query<{ outcome: string }>(
      `select outcome from app_private.login_attempts where user_id = $1 order by id`,
      [session.userId],
    );
    expect(outcomes.rows.map((row) => row.outcome)).toEqual([
      'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'locked', 'locked',
    ]);

    // When the lock has expired (moved into the past as the owner), the right password works and resets the count.
    await api.db.pool.query(`update app_private.login_throttles set locked_until = now() - interval '1 second' where email = $1`, [email]);
    const back = okData(await authenticate(email, password)) as { authenticate: Session };
    expect(back.authenticate.userId).toBe(session.userId);
    expect(await one(`select count(*)::int as n from app_private.login_throttles where email = $1`, [email])).toEqual({ n: 0 });
  });

  it('a success resets the failure count, so failures must be consecutive to lock', async () => {
    const email = 'sometimes.wrong@example.com';
    const password = 'remembered eventually';
    const session = await register(email, password);
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 4; i += 1) expect(errorCode(await authenticate(email, 'nope nope nope'))).toBe('INVALID_CREDENTIALS');
      okData(await authenticate(email, password));
    }
    expect(session.userId).toBeTruthy();
    expect(await one(`select count(*)::int as n from app_private.login_throttles where email = $1`, [email])).toEqual({ n: 0 });
  });

  it('a deactivated account is refused with its own code', async () => {
    const email = 'gone@example.com';
    await register(email, 'still my password');
    await api.db.pool.query(`update app_public.users set is_active = false where email = $1`, [email]);
    expect(errorCode(await authenticate(email, 'still my password'))).toBe('ACCOUNT_INACTIVE');
  });

  it('a platform admin signs in with the app_admin role', async () => {
    const email = 'operator@example.com';
    await register(email, 'operating carefully');
    await api.db.pool.query(`update app_public.users set role = 'admin' where email = $1`, [email]);
    const session = (okData(await authenticate(email, 'operating carefully')) as { authenticate: Session }).authenticate;
    expect(jwtRole(session.jwtToken)).toBe('app_admin');
    const me = okData(await api.graphql<Data>(`{ currentUserIsAdmin }`, {}, session.jwtToken));
    expect(me.currentUserIsAdmin).toBe(true);
  });
});

// --- API keys ---------------------------------------------------------------------------

const CREATE_KEY = `mutation ($name: String!, $scopes: [String], $expiresAt: Datetime) {
  createApiKey(input: { name: $name, scopes: $scopes, expiresAt: $expiresAt }) {
    result { secret apiKey { rowId keyPrefix scopes expiresAt revokedAt lastUsedAt userId } }
  }
}`;
const REVOKE_KEY = `mutation ($id: UUID!) { revokeApiKey(input: { keyId: $id }) { result { rowId revokedAt } } }`;
const KEY_FORMAT = /^sbk_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$/;

interface CreatedKey {
  secret: string;
  apiKey: { rowId: string; keyPrefix: string; scopes: string[]; expiresAt: string | null; revokedAt: string | null; lastUsedAt: string | null; userId: string };
}

async function createKey(variables: { name: string; scopes?: string[]; expiresAt?: string }, token = api.tokenFor(tenant.userId)): Promise<CreatedKey> {
  const data = okData(await api.graphql<{ createApiKey: { result: CreatedKey } }>(CREATE_KEY, variables, token));
  return data.createApiKey.result;
}

/** Every row the tenant owns, hashed (read as the owner), to show that nothing changed. */
async function tenantFingerprint(): Promise<string> {
  const tables = ['agents', 'phone_numbers', 'contacts', 'follow_ups', 'customers', 'agent_targets', 'lead_analytics', 'api_keys'];
  // (an API key's last use is stamped by the authentication itself: not a write of the request)
  const parts = tables.map((t) => `(select coalesce(md5(string_agg((to_jsonb(x) - 'last_used_at')::text, '|' order by x.id)), '-') from app_public.${t} x where x.user_id = $1)`);
  return (await one<{ f: string }>(`select concat_ws(',', (select md5(to_jsonb(u)::text) from app_public.users u where u.id = $1), ${parts.join(', ')}) as f`, [tenant.userId])).f;
}

async function keyRow(id: string): Promise<{ last_used_at: Date | null; revoked_at: Date | null; scopes: string[] }> {
  return one(`select last_used_at, revoked_at, scopes from app_public.api_keys where id = $1`, [id]);
}

describe('API keys', () => {
  it('the secret is shown once and only its SHA-256 is stored', async () => {
    const created = await createKey({ name: 'CRM sync' });
    const match = KEY_FORMAT.exec(created.secret);
    expect(match?.[1]).toBe(created.apiKey.keyPrefix);
    expect(created.apiKey).toMatchObject({ scopes: ['read'], expiresAt: null, revokedAt: null, lastUsedAt: null, userId: tenant.userId });
    const stored = await one<{ hash: string }>(`select encode(key_hash, 'hex') as hash from app_private.api_key_secrets where api_key_id = $1`, [created.apiKey.rowId]);
    expect(stored.hash).toBe(createHash('sha256').update(created.secret).digest('hex'));
    // The random part appears nowhere in the database's rows for this key.
    const secretPart = created.secret.slice(-43);
    const found = await one<{ n: string }>(
      `select ((select count(*) from app_public.api_keys k where to_jsonb(k)::text like '%' || $1 || '%')
             + (select count(*) from app_private.api_key_secrets s where s.key_hash::text like '%' || $1 || '%'
                                                                    or position(convert_to($1, 'UTF8') in s.key_hash) > 0)
             + (select count(*) from app_private.audit_log a where to_jsonb(a)::text like '%' || $1 || '%'))::text as n`,
      [secretPart],
    );
    expect(found.n).toBe('0');
    // ... and the API has no field to read it (or its hash) back.
    const type = okData(await api.graphql<Data>(`{ __type(name: "ApiKey") { fields { name } } }`, {}, api.tokenFor(tenant.userId)));
    const fields = (type.__type as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
    expect(fields.filter((name) => /secret|hash/i.test(name))).toEqual([]);
    const listed = okData(await api.graphql<Data>(`{ allApiKeys(first: 50) { nodes { rowId keyPrefix } } }`, {}, api.tokenFor(tenant.userId)));
    expect((listed.allApiKeys as { nodes: Array<{ rowId: string }> }).nodes.map((n) => n.rowId)).toContain(created.apiKey.rowId);
  });

  it('a key reads its tenant\'s data as Bearer and its use is stamped', async () => {
    const created = await createKey({ name: 'reader' });
    expect((await keyRow(created.apiKey.rowId)).last_used_at).toBeNull();
    const data = okData(await api.graphql<Data>(`{ currentTenant { rowId } allAgents(first: 50) { nodes { userId } } }`, {}, created.secret));
    expect(data.currentTenant).toEqual({ rowId: tenant.userId });
    const owners = (data.allAgents as { nodes: Array<{ userId: string }> }).nodes.map((n) => n.userId);
    expect(owners.length).toBe(tenant.agentIds.length);
    expect(new Set(owners)).toEqual(new Set([tenant.userId]));
    expect((await keyRow(created.apiKey.rowId)).last_used_at).not.toBeNull();
  });

  it('a read-only key cannot write: READ_ONLY_API_KEY and nothing changes', async () => {
    const created = await createKey({ name: 'read only', scopes: ['read'] });
    const before = await tenantFingerprint();
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['mutation { createAgent(input: { agent: { providerAgentId: "ro-agent", name: "Nope" } }) { agent { rowId } } }', {}],
      ['mutation ($id: UUID!) { updateAgentByRowId(input: { rowId: $id, agentPatch: { name: "Nope" } }) { agent { rowId } } }', { id: tenant.agentIds[0] }],
      ['mutation { markAllNotificationsRead(input: {}) { result } }', {}],
      ['mutation ($id: UUID!) { completeFollowUp(input: { followUpId: $id }) { result { rowId } } }', { id: tenant.followUpIds[0] }],
      ['mutation ($id: UUID!) { updateUserByRowId(input: { rowId: $id, userPatch: { timezone: "UTC" } }) { user { rowId } } }', { id: tenant.userId }],
      ['mutation ($id: UUID!) { deleteCustomerByRowId(input: { rowId: $id }) { customer { rowId } } }', { id: tenant.customerIds[0] }],
    ];
    for (const [document, variables] of attempts) {
      const result = await api.graphql(document, variables, created.secret);
      expect(errorCode(result), document).toBe('READ_ONLY_API_KEY');
    }
    expect(await tenantFingerprint()).toBe(before);
  });

  it('a write key can write (write implies read)', async () => {
    const created = await createKey({ name: 'writer', scopes: ['write'] });
    expect(created.apiKey.scopes).toEqual(['read', 'write']);
    const data = okData(await api.graphql<{ createAgent: { agent: { rowId: string; userId: string } } }>(
      'mutation { createAgent(input: { agent: { providerAgentId: "via-write-key", name: "Via key" } }) { agent { rowId userId } } }', {}, created.secret));
    expect(data.createAgent.agent.userId).toBe(tenant.userId);
    expect((await one<{ user_id: string }>(`select user_id from app_public.agents where id = $1`, [data.createAgent.agent.rowId])).user_id).toBe(tenant.userId);
  });

  it('an API key cannot create or revoke API keys, even with the write scope', async () => {
    const created = await createKey({ name: 'writer 2', scopes: ['read', 'write'] });
    const count = async (): Promise<string> => (await one<{ n: string }>(`select count(*)::text as n from app_public.api_keys where user_id = $1`, [tenant.userId])).n;
    const before = await count();
    expect(errorCode(await api.graphql(CREATE_KEY, { name: 'child' }, created.secret))).toBe('FORBIDDEN');
    expect(errorCode(await api.graphql(REVOKE_KEY, { id: created.apiKey.rowId }, created.secret))).toBe('FORBIDDEN');
    expect(await count()).toBe(before);
    expect((await keyRow(created.apiKey.rowId)).revoked_at).toBeNull();
  });

  it('a revoked key is refused with 401; revoking is idempotent', async () => {
    const created = await createKey({ name: 'to revoke' });
    okData(await api.graphql(`{ currentUserId }`, {}, created.secret));
    const first = okData(await api.graphql<{ revokeApiKey: { result: { revokedAt: string } } }>(REVOKE_KEY, { id: created.apiKey.rowId }, api.tokenFor(tenant.userId)));
    const again = okData(await api.graphql<{ revokeApiKey: { result: { revokedAt: string } } }>(REVOKE_KEY, { id: created.apiKey.rowId }, api.tokenFor(tenant.userId)));
    expect(again.revokeApiKey.result.revokedAt).toBe(first.revokeApiKey.result.revokedAt);
    const refused = await api.graphql(`{ currentUserId }`, {}, created.secret);
    expect(refused.status).toBe(401);
    expect(errorCode(refused)).toBe('INVALID_API_KEY');
    expect(refused.body.data ?? null).toBeNull();
  });

  it('an expired key is refused with 401; one expiring later works', async () => {
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const created = await createKey({ name: 'short lived', expiresAt: later });
    expect(Date.parse(created.apiKey.expiresAt ?? '')).toBe(Date.parse(later));
    okData(await api.graphql(`{ currentUserId }`, {}, created.secret));
    await api.db.pool.query(`update app_public.api_keys set expires_at = now() - interval '1 minute' where id = $1`, [created.apiKey.rowId]);
    const refused = await api.graphql(`{ currentUserId }`, {}, created.secret);
    expect(refused.status).toBe(401);
    expect(errorCode(refused)).toBe('INVALID_API_KEY');
  });

  it('a key of a deactivated tenant is refused with 401', async () => {
    const email = 'key.owner.leaving@example.com';
    const session = await register(email);
    const created = await createKey({ name: 'orphan' }, session.jwtToken);
    okData(await api.graphql(`{ currentUserId }`, {}, created.secret));
    await api.db.pool.query(`update app_public.users set is_active = false where id = $1`, [session.userId]);
    expect((await api.graphql(`{ currentUserId }`, {}, created.secret)).status).toBe(401);
  });

  it('a tampered secret with a valid prefix is refused with 401', async () => {
    const created = await createKey({ name: 'tamper' });
    const last = created.secret.at(-1) === 'A' ? 'B' : 'A';
    const tampered = `${created.secret.slice(0, -1)}${last}`;
    expect((await api.graphql(`{ currentUserId }`, {}, tampered)).status).toBe(401);
  });

  it.each([
    ['an expiry in the past', { name: 'past', expiresAt: '2020-01-01T00:00:00Z' }, 'API_KEY_EXPIRY_PAST'],
    ['an unknown scope', { name: 'admin scope', scopes: ['read', 'admin'] }, 'API_KEY_SCOPE_UNKNOWN'],
    ['an empty name', { name: '' }, 'API_KEY_NAME_INVALID'],
    ['a blank name', { name: '   ' }, 'API_KEY_NAME_INVALID'],
    ['a name over 100 characters', { name: 'k'.repeat(101) }, 'API_KEY_NAME_INVALID'],
  ])('%s is refused (%s) and nothing is stored', async (_, variables, code) => {
    const count = async (): Promise<string> => (await one<{ n: string }>(`select count(*)::text as n from app_public.api_keys where user_id = $1`, [tenant.userId])).n;
    const before = await count();
    expect(errorCode(await api.graphql(CREATE_KEY, variables, api.tokenFor(tenant.userId)))).toBe(code);
    expect(await count()).toBe(before);
  });

  it('at most 50 active keys per tenant (LIMIT_EXCEEDED); revoking one makes room', async () => {
    const session = await register('many.keys@example.com');
    await api.db.pool.query(
      `insert into app_public.api_keys (user_id, name, key_prefix, scopes)
       select $1, format('bulk %s', i), lpad(to_hex(i), 8, 'c'), '{read}' from generate_series(1, 49) i`,
      [session.userId],
    );
    const last = await createKey({ name: 'the 50th' }, session.jwtToken);
    const refused = await api.graphql(CREATE_KEY, { name: 'the 51st' }, session.jwtToken);
    expect(errorCode(refused)).toBe('LIMIT_EXCEEDED');
    expect((await one<{ n: string }>(`select count(*)::text as n from app_public.api_keys where user_id = $1`, [session.userId])).n).toBe('50');
    okData(await api.graphql(REVOKE_KEY, { id: last.apiKey.rowId }, session.jwtToken));
    await createKey({ name: 'the 50th again' }, session.jwtToken);
  });

  it('empty scopes are refused with a clear code and nothing is stored', async () => {
    const before = (await one<{ n: string }>(`select count(*)::text as n from app_public.api_keys where user_id = $1`, [tenant.userId])).n;
    const code = errorCode(await api.graphql(CREATE_KEY, { name: 'no scopes', scopes: [] }, api.tokenFor(tenant.userId)));
    expect(code).toBe('API_KEY_SCOPE_MISSING');
    expect((await one<{ n: string }>(`select count(*)::text as n from app_public.api_keys where user_id = $1`, [tenant.userId])).n).toBe(before);
  });
});
