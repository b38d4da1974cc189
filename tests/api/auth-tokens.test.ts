/**
 * Authentication on /graphql over real HTTP: bad credentials of every kind are
 * refused with 401 and a code (never downgraded to anonymous), a valid JWT
 * sees only its tenant, register / authenticate / lock-out, API keys (read
 * only, write, revoked), and the rate limit.
 */
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_AUDIENCE, JWT_ISSUER, signJwt, verifyJwt } from '../../server/auth/jwt.ts';
import { createRateLimiter } from '../../server/auth/rate-limit.ts';
import { errorCodes, startApi, TEST_JWT_SECRET, type ApiServer } from '../helpers/api.ts';
import { withClient } from '../helpers/db.ts';
import { seedTenant, type Tenant } from '../helpers/tenants.ts';

let api: ApiServer;
let tenantA: Tenant;
let tenantB: Tenant;

beforeAll(async () => {
  api = await startApi();
  await withClient(api.db.pool, async (client) => {
    tenantA = await seedTenant(client, { tag: 1, name: 'Tenant A' });
    tenantB = await seedTenant(client, { tag: 2, name: 'Tenant B' });
  });
});

afterAll(async () => {
  await api?.close();
});

const AGENTS = `{ allAgents(first: 50) { totalCount nodes { rowId userId } } }`;

interface AgentsData {
  allAgents: { totalCount: number; nodes: Array<{ rowId: string; userId: string }> };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function sign(payload: object, options: jwt.SignOptions = {}, secret = TEST_JWT_SECRET): string {
  return jwt.sign(payload, secret, { algorithm: 'HS256', audience: JWT_AUDIENCE, issuer: JWT_ISSUER, expiresIn: 3600, ...options });
}

async function expectRefused(authorization: string, code: string): Promise<void> {
  const { status, headers, body } = await api.post(JSON.stringify({ query: AGENTS }), { authorization });
  expect(status, authorization).toBe(401);
  expect(headers.get('www-authenticate')).toMatch(/^Bearer /);
  expect(errorCodes(body), authorization).toEqual([code]);
  expect(body.data).toBeUndefined();
}

describe('bad credentials are refused, never treated as anonymous', () => {
  it('a token signed with another secret', async () => {
    const forged = sign({ role: 'app_user' }, { subject: tenantA.userId }, 'another-secret-that-is-also-long-enough!');
    await expectRefused(`Bearer ${forged}`, 'INVALID_TOKEN');
  });

  it('alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { sub: tenantA.userId, role: 'app_admin', aud: JWT_AUDIENCE, iss: JWT_ISSUER, iat: now, exp: now + 3600 };
    await expectRefused(`Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`, 'INVALID_TOKEN');
  });

  it('a token signed with the right secret under another algorithm', async () => {
    const hs512 = sign({ role: 'app_user' }, { subject: tenantA.userId, algorithm: 'HS512' });
    await expectRefused(`Bearer ${hs512}`, 'INVALID_TOKEN');
  });

  it('an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign({ role: 'app_user', iat: now - 7200, exp: now - 3600 }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      subject: tenantA.userId,
      audience: JWT_AUDIENCE,
      issuer: JWT_ISSUER,
    });
    await expectRefused(`Bearer ${expired}`, 'TOKEN_EXPIRED');
  });

  it('a wrong audience or issuer', async () => {
    await expectRefused(`Bearer ${sign({ role: 'app_user' }, { subject: tenantA.userId, audience: 'someone-else' })}`, 'INVALID_TOKEN');
    await expectRefused(`Bearer ${sign({ role: 'app_user' }, { subject: tenantA.userId, issuer: 'someone-else' })}`, 'INVALID_TOKEN');
  });

  it('a correctly signed token with a role we never issue, or without expiry', async () => {
    await expectRefused(`Bearer ${sign({ role: 'postgres' }, { subject: tenantA.userId })}`, 'INVALID_TOKEN');
    const forever = jwt.sign({ role: 'app_user' }, TEST_JWT_SECRET, { subject: tenantA.userId, audience: JWT_AUDIENCE, issuer: JWT_ISSUER });
    await expectRefused(`Bearer ${forever}`, 'INVALID_TOKEN');
  });

  it('garbage, another scheme, and malformed or unknown API keys', async () => {
    await expectRefused('Bearer not-a-jwt', 'INVALID_TOKEN');
    await expectRefused('Bearer ', 'INVALID_TOKEN');
    await expectRefused('Basic dXNlcjpwYXNz', 'INVALID_TOKEN');
    await expectRefused('Bearer sbk_nothex00_short', 'INVALID_API_KEY');
    await expectRefused(`Bearer sbk_0123abcd_${'A'.repeat(43)}`, 'INVALID_API_KEY');
  });
});

