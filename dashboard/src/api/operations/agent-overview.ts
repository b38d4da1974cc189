/** The agent page in one query (agentOverview): KPIs, trend, targets vs actuals, latest calls. */
import type { AgentPageQuery, AgentPageQueryVariables } from '../generated/graphql.ts';
import { typedDocument, type BigFloatString, type BigIntString, type DateString, type DatetimeString, type Uuid } from '../scalars.ts';
import { SERIES_FIELDS, SUMMARY_FIELDS, type RangeSummary, type SeriesPoint } from './fragments.ts';

/** TargetProgressItem */
export interface TargetItem {
  targetId: Uuid | null;
  periodType: string | null;
  periodStart: DateString | null;
  periodEnd: DateString | null;
  targetCalls: number | null;
  actualCalls: BigIntString | null;
  callsAchievement: BigFloatString | null;
  targetSuccessfulCalls: number | null;
  actualSuccessfulCalls: BigIntString | null;
  targetLeads: number | null;
  actualLeads: BigIntString | null;
  targetQualifiedLeads: number | null;
  actualQualifiedLeads: BigIntString | null;
  qualifiedLeadsAchievement: BigFloatString | null;
}

/** RecentCallItem */
export interface RecentCall {
  callId: Uuid | null;
  startedAt: DatetimeString | null;
  status: string | null;
  outcome: string | null;
  direction: string | null;
  durationSeconds: number | null;
  phoneNumber: string | null;
  callerName: string | null;
  hasTranscript: boolean | null;
  analysisStatus: string | null;
  totalScore: number | null;
  leadStatusTag: string | null;
  smartNotification: string | null;
}

/** AgentBrief */
export interface AgentBrief {
  agentId: Uuid | null;
  name: string | null;
  isActive: boolean | null;
}

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
