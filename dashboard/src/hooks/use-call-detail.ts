/** One call's transcript and analysis, fetched when the call is opened (no polling). */
import { CALL_DETAIL, type CallDetailData } from '../api/operations/call-detail.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useCallDetail(callId: string | null): QueryState<CallDetailData> {
  return useQuery(CALL_DETAIL, { callId: callId ?? '' }, { skip: callId === null });
}
