/** Issue 17 items 6 and 7: agent versions compared (KPIs and two-proportion tests) and score calibration. */
import type {
  AgentVersionListQuery, AgentVersionListQueryVariables, CompareAgentVersionsQuery, CompareAgentVersionsQueryVariables,
  ScoreCalibrationQuery, ScoreCalibrationQueryVariables,
} from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type AgentVersionListData = AgentVersionListQuery;
export type CompareAgentVersionsData = CompareAgentVersionsQuery;
export type ScoreCalibrationData = ScoreCalibrationQuery;

/** Every version of one agent, with its call count in the range (for the pickers). */
export const AGENT_VERSION_LIST = typedDocument<AgentVersionListData, AgentVersionListQueryVariables>(
  'AgentVersionList',
  /* GraphQL */ `
  query AgentVersionList($agentId: UUID!, $fromDate: Date, $toDate: Date) {
    agentVersionKpis(agentId: $agentId, fromDate: $fromDate, toDate: $toDate) {
      version
      createdAt
      figures { calls }
    }
  }
`,
);

/** Two versions side by side; the second row carries the tests against the first. */
export const COMPARE_AGENT_VERSIONS = typedDocument<CompareAgentVersionsData, CompareAgentVersionsQueryVariables>(
  'CompareAgentVersions',
  /* GraphQL */ `
  query CompareAgentVersions($agentId: UUID!, $fromDate: Date, $toDate: Date, $versions: [Int]) {
    agentVersionKpis(agentId: $agentId, fromDate: $fromDate, toDate: $toDate, versions: $versions) {
      version
      name
      createdAt
      createdByName
      actor
      config
      comparedWith
      figures {
        calls
        successfulCalls
        successRate
        answerRate
        averageDurationSeconds
        leads
        qualifiedLeads
        conversionRate
        ctaRate
        averageLeadScore
        creditsUsed
      }
      tests {
        rate
        baselineSuccesses
        baselineTrials
        successes
        trials
        difference
        z
        pValue
        significant
        verdict
      }
      changes {
        calls
        successRate
        answerRate
        averageDurationSeconds
        leads
        qualifiedLeads
        conversionRate
        ctaRate
        creditsUsed
      }
    }
  }
`,
);

export const SCORE_CALIBRATION = typedDocument<ScoreCalibrationData, ScoreCalibrationQueryVariables>(
  'ScoreCalibration',
  /* GraphQL */ `
  query ScoreCalibration($fromDate: Date, $toDate: Date, $agentId: UUID) {
    scoreCalibration(fromDate: $fromDate, toDate: $toDate, agentId: $agentId) {
      dimension
      bucket
      minScore
      maxScore
      contacts
      customers
      conversionRate
    }
  }
`,
);
