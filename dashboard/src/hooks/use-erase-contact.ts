/** Erases one caller by phone number. */
import { ERASE_CONTACT, type EraseContactData, type EraseContactVariables } from '../api/operations/privacy.ts';
import { useMutation, type MutationState } from './use-mutation.ts';

export function useEraseContact(): MutationState<EraseContactData, EraseContactVariables> {
  return useMutation(ERASE_CONTACT);
}
