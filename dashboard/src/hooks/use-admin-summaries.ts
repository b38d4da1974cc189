/** Every tenant's KPI summary for platform operators, polled. */
import { ADMIN_SUMMARIES, type AdminData } from '../api/operations/admin.ts';
import { POLL_MS } from './poll.ts';
import { useQuery, type QueryState } from './use-query.ts';

const EMPTY = {};

export function useAdminSummaries(): QueryState<AdminData> {
  return useQuery(ADMIN_SUMMARIES, EMPTY, { pollMs: POLL_MS * 6 });
}
