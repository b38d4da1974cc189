/** The overview's cards and charts for one agent (the agent filter): summary and daily series. */
import { typedDocument, type DateString, type Uuid } from '../scalars.ts';
import { SERIES_FIELDS, SUMMARY_FIELDS, type RangeSummary, type SeriesPoint } from './fragments.ts';

export interface AgentSliceData {
  kpiSummary: RangeSummary | null;
  kpiSeries: Array<SeriesPoint | null> | null;
}

export type AgentSliceVariables = { agentId: Uuid; fromDate: DateString | null; toDate: DateString | null };

export const AGENT_SLICE = typedDocument<AgentSliceData, AgentSliceVariables>(
  'AgentSlice',
  /* GraphQL */ `
  query AgentSlice($agentId: UUID!, $fromDate: Date, $toDate: Date) {
    kpiSummary(agentId: $agentId, fromDate: $fromDate, toDate: $toDate) { ${SUMMARY_FIELDS} }
    kpiSeries(agentId: $agentId, fromDate: $fromDate, toDate: $toDate, granularity: DAY) { ${SERIES_FIELDS} }
  }
`,
);
