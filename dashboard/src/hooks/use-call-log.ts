/** One page of the call log (no polling: a list being read should not move under the reader). */
import { CALL_LOG, type CallLogData, type CallLogVariables } from '../api/operations/call-log.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useCallLog(variables: CallLogVariables): QueryState<CallLogData> {
  return useQuery(CALL_LOG, variables);
}
