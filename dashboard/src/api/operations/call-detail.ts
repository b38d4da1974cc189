/** One call's transcript and individual analysis (opened from the agent page's latest calls). */
import type { CallDetailQuery, CallDetailQueryVariables } from '../generated/graphql.ts';
import { typedDocument, type DatetimeString, type Uuid } from '../scalars.ts';

/** LeadAnalytic (the individual analysis of the call) */
export interface CallAnalysis {
  rowId: Uuid;
  analyzedAt: DatetimeString;
  leadStatusTag: string | null;
  totalScore: number | null;
  intentLevel: string | null;
  urgencyLevel: string | null;
  budgetConstraint: string | null;
  fitAlignment: string | null;
  engagementHealth: string | null;
  extractedName: string | null;
  extractedEmail: string | null;
  companyName: string | null;
  smartNotification: string | null;
  ctaPricingClicked: boolean;
  ctaDemoClicked: boolean;
  ctaFollowupClicked: boolean;
  ctaEscalatedToHuman: boolean;
}

export type CallDetailData = CallDetailQuery;

export type CallDetailVariables = CallDetailQueryVariables;

export const CALL_DETAIL = typedDocument<CallDetailData, CallDetailVariables>(
  'CallDetail',
  /* GraphQL */ `
  query CallDetail($callId: UUID!) {
    transcriptByCallId(callId: $callId) { rowId content analysisStatus }
    allLeadAnalytics(condition: { callId: $callId, analysisType: "individual" }, first: 1) {
      nodes {
        rowId analyzedAt leadStatusTag totalScore intentLevel urgencyLevel budgetConstraint fitAlignment
        engagementHealth extractedName extractedEmail companyName smartNotification
        ctaPricingClicked ctaDemoClicked ctaFollowupClicked ctaEscalatedToHuman
      }
    }
  }
`,
);
