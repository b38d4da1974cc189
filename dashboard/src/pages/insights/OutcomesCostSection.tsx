/**
 * Insights, outcomes and cost (issue 17 items 2, 3, 8): how calls ended (the disposition split), who hung
 * up the connected ones, time to answer, provider cost and its rates, CTA conversion over leads and over
 * calls, and credits and cost per day. Every figure comes computed from the API (app_hidden.kpi_figures);
 * each number and bar opens the calls behind it in the call log (dashboard/src/drilldown.ts).
 */
import { Bar, BarChart, CartesianGrid, Cell, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { CostPoint, OutcomeFigures } from '../../api/operations/outcomes-cost.ts';
import { AXIS_TICK, CHART_COLORS, ChartFrame } from '../../components/ChartFrame.tsx';
import { allZero, plotNumber, roundDayTicks } from '../../components/chart-data.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { figureHref, OUTCOME_FIGURES } from '../../drilldown.ts';
import { formatDay, formatInteger, formatPercent, MISSING } from '../../format.ts';
import { useKpiDefinitions } from '../../hooks/use-kpi-definitions.ts';
import { useOutcomesCost } from '../../hooks/use-outcomes-cost.ts';
import { navigate } from '../../router.ts';
import type { InsightsSectionProps } from './types.ts';
import './outcomes-cost.css';

type Field = keyof OutcomeFigures;
type Numeric = string | number | null | undefined;

/** Cents as the API computed them ("248.9570") -> "248.96 ¢". */
export function formatCents(value: Numeric): string {
  if (value === null || value === undefined || value === '') return MISSING;
  const n = Number(value);
  if (!Number.isFinite(n)) return MISSING;
  return `${new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)} ¢`;
}

/** Seconds with two decimals ("3.63") -> "3.63 s". */
function formatSeconds(value: Numeric): string {
  if (value === null || value === undefined || value === '') return MISSING;
  const n = Number(value);
  return Number.isFinite(n) ? `${n.toFixed(2)} s` : MISSING;
}

interface CardSpec {
  field: Field;
  label: string;
  format(value: Numeric): string;
  hint?: string;
}

const CARDS: readonly CardSpec[] = [
  { field: 'averageTimeToAnswerSeconds', label: 'Time to answer', format: formatSeconds, hint: 'ringing to answered, on average' },
  { field: 'providerCostCents', label: 'Provider cost', format: formatCents },
  { field: 'costPerCallCents', label: 'Cost per call', format: formatCents },
  { field: 'costPerConnectedMinuteCents', label: 'Cost per connected minute', format: formatCents },
  { field: 'costPerLeadCents', label: 'Cost per lead', format: formatCents },
  { field: 'costPerQualifiedLeadCents', label: 'Cost per qualified lead', format: formatCents },
  { field: 'ctaInteractions', label: 'CTA interactions', format: formatInteger, hint: 'all five CTA flags added up' },
  { field: 'ctaRate', label: 'CTA conversion (leads)', format: (v) => formatPercent(v), hint: 'leads with any CTA / leads' },
  { field: 'ctaCallConversionRate', label: 'CTA conversion (calls)', format: (v) => formatPercent(v), hint: 'calls with any CTA / calls' },
];

/** The disposition bars, in the order a call can end; colours follow the outcome classes. */
const DISPOSITIONS: ReadonlyArray<{ field: Field; label: string; color: string }> = [
  { field: 'successfulCalls', label: 'Connected', color: CHART_COLORS.successful },
  { field: 'voicemailCalls', label: 'Voicemail', color: CHART_COLORS.unanswered },
  { field: 'noConversationCalls', label: 'No conversation', color: CHART_COLORS.unanswered },
  { field: 'busyCalls', label: 'Busy', color: CHART_COLORS.unanswered },
  { field: 'noAnswerCalls', label: 'No answer', color: CHART_COLORS.unanswered },
  { field: 'canceledCalls', label: 'Canceled', color: CHART_COLORS.failed },
  { field: 'erroredCalls', label: 'Errored', color: CHART_COLORS.failed },
];

const HANGUPS: ReadonlyArray<{ field: Field; label: string; color: string }> = [
  { field: 'agentHangupCalls', label: 'By the agent', color: CHART_COLORS.primary },
  { field: 'callerHangupCalls', label: 'By the caller', color: CHART_COLORS.secondary },
  { field: 'otherHangupCalls', label: 'Carrier / unknown', color: CHART_COLORS.muted },
];

interface Slice {
  fromDate: string;
  toDate: string;
  agentId: string | null;
}

function hrefOf(field: Field, slice: Slice): string | undefined {
  const figure = OUTCOME_FIGURES[field];
  return figure ? figureHref(figure, slice) : undefined;
}

function open(href: string | undefined): void {
  if (href) navigate(href);
}

function FigureCard({ spec, current, previous, definition, href }: {
  spec: CardSpec;
  current: OutcomeFigures;
  previous: OutcomeFigures | null | undefined;
  definition: string | undefined;
  href: string | undefined;
}) {
  const raw = current[spec.field];
  const value = spec.format(raw);
  const id = `oc-${spec.field}`;
  return (
    <section className="kpi-card" data-kpi={spec.field} aria-labelledby={`${id}-label`}>
      <div className="kpi-head">
        <h3 id={`${id}-label`} className="kpi-label">{spec.label}</h3>
        {definition ? (
          <button type="button" className="kpi-info" aria-label={`What ${spec.label} counts`} aria-describedby={`${id}-definition`}>
            <span aria-hidden="true">?</span>
          </button>
        ) : null}
      </div>
      {definition ? <p id={`${id}-definition`} className="kpi-definition" role="tooltip">{definition}</p> : null}
      <p className="kpi-value" data-testid={`kpi-${spec.field}`} data-value={raw ?? ''}>
        {href && value !== MISSING ? (
          <a
            href={href}
            className="kpi-drill"
            aria-label={`${spec.label}: ${value}, open these calls`}
            onClick={(event) => {
              if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
              event.preventDefault();
              open(href);
            }}
          >
            {value}
          </a>
        ) : value}
      </p>
      <p className="kpi-change kpi-change-neutral muted">previous period: {spec.format(previous?.[spec.field])}</p>
      {spec.hint ? <p className="kpi-hint muted">{spec.hint}</p> : null}
    </section>
  );
}

interface BarDatum {
  field: Field;
  label: string;
  value: number;
  color: string;
}

function CountBars({ title, description, unit, rows, emptyText, slice, testId }: {
  title: string;
  description: string;
  unit: string;
  rows: BarDatum[];
  emptyText: string;
  slice: Slice;
  testId: string;
}) {
  return (
    <div data-testid={testId}>
      <ChartFrame title={title} description={description} empty={allZero(rows.map((r) => r.value))} emptyText={emptyText} height={Math.max(140, 36 * rows.length + 44)}>
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 20, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={AXIS_TICK} label={{ value: unit, position: 'insideBottom', offset: -12 }} />
          <YAxis type="category" dataKey="label" tick={AXIS_TICK} width={120} />
          <Tooltip formatter={(value) => `${formatInteger(typeof value === 'number' ? value : null)} ${unit.toLowerCase()}`} />
          <Bar
            isAnimationActive={false}
            dataKey="value"
            name={unit}
            onClick={(_, index) => { const row = rows[index]; if (row) open(hrefOf(row.field, slice)); }}
            style={{ cursor: 'pointer' }}
          >
            {rows.map((row) => <Cell key={row.field} fill={row.color} />)}
          </Bar>
        </BarChart>
      </ChartFrame>
      {/* the same numbers as links: the call log of each bar (keyboard and screen readers) */}
      <ul className="oc-legend">
        {rows.map((row) => (
          <li key={row.field}>
            <span className="oc-swatch" style={{ background: row.color }} aria-hidden="true" />
            <a href={hrefOf(row.field, slice)} data-figure={OUTCOME_FIGURES[row.field]} onClick={(event) => {
              if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
              event.preventDefault();
              open(hrefOf(row.field, slice));
            }}>
              {row.label}: <strong data-testid={`oc-${row.field}`}>{formatInteger(row.value)}</strong>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface CostRow {
  day: string;
  label: string;
  credits: number;
  cost: number | null;
}

function costRows(points: ReadonlyArray<CostPoint | null> | null | undefined): CostRow[] {
  return (points ?? []).flatMap((p) => p?.periodStart ? [{
    day: p.periodStart,
    label: formatDay(p.periodStart),
    credits: plotNumber(p.figures?.creditsUsed),
    cost: p.figures?.providerCostCents === null || p.figures?.providerCostCents === undefined ? null : plotNumber(p.figures.providerCostCents),
  }] : []);
}

function CreditsCostChart({ points, slice }: { points: ReadonlyArray<CostPoint | null> | null | undefined; slice: Slice }) {
  const rows = costRows(points);
  return (
    <div data-testid="oc-credits-chart">
      <ChartFrame
        title="Credits and provider cost per day"
        description="Credits used (bars, left axis, credits) and provider cost (line, right axis, cents) per tenant-local day (x axis, date). A day without a reported cost has no point."
        empty={allZero(rows.map((r) => r.credits + (r.cost ?? 0)))}
        emptyText="No credits used and no cost reported in this period."
      >
        <ComposedChart
          data={rows}
          margin={{ top: 8, right: 8, bottom: 24, left: 8 }}
          onClick={(state) => {
            const row = typeof state.activeTooltipIndex === 'number' ? rows[state.activeTooltipIndex] : undefined;
            if (row) open(figureHref('credits_used', { ...slice, fromDate: row.day, toDate: row.day }));
          }}
          style={{ cursor: 'pointer' }}
        >
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={AXIS_TICK} ticks={roundDayTicks(rows)} interval={0} label={{ value: 'Day', position: 'insideBottom', offset: -16 }} />
          <YAxis yAxisId="credits" tick={AXIS_TICK} allowDecimals={false} width={48} />
          <YAxis yAxisId="cost" orientation="right" tick={AXIS_TICK} width={56} tickFormatter={(v: number) => `${formatInteger(v)}¢`} />
          <Tooltip formatter={(value, name) => (name === 'Provider cost' ? formatCents(typeof value === 'number' ? value : null) : formatInteger(typeof value === 'number' ? value : null))} />
          <Legend verticalAlign="top" height={24} />
          <Bar yAxisId="credits" isAnimationActive={false} dataKey="credits" name="Credits used" fill={CHART_COLORS.primary} />
          <Line yAxisId="cost" isAnimationActive={false} type="linear" dataKey="cost" name="Provider cost" stroke={CHART_COLORS.secondary} dot={false} connectNulls={false} />
        </ComposedChart>
      </ChartFrame>
    </div>
  );
}

export function OutcomesCostSection({ fromDate, toDate, agentId }: InsightsSectionProps) {
  const { data, error, loading, stale, refetch } = useOutcomesCost({ fromDate, toDate, agentId });
  const definitions = useKpiDefinitions();
  const slice: Slice = { fromDate, toDate, agentId };
  const current = data?.kpiSummary?.current;
  const previous = data?.kpiSummary?.previous;
  const bars = (specs: typeof DISPOSITIONS): BarDatum[] =>
    specs.map((s) => ({ field: s.field, label: s.label, value: plotNumber(current?.[s.field]), color: s.color }));
  const costed = current ? `${formatInteger(current.costedCalls)} of ${formatInteger(current.calls)} calls have a provider cost` : '';
  return (
    <section className="insights-section outcomes-cost" data-section="outcomes-cost" aria-labelledby="outcomes-cost-title">
      <h2 id="outcomes-cost-title">Outcomes and cost</h2>
      <StatusGate label="outcomes and cost" loading={loading} error={error} onRetry={refetch} updating={stale}>
        {current ? (
          <div className={stale ? 'gate-updating' : undefined}>
            <div className="kpi-grid oc-cards">
              {CARDS.map((spec) => (
                <FigureCard
                  key={spec.field}
                  spec={spec}
                  current={current}
                  previous={previous}
                  definition={definitions.get(spec.field)}
                  href={hrefOf(spec.field, slice)}
                />
              ))}
            </div>
            <p className="muted oc-coverage" data-testid="oc-coverage">
              {costed}. Costs are the provider's (Bolna reports them; Twilio status callbacks do not), in cents.
            </p>
            <div className="grid-2">
              <CountBars
                title="How calls ended"
                description="Calls that ended in the period by disposition (y axis) and count (x axis): connected, the four unanswered kinds and the two failed kinds."
                unit="Calls"
                rows={bars(DISPOSITIONS)}
                emptyText="No call ended in this period."
                slice={slice}
                testId="oc-dispositions"
              />
              <CountBars
                title="Who hung up"
                description="Connected calls by who ended them (y axis) and count (x axis)."
                unit="Calls"
                rows={bars(HANGUPS)}
                emptyText="No connected calls in this period."
                slice={slice}
                testId="oc-hangups"
              />
            </div>
            <CreditsCostChart points={data?.kpiSeries} slice={slice} />
          </div>
        ) : null}
      </StatusGate>
    </section>
  );
}
