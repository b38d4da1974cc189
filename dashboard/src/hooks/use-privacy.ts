/** The privacy page's data: requests and retention; polls every second while an export is being built. */
import { PRIVACY, type PrivacyData } from '../api/operations/privacy.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function usePrivacy(watching: boolean): QueryState<PrivacyData> {
  return useQuery(PRIVACY, {}, { pollMs: watching ? 1000 : 0 });
}
