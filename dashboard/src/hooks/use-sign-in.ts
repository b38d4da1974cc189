/** The authenticate mutation. */
import { SIGN_IN, type SignInData, type SignInVariables } from '../api/operations/mutations.ts';
import { useMutation, type MutationState } from './use-mutation.ts';

export function useSignIn(): MutationState<SignInData, SignInVariables> {
  return useMutation(SIGN_IN);
}
