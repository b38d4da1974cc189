/** Starts a data export (built by a background job). */
import { REQUEST_EXPORT, type RequestExportData, type RequestExportVariables } from '../api/operations/privacy.ts';
import { useMutation, type MutationState } from './use-mutation.ts';

export function useRequestExport(): MutationState<RequestExportData, RequestExportVariables> {
  return useMutation(REQUEST_EXPORT);
}
