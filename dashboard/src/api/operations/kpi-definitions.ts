/** The KPI definitions in plain words (the SQL comments on KpiFigures' fields), shown on the KPI cards. */
import type { KpiDefinitionsQuery, KpiDefinitionsQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type KpiDefinitionsData = KpiDefinitionsQuery;

export type KpiDefinitionsVariables = KpiDefinitionsQueryVariables;

export const KPI_DEFINITIONS = typedDocument<KpiDefinitionsData, KpiDefinitionsVariables>(
  'KpiDefinitions',
  /* GraphQL */ `
  query KpiDefinitions {
    kpiDefinitions { kpi definition }
  }
`,
);
