/**
 * The call log (callLog; RLS: the tenant's own), asked in two requests: the page of calls (CALL_LOG, no totals,
 * again on every page turn) and the totals of the whole filtered set (CALL_LOG_TOTALS, once per filter: a page
 * turn does not change them, and a list should not wait for the sums of thousands of calls).
 */
import type { CallLogQuery, CallLogQueryVariables, CallLogTotalsQuery, CallLogTotalsQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

/** Calls per page of the call log page. */
export const CALL_LOG_PAGE_SIZE = 50;

export type CallLogData = CallLogQuery;
export type CallLogVariables = CallLogQueryVariables;
export type CallLogRow = NonNullable<NonNullable<NonNullable<CallLogQuery['callLog']>['rows']>[number]>;
export type CallLogTotalsData = CallLogTotalsQuery;
export type CallLogTotalsVariables = CallLogTotalsQueryVariables;
export type CallLogTotals = NonNullable<NonNullable<CallLogTotalsQuery['callLog']>['totals']>;

export const CALL_LOG = typedDocument<CallLogData, CallLogVariables>(
  'CallLog',
  /* GraphQL */ `
  query CallLog($from: Date, $to: Date, $agent: UUID, $outcomes: [String], $statuses: [String], $providers: [String],
    $directions: [String], $sources: [String], $temperatures: [String], $minScore: Int, $maxScore: Int, $minDuration: Int,
    $maxDuration: Int, $hasTranscript: Boolean, $hasAnalysis: Boolean, $hasRecording: Boolean, $search: String,
    $figure: String, $isoWeekday: Int, $hour: Int, $sort: String, $descending: Boolean, $after: String, $pageSize: Int) {
    callLog(fromDate: $from, toDate: $to, agentId: $agent, outcomes: $outcomes, statuses: $statuses, providers: $providers,
      directions: $directions, sources: $sources, temperatures: $temperatures, minScore: $minScore, maxScore: $maxScore,
      minDuration: $minDuration, maxDuration: $maxDuration, hasTranscript: $hasTranscript, hasAnalysis: $hasAnalysis,
      hasRecording: $hasRecording, search: $search, figure: $figure, isoWeekday: $isoWeekday, hour: $hour, sort: $sort,
      descending: $descending, after: $after, pageSize: $pageSize, withTotals: false) {
      fromDate
      toDate
      timezone
      nextCursor
      rows {
        callId startedAt agentId agentName contactId phoneNumber callerName contactName provider direction callSource
        status outcome durationSeconds creditsUsed hasTranscript hasAnalysis hasRecording totalScore leadStatusTag cursor
      }
    }
  }
`,
);

export const CALL_LOG_TOTALS = typedDocument<CallLogTotalsData, CallLogTotalsVariables>(
  'CallLogTotals',
  /* GraphQL */ `
  query CallLogTotals($from: Date, $to: Date, $agent: UUID, $outcomes: [String], $statuses: [String], $providers: [String],
    $directions: [String], $sources: [String], $temperatures: [String], $minScore: Int, $maxScore: Int, $minDuration: Int,
    $maxDuration: Int, $hasTranscript: Boolean, $hasAnalysis: Boolean, $hasRecording: Boolean, $search: String,
    $figure: String, $isoWeekday: Int, $hour: Int) {
    callLog(fromDate: $from, toDate: $to, agentId: $agent, outcomes: $outcomes, statuses: $statuses, providers: $providers,
      directions: $directions, sources: $sources, temperatures: $temperatures, minScore: $minScore, maxScore: $maxScore,
      minDuration: $minDuration, maxDuration: $maxDuration, hasTranscript: $hasTranscript, hasAnalysis: $hasAnalysis,
      hasRecording: $hasRecording, search: $search, figure: $figure, isoWeekday: $isoWeekday, hour: $hour, pageSize: 1) {
      totals {
        calls durationSeconds creditsUsed
        figures { successfulCalls answerRate successRate talkSeconds averageDurationSeconds leads qualifiedLeads hotLeads conversionRate ctaRate }
      }
    }
  }
`,
);
