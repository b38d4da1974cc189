/** The settings pages "Agents and numbers", "Targets" and "Account": their queries and mutations. */
import type {
  AccountSettingsQuery, AccountSettingsQueryVariables, AgentsSettingsQuery, AgentsSettingsQueryVariables, DeleteAgentMutation, DeleteAgentMutationVariables,
  RemoveUsageAlertThresholdMutation, RemoveUsageAlertThresholdMutationVariables, SaveAgentMutation, SaveAgentMutationVariables,
  SaveUsageAlertThresholdMutation, SaveUsageAlertThresholdMutationVariables, SetAgentActiveMutation, SetAgentActiveMutationVariables,
  SetAgentTargetMutation, SetAgentTargetMutationVariables, SetAlertPhoneMutation, SetAlertPhoneMutationVariables,
  SetAnalysisPromptsMutation, SetAnalysisPromptsMutationVariables, SetBusinessProfileMutation, SetBusinessProfileMutationVariables,
  TargetsSettingsQuery, TargetsSettingsQueryVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

const AGENT_FIELDS = 'rowId name provider providerAgentId isActive phoneNumber hasHistory';

export const AGENTS_SETTINGS = typedDocument<AgentsSettingsQuery, AgentsSettingsQueryVariables>(
  'AgentsSettings',
  /* GraphQL */ `
  query AgentsSettings {
    allAgents(first: 500, orderBy: [NAME_ASC]) { nodes { ${AGENT_FIELDS} } }
  }
`,
);

export const SAVE_AGENT = typedDocument<SaveAgentMutation, SaveAgentMutationVariables>(
  'SaveAgent',
  /* GraphQL */ `
  mutation SaveAgent($agentId: UUID, $provider: String, $providerAgentId: String, $name: String, $phoneNumber: String) {
    saveAgent(input: { agentId: $agentId, provider: $provider, providerAgentId: $providerAgentId, name: $name, phoneNumber: $phoneNumber }) {
      result { ${AGENT_FIELDS} }
    }
  }
`,
);

export const SET_AGENT_ACTIVE = typedDocument<SetAgentActiveMutation, SetAgentActiveMutationVariables>(
  'SetAgentActive',
  /* GraphQL */ `
  mutation SetAgentActive($agentId: UUID!, $active: Boolean!) {
    setAgentActive(input: { agentId: $agentId, active: $active }) { result { ${AGENT_FIELDS} } }
  }
`,
);

export const DELETE_AGENT = typedDocument<DeleteAgentMutation, DeleteAgentMutationVariables>(
  'DeleteAgent',
  /* GraphQL */ `
  mutation DeleteAgent($agentId: UUID!) {
    deleteAgentByRowId(input: { rowId: $agentId }) { agent { rowId } }
  }
`,
);

export const TARGETS_SETTINGS = typedDocument<TargetsSettingsQuery, TargetsSettingsQueryVariables>(
  'TargetsSettings',
  /* GraphQL */ `
  query TargetsSettings {
    allAgents(first: 500, orderBy: [NAME_ASC]) { nodes { rowId name isActive } }
    targetPacing { targetId agentId agentName periodType periodStart periodEnd metric target actual achievement elapsedShare expectedSoFar pace }
  }
`,
);

export const SET_AGENT_TARGET = typedDocument<SetAgentTargetMutation, SetAgentTargetMutationVariables>(
  'SetAgentTarget',
  /* GraphQL */ `
  mutation SetAgentTarget($agentId: UUID!, $periodType: String!, $periodStart: Date!, $metric: String!, $value: BigFloat) {
    setAgentTarget(input: { agentId: $agentId, periodType: $periodType, periodStart: $periodStart, metric: $metric, value: $value }) {
      result { rowId }
    }
  }
`,
);

const ACCOUNT_FIELDS = 'rowId name timezone analysisPromptIndividual analysisPromptComplete analysisPromptVersion alertPhone';

export const ACCOUNT_SETTINGS = typedDocument<AccountSettingsQuery, AccountSettingsQueryVariables>(
  'AccountSettings',
  /* GraphQL */ `
  query AccountSettings {
    currentTenant { ${ACCOUNT_FIELDS} }
    defaultUsageAlertThresholds
    allUsageAlertThresholds(first: 100, orderBy: [THRESHOLD_PERCENT_DESC]) { nodes { rowId thresholdPercent } }
    allUsageAlerts(first: 12, orderBy: [PERIOD_START_DESC, THRESHOLD_PERCENT_DESC]) {
      nodes { rowId periodStart thresholdPercent balance referenceBalance smsTo smsStatus createdAt }
    }
  }
`,
);

export const SET_BUSINESS_PROFILE = typedDocument<SetBusinessProfileMutation, SetBusinessProfileMutationVariables>(
  'SetBusinessProfile',
  /* GraphQL */ `
  mutation SetBusinessProfile($name: String!, $timezone: String!) {
    setBusinessProfile(input: { name: $name, timezone: $timezone }) { result { ${ACCOUNT_FIELDS} } }
  }
`,
);

export const SET_ANALYSIS_PROMPTS = typedDocument<SetAnalysisPromptsMutation, SetAnalysisPromptsMutationVariables>(
  'SetAnalysisPrompts',
  /* GraphQL */ `
  mutation SetAnalysisPrompts($individual: String, $complete: String) {
    setAnalysisPrompts(input: { individual: $individual, complete: $complete }) { result { ${ACCOUNT_FIELDS} } }
  }
`,
);

export const SET_ALERT_PHONE = typedDocument<SetAlertPhoneMutation, SetAlertPhoneMutationVariables>(
  'SetAlertPhone',
  /* GraphQL */ `
  mutation SetAlertPhone($phoneNumber: String) {
    setAlertPhone(input: { phoneNumber: $phoneNumber }) { result { ${ACCOUNT_FIELDS} } }
  }
`,
);

export const SAVE_USAGE_ALERT_THRESHOLD = typedDocument<SaveUsageAlertThresholdMutation, SaveUsageAlertThresholdMutationVariables>(
  'SaveUsageAlertThreshold',
  /* GraphQL */ `
  mutation SaveUsageAlertThreshold($thresholdId: UUID, $thresholdPercent: Int) {
    saveUsageAlertThreshold(input: { thresholdId: $thresholdId, thresholdPercent: $thresholdPercent }) { result { rowId thresholdPercent } }
  }
`,
);

export const REMOVE_USAGE_ALERT_THRESHOLD = typedDocument<RemoveUsageAlertThresholdMutation, RemoveUsageAlertThresholdMutationVariables>(
  'RemoveUsageAlertThreshold',
  /* GraphQL */ `
  mutation RemoveUsageAlertThreshold($thresholdId: UUID!) {
    removeUsageAlertThreshold(input: { thresholdId: $thresholdId }) { result { rowId } }
  }
`,
);

export const SETTINGS_DOCUMENTS = [
  AGENTS_SETTINGS, SAVE_AGENT, SET_AGENT_ACTIVE, DELETE_AGENT, TARGETS_SETTINGS, SET_AGENT_TARGET, ACCOUNT_SETTINGS,
  SET_BUSINESS_PROFILE, SET_ANALYSIS_PROMPTS, SET_ALERT_PHONE, SAVE_USAGE_ALERT_THRESHOLD, REMOVE_USAGE_ALERT_THRESHOLD,
] as const;
