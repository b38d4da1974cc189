/** The signed-in tenant, admin flag and agent list (refreshed every minute). */
import { SESSION, type SessionData } from '../api/operations/session.ts';
import { useQuery, type QueryState } from './use-query.ts';

const EMPTY = {};

export function useSession(skip: boolean): QueryState<SessionData> {
  return useQuery(SESSION, EMPTY, { pollMs: 60_000, skip });
}
