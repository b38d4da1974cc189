/** Erases the whole business and its login. */
import { ERASE_BUSINESS, type EraseBusinessData, type EraseBusinessVariables } from '../api/operations/privacy.ts';
import { useMutation, type MutationState } from './use-mutation.ts';

export function useEraseBusiness(): MutationState<EraseBusinessData, EraseBusinessVariables> {
  return useMutation(ERASE_BUSINESS);
}
