/** Sign-up (register), the onboarding checklist, test calls, and the admin's read-only view of a business. */
import type {
  OnboardingStatusQuery,
  OnboardingStatusQueryVariables,
  RegisterMutation,
  RegisterMutationVariables,
  RemoveTestCallsMutation,
  RemoveTestCallsMutationVariables,
  SendTestCallMutation,
  SendTestCallMutationVariables,
  StartTenantViewMutation,
  StartTenantViewMutationVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export const REGISTER = typedDocument<RegisterMutation, RegisterMutationVariables>(
  'Register',
  /* GraphQL */ `
  mutation Register($name: String!, $email: String!, $password: String!, $timezone: String) {
    register(input: { name: $name, email: $email, password: $password, timezone: $timezone }) { jwtToken userId }
  }
`,
);

export type OnboardingData = OnboardingStatusQuery;

export const ONBOARDING_STATUS = typedDocument<OnboardingStatusQuery, OnboardingStatusQueryVariables>(
  'OnboardingStatus',
  /* GraphQL */ `
  query OnboardingStatus {
    onboardingStatus { bolnaConnected twilioConnected agents activeAgents calls testCalls latestTestCallId latestTestCallStatus }
  }
`,
);

export const SEND_TEST_CALL = typedDocument<SendTestCallMutation, SendTestCallMutationVariables>(
  'SendTestCall',
  /* GraphQL */ `
  mutation SendTestCall {
    sendTestCall { callId agentName }
  }
`,
);

export const REMOVE_TEST_CALLS = typedDocument<RemoveTestCallsMutation, RemoveTestCallsMutationVariables>(
  'RemoveTestCalls',
  /* GraphQL */ `
  mutation RemoveTestCalls {
    removeTestCalls(input: {}) { result }
  }
`,
);

export const START_TENANT_VIEW = typedDocument<StartTenantViewMutation, StartTenantViewMutationVariables>(
  'StartTenantView',
  /* GraphQL */ `
  mutation StartTenantView($tenantId: UUID!) {
    startTenantView(input: { tenantId: $tenantId }) { result { rowId name } }
  }
`,
);
