/** Marks one smart notification read (or unread again). */
import { MARK_READ, type MarkReadData, type MarkReadVariables } from '../api/operations/mutations.ts';
import { useMutation, type MutationState } from './use-mutation.ts';

export function useMarkRead(): MutationState<MarkReadData, MarkReadVariables> {
  return useMutation(MARK_READ);
}
