/** The insights page's outcomes and cost section: the range's outcome, cost and CTA figures and the daily credits and cost. */
import type { OutcomesCostQuery, OutcomesCostQueryVariables } from '../generated/graphql.ts';
import { typedDocument } from '../scalars.ts';

export type OutcomesCostData = OutcomesCostQuery;

export type OutcomesCostVariables = OutcomesCostQueryVariables;

type Summary = NonNullable<OutcomesCostQuery['kpiSummary']>;
/** KpiFigure, as the section selects it (current and previous period). */
export type OutcomeFigures = NonNullable<Summary['current']>;
/** One day of the credits and cost chart. */
export type CostPoint = NonNullable<NonNullable<OutcomesCostQuery['kpiSeries']>[number]>;

const OUTCOME_FIELDS = `calls successfulCalls unansweredCalls failedCalls voicemailCalls noConversationCalls busyCalls
  noAnswerCalls canceledCalls erroredCalls agentHangupCalls callerHangupCalls otherHangupCalls averageTimeToAnswerSeconds
  providerCostCents costedCalls costPerCallCents costPerConnectedMinuteCents costPerLeadCents costPerQualifiedLeadCents
  leads callsWithCta ctaInteractions ctaRate ctaCallConversionRate creditsUsed`;

export const OUTCOMES_COST = typedDocument<OutcomesCostData, OutcomesCostVariables>(
  'OutcomesCost',
  /* GraphQL */ `
  query OutcomesCost($fromDate: Date, $toDate: Date, $agentId: UUID) {
    kpiSummary(fromDate: $fromDate, toDate: $toDate, agentId: $agentId) {
      fromDate toDate
      current { ${OUTCOME_FIELDS} }
      previous { ${OUTCOME_FIELDS} }
    }
    kpiSeries(fromDate: $fromDate, toDate: $toDate, granularity: DAY, agentId: $agentId) {
      periodStart figures { creditsUsed providerCostCents costedCalls }
    }
  }
`,
);
