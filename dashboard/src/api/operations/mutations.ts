/** The dashboard's mutations: sign in, mark a smart notification read (or unread), mark all read. */
import { typedDocument, type Uuid } from '../scalars.ts';

export interface SignInData {
  authenticate: { jwtToken: string; userId: Uuid } | null;
}
export type SignInVariables = { email: string; password: string };

export const SIGN_IN = typedDocument<SignInData, SignInVariables>(
  'SignIn',
  /* GraphQL */ `
  mutation SignIn($email: String!, $password: String!) {
    authenticate(input: { email: $email, password: $password }) { jwtToken userId }
  }
`,
);

export interface MarkReadData {
  markNotificationRead: { result: { rowId: Uuid; isRead: boolean } | null } | null;
}
export type MarkReadVariables = { leadAnalyticId: Uuid; isRead: boolean };

export const MARK_READ = typedDocument<MarkReadData, MarkReadVariables>(
  'MarkNotificationRead',
  /* GraphQL */ `
  mutation MarkNotificationRead($leadAnalyticId: UUID!, $isRead: Boolean) {
    markNotificationRead(input: { leadAnalyticId: $leadAnalyticId, isRead: $isRead }) { result { rowId isRead } }
  }
`,
);

export interface MarkAllReadData {
  markAllNotificationsRead: { result: number | null } | null;
}
export type MarkAllReadVariables = Record<string, never>;

export const MARK_ALL_READ = typedDocument<MarkAllReadData, MarkAllReadVariables>(
  'MarkAllNotificationsRead',
  /* GraphQL */ `
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead(input: {}) { result }
  }
`,
);
