/** The overview's cards and charts for one agent (the agent filter): summary and daily series. */
import type { AgentSliceQuery, AgentSliceQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';
import { SERIES_FIELDS, SUMMARY_FIELDS } from './fragments.ts';

export type AgentSliceData = AgentSliceQuery;

export type AgentSliceVariables = AgentSliceQueryVariables;

export const AGENT_SLICE = typedDocument<AgentSliceData, AgentSliceVariables>(
  'AgentSlice',
  /* GraphQL */ `
  query AgentSlice($agentId: UUID!, $fromDate: Date, $toDate: Date) {
    kpiSummary(agentId: $agentId, fromDate: $fromDate, toDate: $toDate) { ${SUMMARY_FIELDS} }
    kpiSeries(agentId: $agentId, fromDate: $fromDate, toDate: $toDate, granularity: DAY) { ${SERIES_FIELDS} }
  }
`,
);
