/** Queues a failed analysis again (idempotent: a second click queues nothing). */
import { RETRY_ANALYSIS, type RetryAnalysisData, type RetryAnalysisVariables } from '../api/operations/call-page.ts';
import { useMutation, type MutationState } from './use-mutation.ts';

export function useRetryAnalysis(): MutationState<RetryAnalysisData, RetryAnalysisVariables> {
  return useMutation(RETRY_ANALYSIS);
}
