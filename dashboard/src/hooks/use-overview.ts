/** The overview page (dashboardOverview), refetched when the business's figures change. */
import { OVERVIEW, type OverviewData, type OverviewVariables } from '../api/operations/overview.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useOverview(variables: OverviewVariables): QueryState<OverviewData> {
  return useQuery(OVERVIEW, variables, { live: true, keepPrevious: true });
}
