/** The "Providers" settings page: webhook settings, delivery status, failed deliveries, and their mutations. */
import type {
  ProvidersQuery,
  ProvidersQueryVariables,
  RotateBolnaTokenMutation,
  RotateBolnaTokenMutationVariables,
  SetBolnaSigningSecretMutation,
  SetBolnaSigningSecretMutationVariables,
  SetTwilioCredentialsMutation,
  SetTwilioCredentialsMutationVariables,
  ReplayFailedDeliveriesMutation,
  ReplayFailedDeliveriesMutationVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type ProvidersData = ProvidersQuery;
export type ProvidersVariables = ProvidersQueryVariables;

const SETTINGS_FIELDS = 'bolnaTokenPrefix bolnaSigningSecretSet bolnaRequireSignature twilioAccountSid twilioAuthTokenSet updatedAt';

export const PROVIDERS = typedDocument<ProvidersData, ProvidersVariables>(
  'Providers',
  /* GraphQL */ `
  query Providers {
    ingestSettings { ${SETTINGS_FIELDS} }
    providerDeliverySummaries { provider lastDeliveryAt lastAppliedAt failedDeliveries }
    failedDeliveries(maxRows: 50) { provider eventKey receivedAt lastAttemptAt attempts providerCallId providerStatus errorCode errorMessage }
  }
`,
);

export type RotateBolnaTokenData = RotateBolnaTokenMutation;
export type RotateBolnaTokenVariables = RotateBolnaTokenMutationVariables;

export const ROTATE_BOLNA_TOKEN = typedDocument<RotateBolnaTokenData, RotateBolnaTokenVariables>(
  'RotateBolnaToken',
  /* GraphQL */ `
  mutation RotateBolnaToken {
    rotateBolnaIngestToken(input: {}) { result }
  }
`,
);

export type SetBolnaSecretData = SetBolnaSigningSecretMutation;
export type SetBolnaSecretVariables = SetBolnaSigningSecretMutationVariables;

export const SET_BOLNA_SECRET = typedDocument<SetBolnaSecretData, SetBolnaSecretVariables>(
  'SetBolnaSigningSecret',
  /* GraphQL */ `
  mutation SetBolnaSigningSecret($secret: String, $requireSignature: Boolean) {
    setBolnaSigningSecret(input: { secret: $secret, requireSignature: $requireSignature }) { ${SETTINGS_FIELDS} }
  }
`,
);

export type SetTwilioData = SetTwilioCredentialsMutation;
export type SetTwilioVariables = SetTwilioCredentialsMutationVariables;

export const SET_TWILIO = typedDocument<SetTwilioData, SetTwilioVariables>(
  'SetTwilioCredentials',
  /* GraphQL */ `
  mutation SetTwilioCredentials($accountSid: String!, $authToken: String!) {
    setTwilioCredentials(input: { accountSid: $accountSid, authToken: $authToken }) { ${SETTINGS_FIELDS} }
  }
`,
);

export type ReplayData = ReplayFailedDeliveriesMutation;
export type ReplayVariables = ReplayFailedDeliveriesMutationVariables;

export const REPLAY_DELIVERIES = typedDocument<ReplayData, ReplayVariables>(
  'ReplayFailedDeliveries',
  /* GraphQL */ `
  mutation ReplayFailedDeliveries($provider: String!, $eventKeys: [String]) {
    replayFailedDeliveries(input: { provider: $provider, eventKeys: $eventKeys }) { result { replayed applied stillFailed } }
  }
`,
);
