/** Who is signed in: the tenant (name, time zone), the login and its role, whether a platform admin, and the agents for the filter. */
import type { SessionQuery, SessionQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type SessionData = SessionQuery;

export type SessionVariables = SessionQueryVariables;

export const SESSION = typedDocument<SessionData, SessionVariables>(
  'Session',
  /* GraphQL */ `
  query Session {
    currentUserIsAdmin
    currentTenant { rowId name email timezone }
    currentMember { rowId name email role }
    allAgents(first: 500, orderBy: [NAME_ASC]) { nodes { rowId name isActive } }
  }
`,
);
