/** The overview page in one query (the same field the benchmark measures: dashboardOverview). */
import type { OverviewQuery, OverviewQueryVariables } from '../generated/graphql.ts';
import { typedDocument, type BigFloatString, type BigIntString, type DatetimeString, type Uuid } from '../scalars.ts';
import { SERIES_FIELDS, SUMMARY_FIELDS, type RangeSummary, type SeriesPoint } from './fragments.ts';

/** AgentLeaderboardRow */
export interface LeaderboardRow {
  agentId: Uuid | null;
  name: string | null;
  isActive: boolean | null;
  rank: number | null;
  dailyCalls: Array<BigIntString | null> | null;
  figures: {
    calls: BigIntString | null;
    successfulCalls: BigIntString | null;
    successRate: BigFloatString | null;
    leads: BigIntString | null;
    qualifiedLeads: BigIntString | null;
    conversionRate: BigFloatString | null;
    averageDurationSeconds: BigFloatString | null;
  } | null;
}

/** KpiHourMatrix: 168 entries per measure, weekday-major (entry (isoWeekday - 1) * 24 + hour). */
export interface HourMatrix {
  calls: Array<BigIntString | null> | null;
  answerRate: Array<BigFloatString | null> | null;
}

/** DataFreshness */
export interface Freshness {
  serverTime: DatetimeString | null;
  rollupsCompactedAt: DatetimeString | null;
  kpiSummaryRefreshedAt: DatetimeString | null;
  latestCallAt: DatetimeString | null;
  pendingRollupChanges: BigIntString | null;
}

/** NotificationItem */
export interface NotificationItem {
  leadAnalyticId: Uuid | null;
  callId: Uuid | null;
  phoneNumber: string | null;
  extractedName: string | null;
  companyName: string | null;
  leadStatusTag: string | null;
  totalScore: number | null;
  smartNotification: string | null;
  analyzedAt: DatetimeString | null;
}

export type OverviewData = OverviewQuery;

export type OverviewVariables = OverviewQueryVariables;

export const OVERVIEW = typedDocument<OverviewData, OverviewVariables>(
  'Overview',
  /* GraphQL */ `
  query Overview($fromDate: Date, $toDate: Date) {
    dashboardOverview(fromDate: $fromDate, toDate: $toDate) {
      summary { ${SUMMARY_FIELDS} }
      daily { ${SERIES_FIELDS} }
      leaderboard {
        agentId name isActive rank dailyCalls
        figures { calls successfulCalls successRate leads qualifiedLeads conversionRate averageDurationSeconds }
      }
      hourMatrix { calls answerRate }
      freshness { serverTime rollupsCompactedAt kpiSummaryRefreshedAt latestCallAt pendingRollupChanges }
      unreadNotifications
      notifications { leadAnalyticId callId phoneNumber extractedName companyName leadStatusTag totalScore smartNotification analyzedAt }
    }
  }
`,
);
