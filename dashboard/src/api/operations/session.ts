/** Who is signed in: the tenant (name, time zone), whether a platform admin, and the agents for the filter. */
import { typedDocument, type Uuid } from '../scalars.ts';

export interface SessionData {
  currentUserIsAdmin: boolean | null;
  currentTenant: { rowId: Uuid; name: string; email: string; timezone: string } | null;
  allAgents: { nodes: Array<{ rowId: Uuid; name: string; isActive: boolean } | null> } | null;
}

export type SessionVariables = Record<string, never>;

export const SESSION = typedDocument<SessionData, SessionVariables>(
  'Session',
  /* GraphQL */ `
  query Session {
    currentUserIsAdmin
    currentTenant { rowId name email timezone }
    allAgents(first: 500, orderBy: [NAME_ASC]) { nodes { rowId name isActive } }
  }
`,
);
