/** Platform operators: every tenant's materialized KPI summary (allTenantKpiSummaries; RLS shows admins all). */
import type { AdminSummariesQuery, AdminSummariesQueryVariables } from '../generated/graphql.ts';
import { typedDocument, type BigFloatString, type BigIntString, type DatetimeString, type Uuid } from '../scalars.ts';

export interface TenantSummaryRow {
  userId: Uuid;
  user: { name: string; email: string; timezone: string } | null;
  totalAgents: BigIntString | null;
  activeAgents: BigIntString | null;
  calls7D: BigIntString | null;
  calls30D: BigIntString | null;
  successRate30D: BigFloatString | null;
  answerRate30D: BigFloatString | null;
  leads30D: BigIntString | null;
  hotLeads30D: BigIntString | null;
  conversionRate30D: BigFloatString | null;
  creditsUsed30D: BigIntString | null;
  callsLifetime: BigIntString | null;
  lastCallDay: string | null;
  refreshedAt: DatetimeString | null;
}

export type AdminData = AdminSummariesQuery;

export type AdminVariables = AdminSummariesQueryVariables;

export const ADMIN_SUMMARIES = typedDocument<AdminData, AdminVariables>(
  'AdminSummaries',
  /* GraphQL */ `
  query AdminSummaries {
    allTenantKpiSummaries(first: 500, orderBy: [CALLS_30D_DESC]) {
      totalCount
      nodes {
        userId user { name email timezone }
        totalAgents activeAgents calls7D calls30D successRate30D answerRate30D leads30D hotLeads30D
        conversionRate30D creditsUsed30D callsLifetime lastCallDay refreshedAt
      }
    }
  }
`,
);
