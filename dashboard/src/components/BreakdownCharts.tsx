/** The overview's breakdowns: lead temperature, CTA funnel, call sources. */
import type { RangeSummary } from '../api/operations/fragments.ts';
import { BreakdownBars } from './BreakdownBars.tsx';
import { CHART_COLORS } from './ChartFrame.tsx';

const TEMPERATURE_COLORS = { hot: CHART_COLORS.failed, warm: CHART_COLORS.unanswered, cold: CHART_COLORS.primary, untagged: CHART_COLORS.muted };

export function LeadTemperatureChart({ summary }: { summary: RangeSummary }) {
  return (
    <BreakdownBars
      title="Lead temperature"
      description="Leads of the period by hot / warm / cold tag (x axis, leads; share of all leads in the tooltip)."
      unit="Leads"
      rows={summary.leadTemperature}
      colors={TEMPERATURE_COLORS}
      emptyText="No analysed leads in this period."
    />
  );
}

export function CtaFunnelChart({ summary }: { summary: RangeSummary }) {
  return (
    <BreakdownBars
      title="CTA funnel"
      description="Leads that clicked pricing, then demo, follow-up, and escalated to a human (x axis, leads; share of leads in the tooltip)."
      unit="Leads"
      rows={summary.ctaFunnel}
      colors={{}}
      emptyText="No calls to action in this period."
    />
  );
}

export function CallSourcesChart({ summary }: { summary: RangeSummary }) {
  return (
    <BreakdownBars
      title="Call sources"
      description="Calls by source: phone, internet, unknown (x axis, calls; share of calls in the tooltip)."
      unit="Calls"
      rows={summary.callSources}
      emptyText="No calls in this period."
    />
  );
}

export function BreakdownCharts({ summary }: { summary: RangeSummary }) {
  return (
    <div className="grid-3">
      <LeadTemperatureChart summary={summary} />
      <CtaFunnelChart summary={summary} />
      <CallSourcesChart summary={summary} />
    </div>
  );
}
