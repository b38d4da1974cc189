/** The call log's page and totals (no polling: a list being read should not move under the reader). */
import {
  CALL_LOG,
  CALL_LOG_TOTALS,
  type CallLogData,
  type CallLogTotalsData,
  type CallLogTotalsVariables,
  type CallLogVariables,
} from '../api/operations/call-log.ts';
import { useQuery, type QueryState } from './use-query.ts';

/** One page of calls (asked again on every page turn). */
export function useCallLog(variables: CallLogVariables): QueryState<CallLogData> {
  return useQuery(CALL_LOG, variables);
}

/** The totals of the filtered set: the variables name no page, so turning pages does not ask again. */
export function useCallLogTotals(variables: CallLogTotalsVariables): QueryState<CallLogTotalsData> {
  return useQuery(CALL_LOG_TOTALS, variables);
}
