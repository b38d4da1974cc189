/** Marks every smart notification read. */
import { MARK_ALL_READ, type MarkAllReadData, type MarkAllReadVariables } from '../api/operations/mutations.ts';
import { useMutation, type MutationState } from './use-mutation.ts';

export function useMarkAllRead(): MutationState<MarkAllReadData, MarkAllReadVariables> {
  return useMutation(MARK_ALL_READ);
}
