/** Platform operators: every tenant's materialized KPI summary (adminTenantSummaries: PostgreSQL refuses everyone else). */
import type { AdminSummariesQuery, AdminSummariesQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

/** A tenant's materialized KPI summary, as the admin page selects it. */
export type TenantSummaryRow = NonNullable<NonNullable<AdminSummariesQuery['adminTenantSummaries']>['nodes'][number]>;

export type AdminData = AdminSummariesQuery;

export type AdminVariables = AdminSummariesQueryVariables;

export const ADMIN_SUMMARIES = typedDocument<AdminData, AdminVariables>(
  'AdminSummaries',
  /* GraphQL */ `
  query AdminSummaries {
    adminTenantSummaries(first: 500) {
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
