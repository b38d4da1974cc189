/** The agent page in one query (agentOverview): KPIs, trend, targets vs actuals, latest calls. */
import type { AgentPageQuery, AgentPageQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';
import { SERIES_FIELDS, SUMMARY_FIELDS } from './fragments.ts';

type AgentPage = NonNullable<AgentPageQuery['agentOverview']>;

/** AgentTargetProgress, as the agent page selects it. */
export type TargetItem = NonNullable<NonNullable<AgentPage['targets']>[number]>;

/** A call of the agent page's latest calls. */
export type RecentCall = NonNullable<NonNullable<AgentPage['recentCalls']>[number]>;

/** The agent itself (null for another tenant's agent). */
export type AgentBrief = NonNullable<AgentPage['agent']>;

export type AgentOverviewData = AgentPageQuery;

export type AgentOverviewVariables = AgentPageQueryVariables;

export const AGENT_OVERVIEW = typedDocument<AgentOverviewData, AgentOverviewVariables>(
  'AgentPage',
  /* GraphQL */ `
  query AgentPage($agentId: UUID!, $fromDate: Date, $toDate: Date) {
    agentOverview(agentId: $agentId, fromDate: $fromDate, toDate: $toDate) {
      agent { agentId name isActive }
      summary { ${SUMMARY_FIELDS} }
      daily { ${SERIES_FIELDS} }
      targets {
        targetId periodType periodStart periodEnd
        targetCalls actualCalls callsAchievement targetSuccessfulCalls actualSuccessfulCalls
        targetLeads actualLeads targetQualifiedLeads actualQualifiedLeads qualifiedLeadsAchievement
      }
      recentCalls {
        callId startedAt status outcome direction durationSeconds phoneNumber callerName
        hasTranscript analysisStatus totalScore leadStatusTag smartNotification
      }
    }
  }
`,
);
