/** Types shared by several operations (each mirrors a schema.graphql object type, nullable as there). */
import type { BigFloatString, BigIntString, DateString } from '../scalars.ts';

/** KpiBreakdownRow */
export interface BreakdownRow {
  key: string | null;
  label: string | null;
  value: BigIntString | null;
  share: BigFloatString | null;
}

export const BREAKDOWN_FIELDS = 'key label value share';

/** KpiSeriesPoint with the figures the charts read. */
export interface SeriesPoint {
  periodStart: DateString | null;
  periodEnd: DateString | null;
  figures: {
    calls: BigIntString | null;
    successfulCalls: BigIntString | null;
    unansweredCalls: BigIntString | null;
    failedCalls: BigIntString | null;
    talkSeconds: BigIntString | null;
    leads: BigIntString | null;
  } | null;
}

export const SERIES_FIELDS = 'periodStart periodEnd figures { calls successfulCalls unansweredCalls failedCalls talkSeconds leads }';

/** KpiFigure: the fields the KPI cards show. */
export interface CardFigures {
  calls: BigIntString | null;
  successfulCalls: BigIntString | null;
  answerRate: BigFloatString | null;
  successRate: BigFloatString | null;
  averageDurationSeconds: BigFloatString | null;
  leads: BigIntString | null;
  qualifiedLeads: BigIntString | null;
  hotLeads: BigIntString | null;
  conversionRate: BigFloatString | null;
  ctaRate: BigFloatString | null;
  creditsUsed: BigIntString | null;
  talkSeconds: BigIntString | null;
}

/** KpiChange: relative changes for counts, differences for rates (both as fractions). */
export interface CardChanges {
  calls: BigFloatString | null;
  answerRate: BigFloatString | null;
  successRate: BigFloatString | null;
  averageDurationSeconds: BigFloatString | null;
  leads: BigFloatString | null;
  qualifiedLeads: BigFloatString | null;
  hotLeads: BigFloatString | null;
  conversionRate: BigFloatString | null;
  ctaRate: BigFloatString | null;
  creditsUsed: BigFloatString | null;
  talkSeconds: BigFloatString | null;
}

const CARD_FIGURE_FIELDS =
  'calls successfulCalls answerRate successRate averageDurationSeconds leads qualifiedLeads hotLeads conversionRate ctaRate creditsUsed talkSeconds';
const CARD_CHANGE_FIELDS =
  'calls answerRate successRate averageDurationSeconds leads qualifiedLeads hotLeads conversionRate ctaRate creditsUsed talkSeconds';

/** KpiRangeSummary as the cards and breakdown charts use it. */
export interface RangeSummary {
  fromDate: DateString | null;
  toDate: DateString | null;
  previousFromDate: DateString | null;
  previousToDate: DateString | null;
  timezone: string | null;
  creditsAvailable: number | null;
  current: CardFigures | null;
  change: CardChanges | null;
  leadTemperature: Array<BreakdownRow | null> | null;
  ctaFunnel: Array<BreakdownRow | null> | null;
  callSources: Array<BreakdownRow | null> | null;
}

export const SUMMARY_FIELDS = `fromDate toDate previousFromDate previousToDate timezone creditsAvailable
      current { ${CARD_FIGURE_FIELDS} }
      change { ${CARD_CHANGE_FIELDS} }
      leadTemperature { ${BREAKDOWN_FIELDS} }
      ctaFunnel { ${BREAKDOWN_FIELDS} }
      callSources { ${BREAKDOWN_FIELDS} }`;
