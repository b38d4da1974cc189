/** The agent page (agentOverview), refetched when the business's figures change. */
import { AGENT_OVERVIEW, type AgentOverviewData, type AgentOverviewVariables } from '../api/operations/agent-overview.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useAgentOverview(variables: AgentOverviewVariables): QueryState<AgentOverviewData> {
  return useQuery(AGENT_OVERVIEW, variables, { live: true, keepPrevious: true });
}
