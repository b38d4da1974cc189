/** The API keys page's data and its mutations. */
import {
  API_KEYS,
  CREATE_API_KEY,
  REVOKE_API_KEY,
  type ApiKeysData,
  type CreateApiKeyData,
  type CreateApiKeyVariables,
  type RevokeApiKeyData,
  type RevokeApiKeyVariables,
} from '../api/operations/api-keys.ts';
import { useMutation, type MutationState } from './use-mutation.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useApiKeys(skip: boolean): QueryState<ApiKeysData> {
  return useQuery(API_KEYS, {}, { skip });
}

export function useCreateApiKey(): MutationState<CreateApiKeyData, CreateApiKeyVariables> {
  return useMutation(CREATE_API_KEY);
}

export function useRevokeApiKey(): MutationState<RevokeApiKeyData, RevokeApiKeyVariables> {
  return useMutation(REVOKE_API_KEY);
}
