/** The overview page (dashboardOverview), polled. */
import { OVERVIEW, type OverviewData, type OverviewVariables } from '../api/operations/overview.ts';
import { useQuery, type QueryState } from './use-query.ts';
import { POLL_MS } from './poll.ts';

export function useOverview(variables: OverviewVariables): QueryState<OverviewData> {
  return useQuery(OVERVIEW, variables, { pollMs: POLL_MS, keepPrevious: true });
}
