/**
 * Calibration (issue 17 item 6): does the lead score predict customers? Conversion to customer per total-score band
 * and per temperature, for the page's range and agent, with the counts behind every bar. Rates come computed from
 * SQL (app_public.score_calibration); the chart only plots them.
 */
import { Bar, BarChart, CartesianGrid, Cell, LabelList, Tooltip, XAxis, YAxis } from 'recharts';
import type { ScoreCalibrationData } from '../../api/operations/insights-versions.ts';
import { AXIS_TICK, CHART_COLORS, ChartFrame } from '../../components/ChartFrame.tsx';
import { plotNumber } from '../../components/chart-data.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { formatInteger, formatLabel, formatPercent } from '../../format.ts';
import { useScoreCalibration } from '../../hooks/use-insights-versions.ts';
import type { InsightsSectionProps } from './types.ts';
import './versions.css';

type Row = NonNullable<NonNullable<ScoreCalibrationData['scoreCalibration']>[number]>;

interface Datum {
  key: string;
  label: string;
  rate: number;
  rateText: string;
  contacts: string;
  customers: string;
  caption: string;
}

const TEMPERATURE_COLORS: Readonly<Record<string, string>> = { hot: '#c53030', warm: '#dd6b20', cold: '#3182ce' };

function toData(rows: readonly Row[]): Datum[] {
  return rows.map((row) => {
    const key = row.bucket ?? '';
    return {
      key,
      label: row.dimension === 'temperature' ? formatLabel(key) : key,
      rate: plotNumber(row.conversionRate),
      rateText: formatPercent(row.conversionRate),
      contacts: formatInteger(row.contacts),
      customers: formatInteger(row.customers),
      caption: `${formatInteger(row.customers)}/${formatInteger(row.contacts)}`,
    };
  });
}

function isDatum(value: unknown): value is Datum {
  return typeof value === 'object' && value !== null && 'caption' in value && 'rateText' in value;
}

function CalibrationChart({ title, description, data, colors }: { title: string; description: string; data: Datum[]; colors?: Readonly<Record<string, string>> }) {
  return (
    <ChartFrame title={title} description={description} empty={data.every((d) => d.contacts === '0')} emptyText="No scored contacts in this period." height={260}>
      <BarChart data={data} margin={{ top: 22, right: 8, bottom: 24, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={AXIS_TICK} label={{ value: title.includes('band') ? 'Total score' : 'Temperature', position: 'insideBottom', offset: -14 }} />
        <YAxis tick={AXIS_TICK} tickFormatter={(v: number) => formatPercent(v, 0)} width={48} domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} />
        <Tooltip
          formatter={(_value, _name, item) => {
            const payload: unknown = item.payload;
            return isDatum(payload) ? `${payload.rateText} (${payload.customers} customers of ${payload.contacts} contacts)` : '';
          }}
        />
        <Bar isAnimationActive={false} dataKey="rate" name="Became customers">
          {data.map((d) => <Cell key={d.key} fill={colors?.[d.key] ?? CHART_COLORS.primary} />)}
          <LabelList dataKey="caption" position="top" style={{ fontSize: 11, fill: '#4a5568' }} />
        </Bar>
      </BarChart>
    </ChartFrame>
  );
}

export function ScoresSection({ session, fromDate, toDate, agentId }: InsightsSectionProps) {
  const query = useScoreCalibration(agentId, { fromDate, toDate });
  const rows = (query.data?.scoreCalibration ?? []).filter((r): r is Row => r !== null);
  const all = rows.find((r) => r.dimension === 'all');
  const scored = all?.contacts ?? '0';
  const customers = all?.customers ?? '0';
  const agentName = agentId ? session.agents.find((g) => g.id === agentId)?.name : null;
  return (
    <section className="panel" data-section="scores" aria-labelledby="scores-title">
      <h2 id="scores-title">Calibration: do scores predict customers?</h2>
      <p className="muted">
        Each contact counts once, with the score of its latest analysed call in the period{agentName ? ` with ${agentName}` : ''} made before it became a customer.
        Bars show the share of those contacts that became customers; labels give customers / contacts.
      </p>
      <StatusGate
        label="calibration"
        loading={query.loading}
        error={query.error}
        onRetry={query.refetch}
        empty={scored === '0' || customers === '0'}
        emptyText={scored === '0'
          ? 'No analysed calls with a known contact in this period, so there is nothing to calibrate yet.'
          : `None of the ${formatInteger(scored)} scored contacts of this period has become a customer yet. Calibration needs customers: add them on the contact page (mark as customer) or import them, and this chart shows which scores turned into customers.`}
        updating={query.stale}
      >
        <p className="calibration-summary" data-testid="calibration-summary">
          {formatInteger(customers)} of {formatInteger(scored)} scored contacts became customers ({formatPercent(all?.conversionRate ?? null)}).
        </p>
        <div className="calibration-grid">
          <CalibrationChart
            title="Conversion by score band"
            description="Share of contacts that became customers (vertical axis, percent) per total-score band (horizontal axis)."
            data={toData(rows.filter((r) => r.dimension === 'band'))}
          />
          <CalibrationChart
            title="Conversion by temperature"
            description="Share of contacts that became customers (vertical axis, percent) per lead temperature (horizontal axis)."
            data={toData(rows.filter((r) => r.dimension === 'temperature'))}
            colors={TEMPERATURE_COLORS}
          />
        </div>
      </StatusGate>
    </section>
  );
}
