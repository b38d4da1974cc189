/** The agent filter's cards and daily series (skipped without an agent), refetched when the figures change. */
import { AGENT_SLICE, type AgentSliceData } from '../api/operations/agent-slice.ts';
import type { DateString, Uuid } from '../api/scalars.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useAgentSlice(agentId: Uuid | null, range: { fromDate: DateString; toDate: DateString }): QueryState<AgentSliceData> {
  return useQuery(AGENT_SLICE, { agentId: agentId ?? '', fromDate: range.fromDate, toDate: range.toDate }, { live: true, skip: agentId === null, keepPrevious: true });
}
