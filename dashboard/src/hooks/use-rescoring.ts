/** Re-scoring runs, their estimate, start and cancel, the version comparison, and a contact's score history. */
import {
  CANCEL_RESCORING,
  COMPARE_VERSIONS,
  CONTACT_SCORE_HISTORY,
  ESTIMATE_RESCORING,
  RESCORING,
  START_RESCORING,
  type CancelRescoringData,
  type CancelRescoringVariables,
  type CompareVersionsData,
  type ContactScoreHistoryData,
  type EstimateRescoringData,
  type RescoringData,
  type StartRescoringData,
  type StartRescoringVariables,
} from '../api/operations/rescoring.ts';
import { useMutation, type MutationState } from './use-mutation.ts';
import { useQuery, type QueryState } from './use-query.ts';

/** Runs and prompt versions of the range; polls every second while a run is queued or running. */
export function useRescoring(fromDate: string, toDate: string, watching: boolean): QueryState<RescoringData> {
  return useQuery(RESCORING, { fromDate, toDate }, { pollMs: watching ? 1000 : 0, keepPrevious: true });
}

export function useRescoringEstimate(fromDate: string, toDate: string, skip: boolean): QueryState<EstimateRescoringData> {
  return useQuery(ESTIMATE_RESCORING, { fromDate, toDate }, { skip, keepPrevious: true });
}

export function useStartRescoring(): MutationState<StartRescoringData, StartRescoringVariables> {
  return useMutation(START_RESCORING);
}

export function useCancelRescoring(): MutationState<CancelRescoringData, CancelRescoringVariables> {
  return useMutation(CANCEL_RESCORING);
}

export function useVersionComparison(versionA: string, versionB: string, fromDate: string, toDate: string): QueryState<CompareVersionsData> {
  return useQuery(COMPARE_VERSIONS, { versionA, versionB, fromDate, toDate }, { skip: !versionA || !versionB || versionA === versionB, keepPrevious: true });
}

export function useContactScoreHistory(contactId: string | null): QueryState<ContactScoreHistoryData> {
  return useQuery(CONTACT_SCORE_HISTORY, { contactId: contactId ?? '' }, { skip: contactId === null });
}
