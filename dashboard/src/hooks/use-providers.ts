/** The Providers page's data (refetched when the business's data changes, so new and failed deliveries show up) and its mutations. */
import {
  PROVIDERS,
  REPLAY_DELIVERIES,
  ROTATE_BOLNA_TOKEN,
  SET_BOLNA_SECRET,
  SET_TWILIO,
  type ProvidersData,
  type ReplayData,
  type ReplayVariables,
  type RotateBolnaTokenData,
  type RotateBolnaTokenVariables,
  type SetBolnaSecretData,
  type SetBolnaSecretVariables,
  type SetTwilioData,
  type SetTwilioVariables,
} from '../api/operations/providers.ts';
import { useMutation, type MutationState } from './use-mutation.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useProviders(): QueryState<ProvidersData> {
  return useQuery(PROVIDERS, {}, { live: true });
}

export function useRotateBolnaToken(): MutationState<RotateBolnaTokenData, RotateBolnaTokenVariables> {
  return useMutation(ROTATE_BOLNA_TOKEN);
}

export function useSetBolnaSecret(): MutationState<SetBolnaSecretData, SetBolnaSecretVariables> {
  return useMutation(SET_BOLNA_SECRET);
}

export function useSetTwilio(): MutationState<SetTwilioData, SetTwilioVariables> {
  return useMutation(SET_TWILIO);
}

export function useReplayDeliveries(): MutationState<ReplayData, ReplayVariables> {
  return useMutation(REPLAY_DELIVERIES);
}
