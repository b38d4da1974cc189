/** The insights page's outcomes and cost section (kpiSummary and the daily kpiSeries of the range), refetched when the figures change. */
import { OUTCOMES_COST, type OutcomesCostData, type OutcomesCostVariables } from '../api/operations/outcomes-cost.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useOutcomesCost(variables: OutcomesCostVariables): QueryState<OutcomesCostData> {
  return useQuery(OUTCOMES_COST, variables, { live: true, keepPrevious: true });
}
