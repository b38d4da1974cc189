/** The call log: one page of the filtered calls with the totals of the whole filtered set (callLog; RLS: the tenant's own). */
import type { CallLogQuery, CallLogQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

/** Calls per page of the call log page. */
export const CALL_LOG_PAGE_SIZE = 50;

export type CallLogData = CallLogQuery;
export type CallLogVariables = CallLogQueryVariables;
export type CallLogRow = NonNullable<NonNullable<NonNullable<CallLogQuery['callLog']>['rows']>[number]>;

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
      descending: $descending, after: $after, pageSize: $pageSize) {
      fromDate
      toDate
      timezone
      nextCursor
      rows {
        callId startedAt agentId agentName contactId phoneNumber callerName contactName provider direction callSource
        status outcome durationSeconds creditsUsed hasTranscript hasAnalysis hasRecording totalScore leadStatusTag cursor
      }
      totals {
        calls durationSeconds creditsUsed
        figures { successfulCalls answerRate successRate talkSeconds averageDurationSeconds leads qualifiedLeads hotLeads conversionRate ctaRate }
      }
    }
  }
`,
);
