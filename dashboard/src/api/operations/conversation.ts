/** Conversation intelligence (issue 17): the Insights section's data and the analysis settings page. */
import type {
  AnalysisSettingsQuery, AnalysisSettingsQueryVariables, ConversationInsightsQuery, ConversationInsightsQueryVariables,
  CreateAnalysisTopicMutation, CreateAnalysisTopicMutationVariables, CreateSuccessCriterionMutation, CreateSuccessCriterionMutationVariables,
  DeleteAnalysisTopicMutation, DeleteAnalysisTopicMutationVariables, DeleteSuccessCriterionMutation, DeleteSuccessCriterionMutationVariables,
  UpdateAnalysisTopicMutation, UpdateAnalysisTopicMutationVariables, UpdateSuccessCriterionMutation, UpdateSuccessCriterionMutationVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export const CONVERSATION_INSIGHTS = typedDocument<ConversationInsightsQuery, ConversationInsightsQueryVariables>(
  'ConversationInsights',
  /* GraphQL */ `
  query ConversationInsights($fromDate: Date, $toDate: Date, $agentId: UUID) {
    conversationSummary(fromDate: $fromDate, toDate: $toDate, agentId: $agentId) {
      analysedCalls averageSentiment sentimentPositive sentimentNeutral sentimentNegative sentimentMixed
      averageCallQuality averageCsat transferRequestedCalls transferHappenedCalls transferRequestRate
    }
    conversationTrend(fromDate: $fromDate, toDate: $toDate, agentId: $agentId) { day analysedCalls averageSentiment }
    conversationOutcomes(fromDate: $fromDate, toDate: $toDate, agentId: $agentId) { key label value share }
    topics: conversationTopics(kind: "topic", fromDate: $fromDate, toDate: $toDate, agentId: $agentId, maxRows: 8) { key label calls share }
    objections: conversationTopics(kind: "objection", fromDate: $fromDate, toDate: $toDate, agentId: $agentId, maxRows: 7) { key label calls share }
    successCriteriaPassRates(fromDate: $fromDate, toDate: $toDate, agentId: $agentId) { criterionId name question evaluated passed passRate }
  }
`,
);

const TOPIC_FIELDS = 'rowId key label description keywords';
const CRITERION_FIELDS = 'rowId name question keywords isActive';

export const ANALYSIS_SETTINGS = typedDocument<AnalysisSettingsQuery, AnalysisSettingsQueryVariables>(
  'AnalysisSettings',
  /* GraphQL */ `
  query AnalysisSettings {
    allAnalysisTopics(first: 200, orderBy: [KEY_ASC]) { nodes { ${TOPIC_FIELDS} } }
    allSuccessCriteria(first: 200, orderBy: [NAME_ASC]) { nodes { ${CRITERION_FIELDS} } }
  }
`,
);

export const CREATE_ANALYSIS_TOPIC = typedDocument<CreateAnalysisTopicMutation, CreateAnalysisTopicMutationVariables>(
  'CreateAnalysisTopic',
  /* GraphQL */ `
  mutation CreateAnalysisTopic($key: String!, $label: String!, $description: String, $keywords: [String]) {
    createAnalysisTopic(input: { analysisTopic: { key: $key, label: $label, description: $description, keywords: $keywords } }) {
      analysisTopic { ${TOPIC_FIELDS} }
    }
  }
`,
);

export const UPDATE_ANALYSIS_TOPIC = typedDocument<UpdateAnalysisTopicMutation, UpdateAnalysisTopicMutationVariables>(
  'UpdateAnalysisTopic',
  /* GraphQL */ `
  mutation UpdateAnalysisTopic($rowId: UUID!, $label: String, $description: String, $keywords: [String]) {
    updateAnalysisTopicByRowId(input: { rowId: $rowId, analysisTopicPatch: { label: $label, description: $description, keywords: $keywords } }) {
      analysisTopic { ${TOPIC_FIELDS} }
    }
  }
`,
);

export const DELETE_ANALYSIS_TOPIC = typedDocument<DeleteAnalysisTopicMutation, DeleteAnalysisTopicMutationVariables>(
  'DeleteAnalysisTopic',
  /* GraphQL */ `
  mutation DeleteAnalysisTopic($rowId: UUID!) {
    deleteAnalysisTopicByRowId(input: { rowId: $rowId }) { analysisTopic { rowId } }
  }
`,
);

export const CREATE_SUCCESS_CRITERION = typedDocument<CreateSuccessCriterionMutation, CreateSuccessCriterionMutationVariables>(
  'CreateSuccessCriterion',
  /* GraphQL */ `
  mutation CreateSuccessCriterion($name: String!, $question: String!, $keywords: [String]) {
    createSuccessCriterion(input: { successCriterion: { name: $name, question: $question, keywords: $keywords } }) {
      successCriterion { ${CRITERION_FIELDS} }
    }
  }
`,
);

export const UPDATE_SUCCESS_CRITERION = typedDocument<UpdateSuccessCriterionMutation, UpdateSuccessCriterionMutationVariables>(
  'UpdateSuccessCriterion',
  /* GraphQL */ `
  mutation UpdateSuccessCriterion($rowId: UUID!, $name: String, $question: String, $keywords: [String], $isActive: Boolean) {
    updateSuccessCriterionByRowId(input: { rowId: $rowId, successCriterionPatch: { name: $name, question: $question, keywords: $keywords, isActive: $isActive } }) {
      successCriterion { ${CRITERION_FIELDS} }
    }
  }
`,
);

export const DELETE_SUCCESS_CRITERION = typedDocument<DeleteSuccessCriterionMutation, DeleteSuccessCriterionMutationVariables>(
  'DeleteSuccessCriterion',
  /* GraphQL */ `
  mutation DeleteSuccessCriterion($rowId: UUID!) {
    deleteSuccessCriterionByRowId(input: { rowId: $rowId }) { successCriterion { rowId } }
  }
`,
);

export const CONVERSATION_DOCUMENTS = [
  CONVERSATION_INSIGHTS, ANALYSIS_SETTINGS, CREATE_ANALYSIS_TOPIC, UPDATE_ANALYSIS_TOPIC, DELETE_ANALYSIS_TOPIC,
  CREATE_SUCCESS_CRITERION, UPDATE_SUCCESS_CRITERION, DELETE_SUCCESS_CRITERION,
] as const;
