/** The dashboard's mutations: sign in, mark a smart notification read (or unread), mark all read. */
import type { SignInMutation, SignInMutationVariables, MarkNotificationReadMutation, MarkNotificationReadMutationVariables, MarkAllNotificationsReadMutation, MarkAllNotificationsReadMutationVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type SignInData = SignInMutation;
export type SignInVariables = SignInMutationVariables;

export const SIGN_IN = typedDocument<SignInData, SignInVariables>(
  'SignIn',
  /* GraphQL */ `
  mutation SignIn($email: String!, $password: String!) {
    authenticate(input: { email: $email, password: $password }) { jwtToken userId }
  }
`,
);

export type MarkReadData = MarkNotificationReadMutation;
export type MarkReadVariables = MarkNotificationReadMutationVariables;

export const MARK_READ = typedDocument<MarkReadData, MarkReadVariables>(
  'MarkNotificationRead',
  /* GraphQL */ `
  mutation MarkNotificationRead($leadAnalyticId: UUID!, $isRead: Boolean) {
    markNotificationRead(input: { leadAnalyticId: $leadAnalyticId, isRead: $isRead }) { result { rowId isRead } }
  }
`,
);

export type MarkAllReadData = MarkAllNotificationsReadMutation;
export type MarkAllReadVariables = MarkAllNotificationsReadMutationVariables;

export const MARK_ALL_READ = typedDocument<MarkAllReadData, MarkAllReadVariables>(
  'MarkAllNotificationsRead',
  /* GraphQL */ `
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead(input: {}) { result }
  }
`,
);
