/** The overview's breakdowns: lead temperature, CTA funnel, call sources. */
import type { RangeSummary } from '../api/operations/fragments.ts';
import { BreakdownBars } from './BreakdownBars.tsx';
import { CHART_COLORS } from './ChartFrame.tsx';

const TEMPERATURE_COLORS = { hot: CHART_COLORS.failed, warm: CHART_COLORS.unanswered, cold: CHART_COLORS.primary, untagged: CHART_COLORS.muted };

type Select = { onSelect?(key: string): void };

export function LeadTemperatureChart({ summary, onSelect }: { summary: RangeSummary } & Select) {
  return (
    <BreakdownBars
      onSelect={onSelect}
      title="Lead temperature"
      description="Leads of the period by hot / warm / cold tag (x axis, leads; share of all leads in the tooltip)."
      unit="Leads"
      rows={summary.leadTemperature}
      colors={TEMPERATURE_COLORS}
      emptyText="No analysed leads in this period."
    />
  );
}

export function CtaFunnelChart({ summary, onSelect }: { summary: RangeSummary } & Select) {
  return (
    <BreakdownBars
      onSelect={onSelect}
      title="CTA funnel"
      description="Leads that clicked pricing, then demo, follow-up, and escalated to a human (x axis, leads; share of leads in the tooltip)."
      unit="Leads"
      rows={summary.ctaFunnel}
      colors={{}}
      emptyText="No calls to action in this period."
    />
  );
}

export function CallSourcesChart({ summary, onSelect }: { summary: RangeSummary } & Select) {
  return (
    <BreakdownBars
      onSelect={onSelect}
      title="Call sources"
      description="Calls by source: phone, internet, unknown (x axis, calls; share of calls in the tooltip)."
      unit="Calls"
      rows={summary.callSources}
      emptyText="No calls in this period."
    />
  );
}

export function BreakdownCharts({ summary, onSelect }: {
  summary: RangeSummary;
  /** A click on a bar (drill-down): which chart and the row's key. */
  onSelect?(chart: 'temperature' | 'funnel' | 'source', key: string): void;
}) {
  return (
    <div className="grid-3">
      <LeadTemperatureChart summary={summary} onSelect={onSelect && ((key) => onSelect('temperature', key))} />
      <CtaFunnelChart summary={summary} onSelect={onSelect && ((key) => onSelect('funnel', key))} />
      <CallSourcesChart summary={summary} onSelect={onSelect && ((key) => onSelect('source', key))} />
    </div>
  );
}
