/**
 * Team access mutations that sign a login in or touch its own password
 * (the owners' mutations — inviteMember, setMemberRole, removeMember,
 * revokeInvitation, issuePasswordReset — are plain SQL functions in
 * app_public, exposed by PostGraphile and granted to app_owner only):
 *
 * - `acceptInvitation(token, name, password)`: signed out (app_anonymous),
 *   `app_hidden.accept_invitation` creates the login once; returns a session.
 * - `resetPassword(token, password)`: signed out, a one-time reset link.
 * - `changePassword(currentPassword, newPassword)`: the signed-in member's own
 *   password. It runs on the app_authenticator pool for the member that
 *   request-auth verified against the database, not in the request's role:
 *   a viewer's request transactions are read-only, and a viewer may still
 *   change its own password. API keys are refused.
 */
import { sideEffectWithPgClientTransaction } from 'postgraphile/@dataplan/pg';
import { context, lambda, sideEffect, type FieldArgs } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import type pg from 'pg';
import type { RequestAuth } from '../auth/request-auth.ts';
import { issue, signedInMember, text } from './auth-plugin.ts';
import { SafeError } from './safe-error.ts';

interface MemberRow {
  user_id: string | null;
  member_id: string | null;
  db_role: string | null;
  member_role: string | null;
}

interface ChangeRequest {
  input: unknown;
  auth: RequestAuth;
  pool: pg.Pool | null;
}

async function changePassword({ input, auth, pool }: ChangeRequest): Promise<boolean> {
  if (auth.kind === 'anonymous') throw new SafeError('Sign in first.', { code: 'FORBIDDEN', statusCode: 403 });
  if (auth.kind === 'apiKey') {
    throw new SafeError('API keys cannot change passwords; sign in with a password.', { code: 'FORBIDDEN', statusCode: 403 });
  }
  if (!pool) throw new Error('The GraphQL context has no authenticator pool (server built without one)');
  await pool.query('select app_hidden.change_member_password($1, $2, $3, $4)', [
    auth.userId,
    auth.memberId,
    text(input, 'currentPassword'),
    text(input, 'newPassword'),
  ]);
  return true;
}

export const TeamPlugin = extendSchema((build) => {
  const executor = build.input.pgRegistry.pgExecutors.main;
  if (!executor) throw new Error('TeamPlugin: no main pg executor');

  /** Runs a signed-out link function (one row: the member to sign in) in the request's transaction. */
  const linkSignIn = (sql: string, keys: string[]) => (_: unknown, fieldArgs: FieldArgs) => {
    const $row = sideEffectWithPgClientTransaction(executor, fieldArgs.getRaw('input'), async (client, input: unknown) => {
      const { rows } = await client.query<MemberRow>({ text: sql, values: keys.map((key) => text(input, key)) });
      return rows[0] ?? null;
    });
    return lambda({ row: $row, issueJwt: context().get('issueJwt') }, ({ row, issueJwt }) => {
      if (!row) throw new SafeError('This login is deactivated.', { code: 'ACCOUNT_INACTIVE' });
      return issue(issueJwt, signedInMember(row));
    });
  };

  return {
    typeDefs: gql`
      input AcceptInvitationInput {
        "The token from the invitation link (/invite/<token>)."
        token: String!
        "Your name, as your team will see it."
        name: String!
        "At least 8 characters."
        password: String!
      }
      input ResetPasswordInput {
        "The token from the reset link (/reset-password/<token>)."
        token: String!
        "The new password: at least 8 characters."
        password: String!
      }
      input ChangePasswordInput {
        currentPassword: String!
        "At least 8 characters."
        newPassword: String!
      }
      extend type Mutation {
        "Joins a business with a one-time invitation link, sets your name and password, and signs you in."
        acceptInvitation(input: AcceptInvitationInput!): AuthPayload
        "Sets a new password with a one-time reset link and signs you in."
        resetPassword(input: ResetPasswordInput!): AuthPayload
        "Changes the signed-in login's own password (the current one is required). Any role, viewers included."
        changePassword(input: ChangePasswordInput!): Boolean
      }
    `,
    objects: {
      Mutation: {
        plans: {
          acceptInvitation: linkSignIn(
            'select user_id, member_id, db_role, member_role from app_hidden.accept_invitation($1, $2, $3)',
            ['token', 'name', 'password'],
          ),
          resetPassword: linkSignIn('select user_id, member_id, db_role, member_role from app_hidden.reset_password($1, $2)', [
            'token',
            'password',
          ]),
          changePassword(_, fieldArgs) {
            return sideEffect(
              { input: fieldArgs.getRaw('input'), auth: context().get('auth'), pool: context().get('authenticatorPool') },
              (request: ChangeRequest) => changePassword(request),
            );
          },
        },
      },
    },
  };
}, 'SwitchboardTeamPlugin');
