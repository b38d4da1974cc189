/** The insights page's outcomes and cost section (kpiSummary and the daily kpiSeries of the range), polled. */
import { OUTCOMES_COST, type OutcomesCostData, type OutcomesCostVariables } from '../api/operations/outcomes-cost.ts';
import { POLL_MS } from './poll.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useOutcomesCost(variables: OutcomesCostVariables): QueryState<OutcomesCostData> {
  return useQuery(OUTCOMES_COST, variables, { pollMs: POLL_MS, keepPrevious: true });
}
