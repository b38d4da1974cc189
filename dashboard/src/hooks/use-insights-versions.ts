/** Data hooks of the insights sections "Agent versions" and "Calibration". */
import {
  AGENT_VERSION_LIST, COMPARE_AGENT_VERSIONS, SCORE_CALIBRATION,
  type AgentVersionListData, type CompareAgentVersionsData, type ScoreCalibrationData,
} from '../api/operations/insights-versions.ts';
import type { DateString, Uuid } from '../api/scalars.ts';
import { useQuery, type QueryState } from './use-query.ts';

interface Range {
  fromDate: DateString;
  toDate: DateString;
}

export function useAgentVersionList(agentId: Uuid | null, range: Range): QueryState<AgentVersionListData> {
  return useQuery(AGENT_VERSION_LIST, { agentId: agentId ?? '', fromDate: range.fromDate, toDate: range.toDate }, { skip: agentId === null, keepPrevious: true });
}

export function useCompareAgentVersions(agentId: Uuid | null, range: Range, versions: readonly [number, number] | null): QueryState<CompareAgentVersionsData> {
  return useQuery(
    COMPARE_AGENT_VERSIONS,
    { agentId: agentId ?? '', fromDate: range.fromDate, toDate: range.toDate, versions: versions ? [...versions] : null },
    { skip: agentId === null || versions === null, keepPrevious: true },
  );
}

export function useScoreCalibration(agentId: Uuid | null, range: Range): QueryState<ScoreCalibrationData> {
  return useQuery(SCORE_CALIBRATION, { agentId, fromDate: range.fromDate, toDate: range.toDate }, { keepPrevious: true });
}
