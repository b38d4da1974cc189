/** The call page: one call with its timeline, outcome, recording, transcript turns, analysis, the contact's calls and its deliveries. */
import type { CallPageQuery, CallPageQueryVariables, RetryCallAnalysisMutation, RetryCallAnalysisMutationVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type CallPageData = CallPageQuery;
export type CallPageVariables = CallPageQueryVariables;
export type CallPageCall = NonNullable<CallPageData['callByRowId']>;
export type CallPageTranscript = NonNullable<CallPageData['transcriptByCallId']>;
export type CallPageAnalysis = NonNullable<CallPageData['allLeadAnalytics']>['nodes'][number];
export type CallPageDelivery = NonNullable<CallPageCall['deliveries']['nodes'][number]>;

/** Deliveries shown (a call gets a handful; a storm of repeats stops here). */
export const DELIVERIES_SHOWN = 100;
/** The contact's latest calls shown beside this one. */
export const CONTACT_CALLS_SHOWN = 20;

export const CALL_PAGE = typedDocument<CallPageData, CallPageVariables>(
  'CallPage',
  /* GraphQL */ `
  query CallPage($callId: UUID!) {
    callByRowId(rowId: $callId) {
      rowId provider providerCallId direction callSource phoneNumber callerName status outcome answeredByVoicemail
      queuedAt startedAt ringingAt answeredAt disconnectedAt endedAt durationSeconds costCents
      recordingUrl hangupBy hangupReason hangupCode
      agent { rowId name }
      contact {
        rowId name phoneNumber
        calls(first: 20, orderBy: [STARTED_AT_DESC]) { totalCount nodes { rowId startedAt status outcome durationSeconds direction } }
      }
      deliveries(first: 100) {
        totalCount
        nodes { rowId receivedAt provider providerStatus providerEventAt status attempts errorCode error }
      }
    }
    transcriptByCallId(callId: $callId) { rowId content speakerSegments analysisStatus analysisError analyzedAt }
    allLeadAnalytics(condition: { callId: $callId, analysisType: "individual" }, first: 1) {
      nodes {
        rowId analyzedAt model leadStatusTag totalScore
        intentLevel intentScore urgencyLevel urgencyScore budgetConstraint budgetScore
        fitAlignment fitScore engagementHealth engagementScore reasoning
        extractedName extractedEmail companyName smartNotification demoBookDatetime
        ctaPricingClicked ctaDemoClicked ctaFollowupClicked ctaSampleClicked ctaEscalatedToHuman
        sentimentLabel sentimentScore topics freeTopics objections nextSteps callQualityScore csatScore
        humanTransferRequested humanTransferHappened conversationOutcome
      }
    }
  }
`,
);

export type RetryAnalysisData = RetryCallAnalysisMutation;
export type RetryAnalysisVariables = RetryCallAnalysisMutationVariables;

export const RETRY_ANALYSIS = typedDocument<RetryAnalysisData, RetryAnalysisVariables>(
  'RetryCallAnalysis',
  /* GraphQL */ `
  mutation RetryCallAnalysis($callId: UUID!) {
    retryCallAnalysis(input: { callId: $callId }) { result { rowId analysisStatus analysisError } }
  }
`,
);
