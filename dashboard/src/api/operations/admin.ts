/** Platform operators: every tenant's materialized KPI summary (allTenantKpiSummaries; RLS shows admins all). */
import type { AdminSummariesQuery, AdminSummariesQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

/** A tenant's materialized KPI summary, as the admin page selects it. */
export type TenantSummaryRow = NonNullable<NonNullable<AdminSummariesQuery['allTenantKpiSummaries']>['nodes'][number]>;

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
