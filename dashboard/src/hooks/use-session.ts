/** The signed-in tenant, admin flag and agent list (refetched after `announceSessionChange` and when the live-update stream reconnects). */
import { useEffect } from 'react';
import { SESSION, type SessionData } from '../api/operations/session.ts';
import { useQuery, type QueryState } from './use-query.ts';

const EMPTY = {};
const SESSION_CHANGED = 'switchboard:session-changed';

/** Settings pages call this after changing what the session shows (agents, business name, time zone). */
export function announceSessionChange(): void {
  window.dispatchEvent(new Event(SESSION_CHANGED));
}

export function useSession(skip: boolean): QueryState<SessionData> {
  const state = useQuery(SESSION, EMPTY, { live: 'reconnect', skip });
  const { refetch } = state;
  useEffect(() => {
    window.addEventListener(SESSION_CHANGED, refetch);
    return () => window.removeEventListener(SESSION_CHANGED, refetch);
  }, [refetch]);
  return state;
}
