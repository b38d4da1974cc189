/**
 * Team access through GraphQL over real HTTP: sign-up creates the business, its
 * owner login and the sign-up bonus in the ledger; owners invite by a one-time
 * link, change roles and remove members; the member's current role is read on
 * every request (a role change applies at once, a removed member's token is
 * refused); viewers cannot write (READ_ONLY_MEMBER) but can change their own
 * password; managers cannot reach API keys or provider secrets; reset links
 * work once; the operator's reset link; membership changes are audit-logged.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startApi, type ApiServer } from '../helpers/api.ts';
import { okData } from '../helpers/graphql-result.ts';
import { operatorResetLink } from '../../server/team/reset-link.ts';
import { runAsCaller } from '../../server/auth/current-caller.ts';
import { toApiError } from '../../server/errors.ts';
import { createLogger } from '../../kernel/log.ts';

let api: ApiServer;

type Data = Record<string, unknown>;

interface Session {
  jwtToken: string;
  userId: string;
  memberId: string;
  role: string;
}

const SESSION = 'jwtToken userId memberId role';
const OWNER_EMAIL = 'owner@team.example.com';
const PASSWORD = 'owner password 123';

let owner: Session;

async function gql(document: string, variables: Record<string, unknown> = {}, token?: string) {
  return api.graphql<Data>(document, variables, token);
}

async function register(email: string, password: string, name: string): Promise<Session> {
  const data = okData(
    await gql(`mutation ($input: RegisterInput!) { register(input: $input) { ${SESSION} } }`, { input: { email, password, name, timezone: 'Europe/Berlin' } }),
  ) as { register: Session };
  return data.register;
}

async function signIn(email: string, password: string) {
  return gql(`mutation ($input: AuthenticateInput!) { authenticate(input: $input) { ${SESSION} } }`, { input: { email, password } });
}

async function invite(email: string, role: string, token = owner.jwtToken): Promise<string> {
  const data = okData(
    await gql(`mutation ($email: String!, $role: String!) { inviteMember(input: { email: $email, role: $role }) { result { token invitation { rowId role } } } }`, { email, role }, token),
  ) as { inviteMember: { result: { token: string } } };
  return data.inviteMember.result.token;
}

async function accept(token: string, name: string, password: string) {
  return gql(`mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { ${SESSION} } }`, { input: { token, name, password } });
}

async function join(email: string, role: string, password = 'member password 1'): Promise<Session> {
  const data = okData(await accept(await invite(email, role), `Member ${role}`, password)) as { acceptInvitation: Session };
  return data.acceptInvitation;
}

const CREATE_AGENT = `mutation ($id: String!) { createAgent(input: { agent: { providerAgentId: $id, name: "Team agent" } }) { agent { rowId } } }`;

async function agentCount(userId: string): Promise<number> {
  const { rows } = await api.db.pool.query<{ n: number }>('select count(*)::int as n from app_public.agents where user_id = $1', [userId]);
  return rows[0]?.n ?? -1;
}

beforeAll(async () => {
  api = await startApi({ secretsKey: createHash('sha256').update('team-test-secrets-key').digest(), env: { RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_BURST: '100000', RATE_LIMIT_TENANT_PER_MINUTE: '100000', RATE_LIMIT_TENANT_BURST: '100000' } });
  owner = await register(OWNER_EMAIL, PASSWORD, 'Team Business');
});

afterAll(async () => {
  await api?.close();
});

describe('sign-up', () => {
  it('creates the business and its owner login (same id), and grants the sign-up bonus through the ledger', async () => {
    expect(owner).toMatchObject({ role: 'owner', memberId: owner.userId });
    const { rows } = await api.db.pool.query<{ type: string; amount: number; description: string }>(
      `select type, amount, description from app_public.credit_transactions where user_id = $1`,
      [owner.userId],
    );
    const bonus = await api.db.pool.query<{ value: number }>(`select (value #>> '{}')::int as value from app_private.system_config where key = 'credits.signup_bonus'`);
    expect(bonus.rows[0]?.value).toBeGreaterThan(0);
    expect(rows).toEqual([{ type: 'bonus', amount: bonus.rows[0]?.value, description: 'Sign-up bonus' }]);
    const me = okData(await gql(`{ currentTenant { availableCredits } currentMember { role email name } }`, {}, owner.jwtToken));
    expect(me).toEqual({ currentTenant: { availableCredits: bonus.rows[0]?.value }, currentMember: { role: 'owner', email: OWNER_EMAIL, name: 'Team Business' } });
    // The posting job posts it like any other row.
    await api.db.pool.query('select app_hidden.post_credit_transactions()');
    const posted = await api.db.pool.query<{ credits: number }>('select credits from app_public.users where id = $1', [owner.userId]);
    expect(posted.rows[0]?.credits).toBe(bonus.rows[0]?.value);
  });
});

describe('invitations', () => {
  it('a viewer joins by a one-time link, signs in with its own password, reads but cannot write', async () => {
    const token = await invite('viewer@team.example.com', 'viewer');
    expect(token).toMatch(/^sbi_[A-Za-z0-9_-]{43}$/);
    const stored = await api.db.pool.query<{ n: number }>(
      `select count(*)::int as n from app_private.member_links where token_hash = public.digest($1, 'sha256') and kind = 'invitation'`,
      [token],
    );
    expect(stored.rows[0]?.n).toBe(1);
    const joined = okData(await accept(token, 'Vera Viewer', 'viewer password 1')) as { acceptInvitation: Session };
    expect(joined.acceptInvitation).toMatchObject({ userId: owner.userId, role: 'viewer' });
    // The link works once.
    expect(errorCodes((await accept(token, 'Again', 'viewer password 2')).body)).toEqual(['INVALID_LINK']);

    const signedIn = okData(await signIn('VIEWER@team.example.com', 'viewer password 1')) as { authenticate: Session };
    const viewer = signedIn.authenticate;
    expect(viewer).toMatchObject({ userId: owner.userId, memberId: joined.acceptInvitation.memberId, role: 'viewer' });
    const seen = okData(await gql(`{ currentTenant { rowId name } currentMember { role name } }`, {}, viewer.jwtToken));
    expect(seen).toEqual({ currentTenant: { rowId: owner.userId, name: 'Team Business' }, currentMember: { role: 'viewer', name: 'Vera Viewer' } });

    const before = await agentCount(owner.userId);
    const write = await gql(CREATE_AGENT, { id: 'viewer-agent' }, viewer.jwtToken);
    expect(errorCodes(write.body)).toEqual(['READ_ONLY_MEMBER']);
    expect(write.body.errors?.[0]?.message).toMatch(/view-only/);
    expect(await agentCount(owner.userId)).toBe(before);
    expect(errorCodes((await gql(`mutation { inviteMember(input: { email: "x@team.example.com", role: "viewer" }) { result { token } } }`, {}, viewer.jwtToken)).body)).toEqual(['FORBIDDEN']);
  });

  it('refuses a bad role, an email that already signs in, and expired or revoked links', async () => {
    const badRole = await gql(`mutation { inviteMember(input: { email: "boss@team.example.com", role: "boss" }) { result { token } } }`, {}, owner.jwtToken);
    expect(errorCodes(badRole.body)).toEqual(['INVALID_MEMBER_ROLE']);
    const taken = await gql(`mutation { inviteMember(input: { email: "Owner@Team.example.com", role: "viewer" }) { result { token } } }`, {}, owner.jwtToken);
    expect(errorCodes(taken.body)).toEqual(['EMAIL_TAKEN']);

    const expiring = await invite('late@team.example.com', 'manager');
    await api.db.pool.query(`update app_private.member_links set expires_at = now() - interval '1 second' where token_hash = public.digest($1, 'sha256')`, [expiring]);
    expect(errorCodes((await accept(expiring, 'Late', 'late password 1')).body)).toEqual(['INVALID_LINK']);

    const replaced = await invite('twice@team.example.com', 'viewer');
    const latest = await invite('twice@team.example.com', 'manager');
    expect(errorCodes((await accept(replaced, 'Twice', 'twice password 1')).body)).toEqual(['INVALID_LINK']);
    expect(okData(await accept(latest, 'Twice', 'twice password 1'))).toMatchObject({ acceptInvitation: { role: 'manager' } });

    const weak = await invite('weak@team.example.com', 'viewer');
    expect(errorCodes((await accept(weak, 'Weak', 'short')).body)).toEqual(['WEAK_PASSWORD']);
    // A refused weak password does not use the link up.
    expect(okData(await accept(weak, 'Weak', 'long enough password'))).toMatchObject({ acceptInvitation: { role: 'viewer' } });
  });
});

describe('roles are read on every request', () => {
  it('a manager cannot reach API keys, provider secrets or members; promoted to owner it can, at once', async () => {
    const manager = await join('manager@team.example.com', 'manager');
    expect(okData(await gql(CREATE_AGENT, { id: 'manager-agent' }, manager.jwtToken))).toMatchObject({ createAgent: { agent: {} } });
    for (const document of [
      `mutation { createApiKey(input: { name: "m", scopes: ["read"] }) { result { secret } } }`,
      `{ allApiKeys(first: 10) { nodes { rowId } } }`,
      `mutation { rotateBolnaIngestToken(input: {}) { clientMutationId } }`,
      `mutation { setBolnaSigningSecret(input: { secret: "a-signing-secret-of-length" }) { bolnaSigningSecretSet } }`,
      `{ allInvitations(first: 10) { nodes { rowId } } }`,
      `mutation { issuePasswordReset(input: { memberId: "${owner.memberId}" }) { result } }`,
    ]) {
      const result = await gql(document, {}, manager.jwtToken);
      expect(result.body.errors?.length, document).toBeGreaterThan(0);
      expect(errorCodes(result.body).every((code) => code === 'FORBIDDEN' || code === 'GRAPHQL_VALIDATION_FAILED'), `${document}: ${JSON.stringify(result.body.errors)}`).toBe(true);
    }
    okData(await gql(`mutation ($id: UUID!) { setMemberRole(input: { memberId: $id, role: "owner" }) { result { role } } }`, { id: manager.memberId }, owner.jwtToken));
    // Same token, next request: owner rights.
    expect(okData(await gql(`{ allApiKeys { totalCount } }`, {}, manager.jwtToken))).toEqual({ allApiKeys: { totalCount: 0 } });
    okData(await gql(`mutation ($id: UUID!) { setMemberRole(input: { memberId: $id, role: "viewer" }) { result { role } } }`, { id: manager.memberId }, owner.jwtToken));
    expect(errorCodes((await gql(CREATE_AGENT, { id: 'demoted' }, manager.jwtToken)).body)).toEqual(['READ_ONLY_MEMBER']);
  });

  it("a removed member's token stops working (401 MEMBERSHIP_REVOKED); its login is gone", async () => {
    const leaving = await join('leaving@team.example.com', 'manager', 'leaving password 1');
    expect(okData(await gql(`{ currentMember { role } }`, {}, leaving.jwtToken))).toEqual({ currentMember: { role: 'manager' } });
    okData(await gql(`mutation ($id: UUID!) { removeMember(input: { memberId: $id }) { result { email } } }`, { id: leaving.memberId }, owner.jwtToken));
    const after = await gql(`{ currentMember { role } }`, {}, leaving.jwtToken);
    expect(after.status).toBe(401);
    expect(errorCodes(after.body)).toEqual(['MEMBERSHIP_REVOKED']);
    expect(errorCodes((await signIn('leaving@team.example.com', 'leaving password 1')).body)).toEqual(['INVALID_CREDENTIALS']);
  });

  it('the last owner can be neither demoted nor removed', async () => {
    const { rows } = await api.db.pool.query<{ id: string }>(`select id from app_public.members where user_id = $1 and role = 'owner' and id <> $1`, [owner.userId]);
    for (const row of rows) await api.db.pool.query(`update app_public.members set role = 'manager' where id = $1`, [row.id]);
    const demote = await gql(`mutation ($id: UUID!) { setMemberRole(input: { memberId: $id, role: "viewer" }) { result { role } } }`, { id: owner.memberId }, owner.jwtToken);
    expect(errorCodes(demote.body)).toEqual(['LAST_OWNER']);
    const remove = await gql(`mutation ($id: UUID!) { removeMember(input: { memberId: $id }) { result { role } } }`, { id: owner.memberId }, owner.jwtToken);
    expect(errorCodes(remove.body)).toEqual(['LAST_OWNER']);
    expect(okData(await gql(`{ currentMember { role } }`, {}, owner.jwtToken))).toEqual({ currentMember: { role: 'owner' } });
  });

  it("another business's owner cannot touch this business's members", async () => {
    const other = await register('other@elsewhere.example.com', 'other password 1', 'Elsewhere');
    const ids = await api.db.pool.query<{ id: string }>(`select id from app_public.members where user_id = $1`, [owner.userId]);
    const listed = okData(await gql(`{ allMembers(first: 50) { nodes { rowId userId } } }`, {}, other.jwtToken)) as { allMembers: { nodes: Array<{ userId: string }> } };
    expect(listed.allMembers.nodes.every((node) => node.userId === other.userId)).toBe(true);
    for (const { id } of ids.rows) {
      for (const document of [
        `mutation ($id: UUID!) { setMemberRole(input: { memberId: $id, role: "owner" }) { result { role } } }`,
        `mutation ($id: UUID!) { removeMember(input: { memberId: $id }) { result { role } } }`,
        `mutation ($id: UUID!) { issuePasswordReset(input: { memberId: $id }) { result } }`,
      ]) {
        expect(errorCodes((await gql(document, { id }, other.jwtToken)).body)).toEqual(['NOT_FOUND']);
      }
    }
    expect((await api.db.pool.query(`select id from app_public.members where user_id = $1`, [owner.userId])).rowCount).toBe(ids.rowCount);
  });
});

describe('passwords', () => {
  it('any member changes its own password with the current one, viewers included', async () => {
    const viewer = await join('changer@team.example.com', 'viewer', 'first password 1');
    const wrong = await gql(`mutation { changePassword(input: { currentPassword: "nope nope", newPassword: "second password 2" }) }`, {}, viewer.jwtToken);
    expect(errorCodes(wrong.body)).toEqual(['WRONG_PASSWORD']);
    const weak = await gql(`mutation { changePassword(input: { currentPassword: "first password 1", newPassword: "short" }) }`, {}, viewer.jwtToken);
    expect(errorCodes(weak.body)).toEqual(['WEAK_PASSWORD']);
    expect(okData(await gql(`mutation { changePassword(input: { currentPassword: "first password 1", newPassword: "second password 2" }) }`, {}, viewer.jwtToken))).toEqual({ changePassword: true });
    expect(errorCodes((await signIn('changer@team.example.com', 'first password 1')).body)).toEqual(['INVALID_CREDENTIALS']);
    okData(await signIn('changer@team.example.com', 'second password 2'));
  });

  it("an owner's reset link works once and signs the member in", async () => {
    const member = await join('forgetful@team.example.com', 'manager', 'forgotten password');
    const issued = okData(await gql(`mutation ($id: UUID!) { issuePasswordReset(input: { memberId: $id }) { result } }`, { id: member.memberId }, owner.jwtToken)) as {
      issuePasswordReset: { result: string };
    };
    const token = issued.issuePasswordReset.result;
    const reset = `mutation ($input: ResetPasswordInput!) { resetPassword(input: $input) { ${SESSION} } }`;
    const first = okData(await gql(reset, { input: { token, password: 'remembered password' } })) as { resetPassword: Session };
    expect(first.resetPassword).toMatchObject({ memberId: member.memberId, role: 'manager' });
    expect(errorCodes((await gql(reset, { input: { token, password: 'another password 3' } })).body)).toEqual(['INVALID_LINK']);
    okData(await signIn('forgetful@team.example.com', 'remembered password'));
  });

  it("the operator's link (npm run password-reset) works for any login, once", async () => {
    const link = await operatorResetLink(api.db.pool, 'owner@TEAM.example.com', 'https://switchboard.example.com');
    expect(link?.url).toMatch(/^https:\/\/switchboard\.example\.com\/reset-password\/sbr_[A-Za-z0-9_-]{43}$/);
    expect(await operatorResetLink(api.db.pool, 'nobody@team.example.com', 'https://x.example.com')).toBeUndefined();
    const reset = `mutation ($input: ResetPasswordInput!) { resetPassword(input: $input) { role } }`;
    expect(okData(await gql(reset, { input: { token: link?.token, password: 'operator set this' } }))).toEqual({ resetPassword: { role: 'owner' } });
    expect(errorCodes((await gql(reset, { input: { token: link?.token, password: 'operator set this' } })).body)).toEqual(['INVALID_LINK']);
    owner = (okData(await signIn(OWNER_EMAIL, 'operator set this')) as { authenticate: Session }).authenticate;
  });
});

describe('audit trail', () => {
  it('records invitations and membership changes with the login that made them, never password hashes', async () => {
    const { rows } = await api.db.pool.query<{ action: string; resource_type: string; actor: string; member_id: string | null; text: string }>(
      `select action, resource_type, actor, member_id, coalesce(new_values::text, '') || coalesce(old_values::text, '') as text
         from app_hidden.audit_log where user_id = $1 and resource_type in ('members', 'invitations', 'member_secrets', 'password_reset_links')`,
      [owner.userId],
    );
    const kinds = new Set(rows.map((row) => `${row.resource_type}.${row.action}`));
    for (const kind of ['invitations.insert', 'invitations.update', 'members.insert', 'members.update', 'members.delete', 'member_secrets.update', 'password_reset_links.insert']) {
      expect(kinds, kind).toContain(kind);
    }
    const roleChange = rows.find((row) => row.resource_type === 'members' && row.action === 'update' && row.text.includes('"role"'));
    expect(roleChange).toMatchObject({ actor: 'user', member_id: owner.memberId });
    expect(rows.some((row) => /\$2[ab]\$/.test(row.text))).toBe(false);
  });
});

describe('error codes (server/errors.ts)', () => {
  const log = createLogger('test:team-errors');
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR', routine: 'exec_stmt_raise' });

  it('each team error has its code, an HTTP status and the plain sentence our SQL wrote', () => {
    for (const [state, code, status] of [
      ['SB201', 'INVALID_MEMBER_ROLE', 400],
      ['SB202', 'INVALID_LINK', 400],
      ['SB203', 'LAST_OWNER', 409],
      ['SB204', 'WRONG_PASSWORD', 400],
    ] as const) {
      expect(toApiError(pgError(state, 'A sentence.'), log)).toMatchObject({ code, httpStatus: status, message: 'A sentence.' });
    }
  });

  it("a refused write in a read-only transaction: a viewer's or a read-only key's, each in its own words", () => {
    const readOnly = Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006', severity: 'ERROR' });
    expect(runAsCaller('member', () => toApiError(readOnly, log))).toMatchObject({ code: 'READ_ONLY_MEMBER', httpStatus: 403 });
    expect(runAsCaller('member', () => toApiError(readOnly, log)).message).toMatch(/^You have view-only access.*\.$/);
    expect(runAsCaller('apiKey', () => toApiError(readOnly, log))).toMatchObject({ code: 'READ_ONLY_API_KEY', message: 'This API key is read-only.' });
  });

  it('the messages users meet are sentences without SQL', async () => {
    const seen = [
      (await gql(`mutation { inviteMember(input: { email: "boss2@team.example.com", role: "boss" }) { result { token } } }`, {}, owner.jwtToken)).body,
      (await accept('sbi_not-a-real-token', 'Nobody', 'nobody password')).body,
    ].map((body) => body.errors?.[0]?.message ?? '');
    expect(seen).toEqual(['The role must be owner, manager or viewer.', 'This link is invalid, expired or already used: ask for a new one.']);
  });
});
