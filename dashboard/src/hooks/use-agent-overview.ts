/** The agent page (agentOverview), polled. */
import { AGENT_OVERVIEW, type AgentOverviewData, type AgentOverviewVariables } from '../api/operations/agent-overview.ts';
import { useQuery, type QueryState } from './use-query.ts';
import { POLL_MS } from './poll.ts';

export function useAgentOverview(variables: AgentOverviewVariables): QueryState<AgentOverviewData> {
  return useQuery(AGENT_OVERVIEW, variables, { pollMs: POLL_MS, keepPrevious: true });
}
