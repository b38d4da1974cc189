/** The overview page in one query (the same field the benchmark measures: dashboardOverview). */
import type { OverviewQuery, OverviewQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';
import { SERIES_FIELDS, SUMMARY_FIELDS } from './fragments.ts';

type Overview = NonNullable<OverviewQuery['dashboardOverview']>;

/** AgentLeaderboardRow, as the overview selects it. */
export type LeaderboardRow = NonNullable<NonNullable<Overview['leaderboard']>[number]>;

/** KpiHourMatrix: 168 entries per measure, weekday-major (entry (isoWeekday - 1) * 24 + hour). */
export type HourMatrix = NonNullable<Overview['hourMatrix']>;

/** DataFreshness */
export type Freshness = NonNullable<Overview['freshness']>;

/** NotificationItem */
export type NotificationItem = NonNullable<NonNullable<Overview['notifications']>[number]>;

export type OverviewData = OverviewQuery;

export type OverviewVariables = OverviewQueryVariables;

export const OVERVIEW = typedDocument<OverviewData, OverviewVariables>(
  'Overview',
  /* GraphQL */ `
  query Overview($fromDate: Date, $toDate: Date, $agentId: UUID) {
    dashboardOverview(fromDate: $fromDate, toDate: $toDate, agentId: $agentId) {
      summary { ${SUMMARY_FIELDS} }
      daily { ${SERIES_FIELDS} }
      leaderboard {
        agentId name isActive rank dailyCalls
        figures { calls successfulCalls successRate leads qualifiedLeads conversionRate averageDurationSeconds }
      }
      hourMatrix { calls answerRate }
      freshness { serverTime rollupsCompactedAt kpiSummaryRefreshedAt latestCallAt pendingRollupChanges }
      unreadNotifications
      notifications { leadAnalyticId callId contactId phoneNumber extractedName companyName leadStatusTag totalScore smartNotification analyzedAt startedAt }
    }
  }
`,
);
