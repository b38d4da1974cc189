/** The call page's data, fetched when the page opens and refreshed while the call or its analysis is still moving. */
import { CALL_PAGE, type CallPageData } from '../api/operations/call-page.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useCallPage(callId: string, { live }: { live: boolean }): QueryState<CallPageData> {
  return useQuery(CALL_PAGE, { callId }, { live });
}
