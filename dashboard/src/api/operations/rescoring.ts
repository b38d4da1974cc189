/** Re-scoring runs (settings page) and a contact's score history: documents and their row types. */
import type {
  CancelRescoringMutation,
  CancelRescoringMutationVariables,
  CompareAnalysisVersionsQuery,
  CompareAnalysisVersionsQueryVariables,
  ContactScoreHistoryQuery,
  ContactScoreHistoryQueryVariables,
  EstimateRescoringQuery,
  EstimateRescoringQueryVariables,
  RescoringQuery,
  RescoringQueryVariables,
  StartRescoringMutation,
  StartRescoringMutationVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

const RUN_FIELDS = `rowId fromDate toDate status callsTotal callsDone callsApplied estimatedCostCents estimatedInputTokens
  estimatedOutputTokens promptVersion analyzer model error createdAt startedAt finishedAt`;

export type RescoringData = RescoringQuery;
export type RescoringVariables = RescoringQueryVariables;
export type RescoringRunRow = NonNullable<NonNullable<RescoringData['allRescoringRuns']>['nodes'][number]>;
export type PromptVersionRow = NonNullable<NonNullable<RescoringData['analysisPromptVersions']>['nodes'][number]>;

/** The runs (newest first) and the prompt versions that analysed calls of the range. */
export const RESCORING = typedDocument<RescoringData, RescoringVariables>(
  'Rescoring',
  /* GraphQL */ `
  query Rescoring($fromDate: Date, $toDate: Date) {
    allRescoringRuns(first: 20, orderBy: [CREATED_AT_DESC]) { nodes { ${RUN_FIELDS} } }
    analysisPromptVersions(fromDate: $fromDate, toDate: $toDate, first: 50) { nodes { promptVersion calls currentCalls lastAnalyzedAt } }
  }
`,
);

export type EstimateRescoringData = EstimateRescoringQuery;
export type EstimateRescoringVariables = EstimateRescoringQueryVariables;
export type RescoringEstimateRow = NonNullable<EstimateRescoringData['estimateRescoring']>;

export const ESTIMATE_RESCORING = typedDocument<EstimateRescoringData, EstimateRescoringVariables>(
  'EstimateRescoring',
  /* GraphQL */ `
  query EstimateRescoring($fromDate: Date, $toDate: Date) {
    estimateRescoring(fromDate: $fromDate, toDate: $toDate) {
      fromDate toDate calls transcriptCharacters estimatedInputTokens estimatedOutputTokens
      inputUsdPerMillionTokens outputUsdPerMillionTokens estimatedCostCents promptVersion customPrompt activeRunId
    }
  }
`,
);

export type StartRescoringData = StartRescoringMutation;
export type StartRescoringVariables = StartRescoringMutationVariables;

export const START_RESCORING = typedDocument<StartRescoringData, StartRescoringVariables>(
  'StartRescoring',
  /* GraphQL */ `
  mutation StartRescoring($fromDate: Date!, $toDate: Date!) {
    startRescoring(input: { fromDate: $fromDate, toDate: $toDate }) { result { ${RUN_FIELDS} } }
  }
`,
);

export type CancelRescoringData = CancelRescoringMutation;
export type CancelRescoringVariables = CancelRescoringMutationVariables;

export const CANCEL_RESCORING = typedDocument<CancelRescoringData, CancelRescoringVariables>(
  'CancelRescoring',
  /* GraphQL */ `
  mutation CancelRescoring($runId: UUID!) {
    cancelRescoring(input: { runId: $runId }) { result { rowId status } }
  }
`,
);

const FIGURES = 'leads qualifiedLeads conversionRate averageLeadScore hotLeads warmLeads coldLeads callsWithCta ctaRate averageIntentScore averageUrgencyScore averageBudgetScore averageFitScore averageEngagementScore';

export type CompareVersionsData = CompareAnalysisVersionsQuery;
export type CompareVersionsVariables = CompareAnalysisVersionsQueryVariables;
export type VersionComparison = NonNullable<CompareVersionsData['compareAnalysisVersions']>;

export const COMPARE_VERSIONS = typedDocument<CompareVersionsData, CompareVersionsVariables>(
  'CompareAnalysisVersions',
  /* GraphQL */ `
  query CompareAnalysisVersions($versionA: String!, $versionB: String!, $fromDate: Date, $toDate: Date) {
    compareAnalysisVersions(versionA: $versionA, versionB: $versionB, fromDate: $fromDate, toDate: $toDate) {
      versionA versionB fromDate toDate callsCompared temperatureChanged scoreRaised scoreLowered
      figuresA { ${FIGURES} }
      figuresB { ${FIGURES} }
      differences { ${FIGURES} }
    }
  }
`,
);

export type ContactScoreHistoryData = ContactScoreHistoryQuery;
export type ContactScoreHistoryVariables = ContactScoreHistoryQueryVariables;
export type ScoreHistoryPoint = NonNullable<NonNullable<NonNullable<ContactScoreHistoryData['contactScoreHistory']>['nodes']>[number]>;

export const CONTACT_SCORE_HISTORY = typedDocument<ContactScoreHistoryData, ContactScoreHistoryVariables>(
  'ContactScoreHistory',
  /* GraphQL */ `
  query ContactScoreHistory($contactId: UUID!) {
    contactScoreHistory(contactId: $contactId, first: 500) {
      nodes { analysisType callId callStartedAt analyzedAt totalScore leadStatusTag promptVersion model isLatest runId }
    }
  }
`,
);