describe('verified tokens are remembered, never beyond their expiry', () => {
  const SECRET = 'a-secret-for-the-verification-cache-tests!';
  const subject = { userId: '00000000-0000-4000-8000-00000000000a', role: 'app_user' } as const;

  it('a token verified once still expires on time', () => {
    const now = Date.now();
    const token = signJwt(subject, { secret: SECRET, ttlSeconds: 60 });
    expect(verifyJwt(token, SECRET, now)).toEqual({ ok: true, subject });
    expect(verifyJwt(token, SECRET, now + 30_000)).toEqual({ ok: true, subject }); // from the cache
    // exp + 5 s of clock tolerance: refused although it verified before
    expect(verifyJwt(token, SECRET, now + 66_000)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });
    expect(verifyJwt(token, SECRET, now + 1_000)).toEqual({ ok: true, subject }); // verified again from scratch
  });

  it('a token remembered under one secret is checked again under another', () => {
    const token = signJwt(subject, { secret: SECRET, ttlSeconds: 60 });
    expect(verifyJwt(token, SECRET)).toEqual({ ok: true, subject });
    expect(verifyJwt(token, `${SECRET}-rotated`)).toMatchObject({ ok: false, code: 'INVALID_TOKEN' });
  });

  it('the same claims with another signature are not a cache hit', () => {
    const token = signJwt(subject, { secret: SECRET, ttlSeconds: 60 });
    expect(verifyJwt(token, SECRET).ok).toBe(true);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('x'.repeat(32)).toString('base64url')}`;
    expect(verifyJwt(forged, SECRET)).toMatchObject({ ok: false, code: 'INVALID_TOKEN' });
  });
});

describe('a valid JWT', () => {
  it("sees only its own tenant's agents", async () => {
    const { status, body } = await api.graphql<AgentsData>(AGENTS, {}, api.tokenFor(tenantA.userId));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.allAgents.totalCount).toBe(tenantA.agentIds.length);
    expect(body.data?.allAgents.nodes.map((agent) => agent.rowId).sort()).toEqual([...tenantA.agentIds].sort());
    expect(body.data?.allAgents.nodes.every((agent) => agent.userId === tenantA.userId)).toBe(true);

    const other = await api.graphql<AgentsData>(AGENTS, {}, api.tokenFor(tenantB.userId));
    expect(other.body.data?.allAgents.nodes.map((agent) => agent.rowId).sort()).toEqual([...tenantB.agentIds].sort());
  });

  it('without a token the caller is anonymous and sees no agents', async () => {
    const { status, body } = await api.graphql<AgentsData>(AGENTS);
    expect(status).toBe(200);
    // Either no rows or a permission error: never another tenant's data.
    expect(body.data?.allAgents?.totalCount ?? 0).toBe(0);
  });
});

describe('register and authenticate', () => {
  const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { jwtToken userId } }`;
  const AUTHENTICATE = `mutation Authenticate($input: AuthenticateInput!) { authenticate(input: $input) { jwtToken userId } }`;
  interface RegisterData {
    register: { jwtToken: string; userId: string } | null;
  }
  interface AuthenticateData {
    authenticate: { jwtToken: string; userId: string } | null;
  }

  it('registers, signs in with the new password, and the token works', async () => {
    const input = { email: 'new.user@example.com', password: 'correct horse battery', name: 'New User', timezone: 'Europe/Berlin' };
    const registered = await api.graphql<RegisterData>(REGISTER, { input });
    expect(registered.body.errors).toBeUndefined();
    const userId = registered.body.data?.register?.userId;
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);

    const signedIn = await api.graphql<AuthenticateData>(AUTHENTICATE, { input: { email: input.email, password: input.password } });
    expect(signedIn.body.errors).toBeUndefined();
    expect(signedIn.body.data?.authenticate?.userId).toBe(userId);

    for (const token of [registered.body.data?.register?.jwtToken, signedIn.body.data?.authenticate?.jwtToken]) {
      const me = await api.graphql<{ currentUserId: string }>(`{ currentUserId }`, {}, token);
      expect(me.body.data?.currentUserId).toBe(userId);
    }
  });

  it('refuses a short password and a taken email with their codes', async () => {
    const weak = await api.graphql(REGISTER, { input: { email: 'weak@example.com', password: 'short', name: 'Weak' } });
    expect(errorCodes(weak.body)).toEqual(['WEAK_PASSWORD']);
    const taken = await api.graphql(REGISTER, { input: { email: 'tenant1@example.com', password: 'long enough password', name: 'Dup' } });
    expect(errorCodes(taken.body)).toEqual(['EMAIL_TAKEN']);
  });

  it('answers unknown emails and wrong passwords alike, then locks the account', async () => {
    const input = { email: 'lockme@example.com', password: 'the right password', name: 'Lock Me' };
    expect((await api.graphql(REGISTER, { input })).body.errors).toBeUndefined();

    const unknown = await api.graphql(AUTHENTICATE, { input: { email: 'nobody@example.com', password: 'whatever123' } });
    const wrong = await api.graphql(AUTHENTICATE, { input: { email: input.email, password: 'wrong password' } });
    expect(errorCodes(unknown.body)).toEqual(['INVALID_CREDENTIALS']);
    expect(errorCodes(wrong.body)).toEqual(['INVALID_CREDENTIALS']);
    expect(unknown.body.errors?.[0]?.message).toBe(wrong.body.errors?.[0]?.message);

    // 5 failures within 15 minutes lock the account: the 5th answer already says so.
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 4; i += 1) {
      codes.push(...errorCodes((await api.graphql(AUTHENTICATE, { input: { email: input.email, password: `wrong ${i}` } })).body));
    }
    expect(codes).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'ACCOUNT_LOCKED']);
    // Even the right password is refused while locked.
    const locked = await api.graphql(AUTHENTICATE, { input: { email: input.email, password: input.password } });
    expect(errorCodes(locked.body)).toEqual(['ACCOUNT_LOCKED']);

    const { rows } = await api.db.pool.query<{ outcome: string; ip_address: string | null }>(
      `select outcome, ip_address from app_private.login_attempts where email = $1 order by id`,
      [input.email],
    );
    // The client's address is recorded with each attempt.
    expect(rows.every((row) => row.ip_address?.includes('127.0.0.1'))).toBe(true);
    expect(rows.map((row) => row.outcome)).toEqual([
      'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'locked', 'locked',
    ]);
  });

  it('refuses a deactivated account', async () => {
    const input = { email: 'inactive@example.com', password: 'a fine password', name: 'Inactive' };
    expect((await api.graphql(REGISTER, { input })).body.errors).toBeUndefined();
    await api.db.pool.query(`update app_public.users set is_active = false where email = $1`, [input.email]);
    const { body } = await api.graphql(AUTHENTICATE, { input: { email: input.email, password: input.password } });
    expect(errorCodes(body)).toEqual(['ACCOUNT_INACTIVE']);
  });
});

