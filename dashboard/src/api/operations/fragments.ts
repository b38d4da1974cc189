/**
 * Field lists shared by several operations, and their row types. The types are read off the
 * overview's generated result type (the other operations select the same fields, so the same shape).
 */
import type { OverviewQuery } from '../generated/graphql.ts';

type Overview = NonNullable<OverviewQuery['dashboardOverview']>;

/** KpiRangeSummary as the cards and breakdown charts use it. */
export type RangeSummary = NonNullable<Overview['summary']>;
/** KpiFigure: the fields the KPI cards show. */
export type CardFigures = NonNullable<RangeSummary['current']>;
/** KpiChange: relative changes for counts, differences for rates (both as fractions). */
export type CardChanges = NonNullable<RangeSummary['change']>;
/** KpiBreakdownRow */
export type BreakdownRow = NonNullable<NonNullable<RangeSummary['leadTemperature']>[number]>;
/** KpiSeriesPoint with the figures the charts read. */
export type SeriesPoint = NonNullable<NonNullable<Overview['daily']>[number]>;

export const BREAKDOWN_FIELDS = 'key label value share';

export const SERIES_FIELDS = 'periodStart periodEnd figures { calls successfulCalls unansweredCalls failedCalls talkSeconds leads }';

const CARD_FIGURE_FIELDS =
  'calls successfulCalls answerRate successRate averageDurationSeconds leads qualifiedLeads hotLeads conversionRate ctaRate creditsUsed talkSeconds';
const CARD_CHANGE_FIELDS =
  'calls answerRate successRate averageDurationSeconds leads qualifiedLeads hotLeads conversionRate ctaRate creditsUsed talkSeconds';

export const SUMMARY_FIELDS = `fromDate toDate previousFromDate previousToDate timezone creditsAvailable
      current { ${CARD_FIGURE_FIELDS} }
      change { ${CARD_CHANGE_FIELDS} }
      leadTemperature { ${BREAKDOWN_FIELDS} }
      ctaFunnel { ${BREAKDOWN_FIELDS} }
      callSources { ${BREAKDOWN_FIELDS} }`;
