/** The "API keys" settings page: the business's keys, creating one (its secret shown once) and revoking. */
import type {
  ApiKeysQuery,
  ApiKeysQueryVariables,
  CreateApiKeyMutation,
  CreateApiKeyMutationVariables,
  RevokeApiKeyMutation,
  RevokeApiKeyMutationVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type ApiKeysData = ApiKeysQuery;
export type ApiKeysVariables = ApiKeysQueryVariables;

const KEY_FIELDS = 'rowId name keyPrefix scopes createdAt expiresAt lastUsedAt revokedAt';

export const API_KEYS = typedDocument<ApiKeysData, ApiKeysVariables>(
  'ApiKeys',
  /* GraphQL */ `
  query ApiKeys {
    allApiKeys(first: 200, orderBy: [CREATED_AT_DESC]) { nodes { ${KEY_FIELDS} } }
  }
`,
);

export type CreateApiKeyData = CreateApiKeyMutation;
export type CreateApiKeyVariables = CreateApiKeyMutationVariables;

export const CREATE_API_KEY = typedDocument<CreateApiKeyData, CreateApiKeyVariables>(
  'CreateApiKey',
  /* GraphQL */ `
  mutation CreateApiKey($name: String!, $scopes: [String], $expiresAt: Datetime) {
    createApiKey(input: { name: $name, scopes: $scopes, expiresAt: $expiresAt }) { result { secret apiKey { ${KEY_FIELDS} } } }
  }
`,
);

export type RevokeApiKeyData = RevokeApiKeyMutation;
export type RevokeApiKeyVariables = RevokeApiKeyMutationVariables;

export const REVOKE_API_KEY = typedDocument<RevokeApiKeyData, RevokeApiKeyVariables>(
  'RevokeApiKey',
  /* GraphQL */ `
  mutation RevokeApiKey($keyId: UUID!) {
    revokeApiKey(input: { keyId: $keyId }) { result { ${KEY_FIELDS} } }
  }
`,
);