describe('API keys', () => {
  const CREATE = `mutation Create($name: String!, $scopes: [String]) {
    createApiKey(input: { name: $name, scopes: $scopes }) { result { secret apiKey { rowId scopes } } }
  }`;
  const CREATE_AGENT = `mutation { createAgent(input: { agent: { name: "Via key", providerAgentId: "via-key-${Date.now()}" } }) { agent { rowId } } }`;
  interface CreateData {
    createApiKey: { result: { secret: string; apiKey: { rowId: string; scopes: string[] } } } | null;
  }

  async function createKey(scopes: string[]): Promise<{ secret: string; id: string }> {
    const { body } = await api.graphql<CreateData>(CREATE, { name: `key ${scopes.join('+')}`, scopes }, api.tokenFor(tenantA.userId));
    expect(body.errors).toBeUndefined();
    const result = body.data?.createApiKey?.result;
    if (!result) throw new Error('no key created');
    expect(result.secret).toMatch(/^sbk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    return { secret: result.secret, id: result.apiKey.rowId };
  }

  it('a read-only key reads its tenant and cannot write', async () => {
    const key = await createKey(['read']);
    const read = await api.graphql<AgentsData>(AGENTS, {}, key.secret);
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data?.allAgents.nodes.every((agent) => agent.userId === tenantA.userId)).toBe(true);
    expect(read.body.data?.allAgents.totalCount).toBe(tenantA.agentIds.length);

    const write = await api.graphql(CREATE_AGENT, {}, key.secret);
    expect(errorCodes(write.body)).toEqual(['READ_ONLY_API_KEY']);
    expect(write.body.errors?.[0]?.message).toBe('This API key is read-only.');
  });

  it('a write key can write; a revoked key is refused', async () => {
    const key = await createKey(['read', 'write']);
    const write = await api.graphql<{ createAgent: { agent: { rowId: string } } }>(CREATE_AGENT, {}, key.secret);
    expect(write.body.errors).toBeUndefined();
    expect(write.body.data?.createAgent.agent.rowId).toMatch(/^[0-9a-f-]{36}$/);

    const revoked = await api.graphql(
      `mutation Revoke($id: UUID!) { revokeApiKey(input: { keyId: $id }) { result { revokedAt } } }`,
      { id: key.id },
      api.tokenFor(tenantA.userId),
    );
    expect(revoked.body.errors).toBeUndefined();
    await expectRefused(`Bearer ${key.secret}`, 'INVALID_API_KEY');
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once the bucket is empty', async () => {
    // A second server on the same database with a tiny budget: 2 at once, then 1 a minute.
    const limited = await startApi({ db: api.db, env: { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '2' } });
    try {
      const token = limited.tokenFor(tenantA.userId);
      expect((await limited.graphql(`{ currentUserId }`, {}, token)).status).toBe(200);
      expect((await limited.graphql(`{ currentUserId }`, {}, token)).status).toBe(200);
      const refused = await limited.graphql(`{ currentUserId }`, {}, token);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(errorCodes(refused.body)).toEqual(['RATE_LIMITED']);
      // Buckets are per caller: another tenant still has its own.
      expect((await limited.graphql(`{ currentUserId }`, {}, limited.tokenFor(tenantB.userId))).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("a tenant's API keys and sessions share one bucket: more keys do not multiply its budget", async () => {
    // 2 per caller and 3 per tenant, never refilled (frozen clock).
    const limited = await startApi({
      db: api.db,
      env: { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '2', RATE_LIMIT_TENANT_PER_MINUTE: '1', RATE_LIMIT_TENANT_BURST: '3' },
      now: () => 0,
    });
    try {
      const keys: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const { body } = await api.graphql<{ createApiKey: { result: { secret: string } } }>(
          `mutation ($name: String!) { createApiKey(input: { name: $name }) { result { secret } } }`,
          { name: `shared budget ${i}` },
          api.tokenFor(tenantA.userId),
        );
        expect(body.errors).toBeUndefined();
        keys.push(body.data?.createApiKey.result.secret ?? '');
      }
      const [first = '', second = '', third = ''] = keys;
      const statuses = [];
      for (const key of [first, first, second, second, third]) statuses.push((await limited.graphql(`{ currentUserId }`, {}, key)).status);
      // Each key alone would allow 2 (6 in all); the tenant's bucket stops the 4th.
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await limited.graphql(`{ currentUserId }`, {}, limited.tokenFor(tenantA.userId));
      expect(refused.status).toBe(429);
      expect(errorCodes(refused.body)).toEqual(['RATE_LIMITED']);
      expect(refused.body.errors?.[0]?.message).toMatch(/this account/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another tenant has its own bucket.
      expect((await limited.graphql(`{ currentUserId }`, {}, limited.tokenFor(tenantB.userId))).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('refills over time and forgets idle callers (injected clock)', () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 60, burst: 2, now: () => now, sweepIntervalMs: 0 });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    now += 1000; // one token a second
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.sweep()).toBe(2); // both still below capacity
    now += 10_000;
    expect(limiter.sweep()).toBe(0);
    limiter.stop();
  });
});
