/**
 * Every tenant's KPI summary for platform operators, polled every 30 s: it reads the materialized
 * summary (refreshed by a job every 5 minutes and soon after changes), which no per-business event covers.
 */
import { ADMIN_SUMMARIES, type AdminData } from '../api/operations/admin.ts';
import { useQuery, type QueryState } from './use-query.ts';

const EMPTY = {};
const REFRESH_MS = 30_000;

export function useAdminSummaries(): QueryState<AdminData> {
  return useQuery(ADMIN_SUMMARIES, EMPTY, { pollMs: REFRESH_MS });
}
