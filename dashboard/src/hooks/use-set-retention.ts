/** Sets (or resets) the retention of one data type. */
import { SET_RETENTION, type SetRetentionData, type SetRetentionVariables } from '../api/operations/privacy.ts';
import { useMutation, type MutationState } from './use-mutation.ts';

export function useSetRetention(): MutationState<SetRetentionData, SetRetentionVariables> {
  return useMutation(SET_RETENTION);
}
