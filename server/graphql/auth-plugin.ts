/**
 * `register` and `authenticate` mutations. Passwords never leave PostgreSQL:
 * `app_hidden.register_user` hashes them (bcrypt) and `app_hidden.login`
 * checks them, records the attempt and locks the account after repeated
 * failures. The server only signs the JWT (server/auth/jwt.ts, via the
 * context's `issueJwt`, so building the schema needs no secret).
 *
 * Both run with the request's pgSettings (normally `app_anonymous`, which is
 * granted execute on both functions).
 *
 * `login` never raises for bad credentials, so the recorded attempt and the
 * failure count commit; the failure is turned into an error in a later step,
 * after the database work is done.
 */
import { sideEffectWithPgClient, sideEffectWithPgClientTransaction } from 'postgraphile/@dataplan/pg';
import { context, lambda } from 'postgraphile/grafast';
import { SafeError } from './safe-error.ts';
import { extendSchema, gql } from 'postgraphile/utils';
import { isTokenRole, type JwtSubject, type TokenRole } from '../auth/jwt.ts';
import { isMemberRole, type MemberRole } from '../auth/request-auth.ts';

export interface AuthPayload {
  jwtToken: string;
  userId: string;
  memberId: string;
  role: MemberRole;
}

interface LoginRow {
  outcome: string;
  user_id: string | null;
  db_role: string | null;
  member_id: string | null;
  member_role: string | null;
}

export function text(input: unknown, key: string): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const value = (input as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : null;
}

/** A signed-in member: the business, the login, its database role and member role. */
export interface SignedInMember {
  userId: string;
  memberId: string;
  role: TokenRole;
  memberRole: MemberRole;
}

export function issue(issueJwt: ((subject: JwtSubject) => string) | null, member: SignedInMember): AuthPayload {
  if (!issueJwt) throw new Error('The GraphQL context has no JWT signer (server built without JWT_SECRET)');
  const jwtToken = issueJwt({ userId: member.userId, memberId: member.memberId, role: member.role });
  return { jwtToken, userId: member.userId, memberId: member.memberId, role: member.memberRole };
}

/** A row of app_hidden.login / accept_invitation / reset_password, checked. */
export function signedInMember(row: { user_id: string | null; member_id: string | null; db_role: string | null; member_role: string | null }): SignedInMember {
  if (!row.user_id || !row.member_id || !isTokenRole(row.db_role) || !isMemberRole(row.member_role)) {
    throw new Error('sign-in returned no business, member or role');
  }
  return { userId: row.user_id, memberId: row.member_id, role: row.db_role, memberRole: row.member_role };
}


function loginResult(row: LoginRow | undefined, issueJwt: ((subject: JwtSubject) => string) | null): AuthPayload {
  switch (row?.outcome) {
    case 'ok':
      return issue(issueJwt, signedInMember(row));
    case 'locked':
      // Per (email, source), the same for unknown emails: see app_hidden.login.
      throw new SafeError('Too many failed sign-ins for this email from your address: signing in from here is paused for a while. Try again later.', {
        code: 'ACCOUNT_LOCKED',
      });
    case 'inactive':
      throw new SafeError('This account has been deactivated.', { code: 'ACCOUNT_INACTIVE' });
    case 'invalid_credentials':
      // One message for unknown emails and wrong passwords, so neither is revealed.
      throw new SafeError('Incorrect email or password.', { code: 'INVALID_CREDENTIALS' });
    default:
      throw new Error(`login returned an unknown outcome: ${String(row?.outcome)}`);
  }
}

export const AuthPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main;
  if (!executor) throw new Error('AuthPlugin: no main pg executor');
  return {
    typeDefs: gql`
      input RegisterInput {
        email: String!
        "At least 8 characters."
        password: String!
        name: String!
        "IANA time zone (e.g. Europe/Berlin) used for daily KPIs; default UTC."
        timezone: String
      }
      input AuthenticateInput {
        email: String!
        password: String!
      }
      "A signed-in session: send the token as Authorization: Bearer <jwtToken>."
      type AuthPayload {
        jwtToken: String!
        "The business (tenant)."
        userId: UUID!
        "The login (member) that signed in."
        memberId: UUID!
        "The login's role: owner, manager or viewer."
        role: String!
      }
      extend type Mutation {
        "Creates an account (a business and its owner login) and signs it in."
        register(input: RegisterInput!): AuthPayload
        "Signs a login (member) in with email and password. Repeated failures lock signing in for that email from your address for a while."
        authenticate(input: AuthenticateInput!): AuthPayload
      }
    `,
    objects: {
      Mutation: {
        plans: {
          register(_, fieldArgs) {
            const $userId = sideEffectWithPgClientTransaction(executor, fieldArgs.getRaw('input'), async (client, input: unknown) => {
              const { rows } = await client.query<{ user_id: string }>({
                text: 'select app_hidden.register_user($1, $2, $3, coalesce($4, $5)) as user_id',
                values: [text(input, 'email'), text(input, 'password'), text(input, 'name'), text(input, 'timezone'), 'UTC'],
              });
              const userId = rows[0]?.user_id;
              if (!userId) throw new Error('register_user returned no id');
              return userId;
            });
            return lambda({ userId: $userId, issueJwt: context().get('issueJwt') }, ({ userId, issueJwt }) =>
              issue(issueJwt, { userId, memberId: userId, role: 'app_owner', memberRole: 'owner' }),
            );
          },
          authenticate(_, fieldArgs) {
            const $row = sideEffectWithPgClient(
              executor,
              { input: fieldArgs.getRaw('input'), ip: context().get('clientIp') },
              async (client, { input, ip }: { input: unknown; ip: string | null }) => {
                const { rows } = await client.query<LoginRow>({
                  text: 'select outcome, user_id, db_role, member_id, member_role from app_hidden.login($1, $2, $3)',
                  values: [text(input, 'email'), text(input, 'password'), ip],
                });
                return rows[0];
              },
            );
            return lambda({ row: $row, issueJwt: context().get('issueJwt') }, ({ row, issueJwt }) => loginResult(row, issueJwt));
          },
        },
      },
    },
  };
}, 'SwitchboardAuthPlugin');
