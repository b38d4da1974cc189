/** What erasing a caller would remove, fetched when the manager asks to review it. */
import { CALLER_PREVIEW, type CallerPreviewData } from '../api/operations/privacy.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useCallerPreview(phoneNumber: string | null): QueryState<CallerPreviewData> {
  return useQuery(CALLER_PREVIEW, { phoneNumber: phoneNumber ?? '' }, { skip: phoneNumber === null });
}
