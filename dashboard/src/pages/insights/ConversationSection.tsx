/**
 * How callers felt, what they talked about and objected to, how conversations
 * ended, and the tenant's success criteria (issue 17, helper "analysis").
 * Sentiment, quality, satisfaction, transfers and outcome classes come from
 * the rollups (their counts drill down to the call log through their figure);
 * topics, objections and pass rates are exact reads of the analyses, which the
 * call log cannot filter by yet, so they show counts without a link.
 */
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { MouseEvent, ReactNode } from 'react';
import { CONVERSATION_INSIGHTS } from '../../api/operations/conversation.ts';
import { AXIS_TICK, CHART_COLORS, ChartFrame } from '../../components/ChartFrame.tsx';
import { StatusGate } from '../../components/StatusGate.tsx';
import { figureHref } from '../../drilldown.ts';
import { formatDay, formatInteger, formatPercent } from '../../format.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { navigate } from '../../router.ts';
import './conversation.css';
import type { InsightsSectionProps } from './types.ts';

type Numeric = string | number | null | undefined;

/** An in-app link (plain clicks navigate without a reload). */
function Link({ to, children, ...rest }: { to: string; children: ReactNode; className?: string; title?: string; 'data-testid'?: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={follow} {...rest}>
      {children}
    </a>
  );
}

function num(value: Numeric): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function score(value: Numeric, suffix = ''): string {
  const n = num(value);
  return n === null ? '–' : `${n.toFixed(0)}${suffix}`;
}

interface Bar {
  key: string;
  label: string;
  value: Numeric;
  share: Numeric;
  href?: string;
}

function Bars({ title, rows, empty, testId }: { title: string; rows: Bar[]; empty: string; testId: string }) {
  const max = Math.max(1, ...rows.map((row) => num(row.value) ?? 0));
  return (
    <div className="convo-bars" data-testid={testId}>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul>
          {rows.map((row) => {
            const width = `${Math.round(((num(row.value) ?? 0) / max) * 100)}%`;
            const text = `${formatInteger(row.value)} · ${formatPercent(row.share, 0)}`;
            return (
              <li key={row.key}>
                <span className="convo-bar-label">{row.label}</span>
                <span className="convo-bar-track" aria-hidden="true">
                  <span className="convo-bar-fill" style={{ width }} />
                </span>
                {row.href ? <Link to={row.href} title={`Calls: ${row.label}`}>{text}</Link> : <span>{text}</span>}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function ConversationSection({ fromDate, toDate, agentId }: InsightsSectionProps) {
  const query = useQuery(CONVERSATION_INSIGHTS, { fromDate, toDate, agentId }, { keepPrevious: true });
  const data = query.data;
  const slice = { fromDate, toDate, agentId };
  const s = data?.conversationSummary;
  const trend = (data?.conversationTrend ?? []).flatMap((point) =>
    point ? [{ day: point.day, label: formatDay(point.day), sentiment: num(point.averageSentiment), calls: num(point.analysedCalls) ?? 0 }] : [],
  );
  const cards = [
    { id: 'analysed', label: 'Analysed calls', value: formatInteger(s?.analysedCalls), figure: 'leads' },
    { id: 'sentiment', label: 'Average sentiment', value: score(s?.averageSentiment), hint: '-100 to 100', figure: 'average_sentiment' },
    { id: 'quality', label: 'Call quality', value: score(s?.averageCallQuality, ' / 100'), figure: 'average_call_quality' },
    { id: 'csat', label: 'Est. satisfaction', value: score(s?.averageCsat, ' / 100'), figure: 'average_csat' },
    {
      id: 'transfer', label: 'Asked for a person', value: `${formatInteger(s?.transferRequestedCalls)} (${formatPercent(s?.transferRequestRate, 0)})`,
      hint: `${formatInteger(s?.transferHappenedCalls)} handed over`, figure: 'transfer_requested_calls',
    },
  ];
  const sentimentBars: Bar[] = [
    ['positive', 'Positive', s?.sentimentPositive], ['neutral', 'Neutral', s?.sentimentNeutral],
    ['mixed', 'Mixed', s?.sentimentMixed], ['negative', 'Negative', s?.sentimentNegative],
  ].map(([key, label, value]) => {
    const total = [s?.sentimentPositive, s?.sentimentNeutral, s?.sentimentMixed, s?.sentimentNegative].reduce<number>((a, v) => a + (num(v) ?? 0), 0);
    return { key: String(key), label: String(label), value, share: total > 0 ? (num(value) ?? 0) / total : null, href: figureHref(`sentiment_${String(key)}`, slice) };
  });
  const outcomes: Bar[] = (data?.conversationOutcomes ?? []).flatMap((row) =>
    row?.key ? [{ key: row.key, label: row.label ?? row.key, value: row.value, share: row.share, href: figureHref(`convo_${row.key}`, slice) }] : [],
  );
  // each bar opens the call log on the calls whose analysis names it (figure topic:<key> / objection:<key>)
  const topicBars = (
    kind: 'topic' | 'objection',
    rows: ReadonlyArray<{ key: string | null; label: string | null; calls: Numeric; share: Numeric } | null> | null | undefined,
  ): Bar[] =>
    (rows ?? []).flatMap((row) =>
      row?.key ? [{ key: row.key, label: row.label ?? row.key, value: row.calls, share: row.share, href: figureHref(`${kind}:${row.key}`, slice) }] : [],
    );
  const criteria = (data?.successCriteriaPassRates ?? []).flatMap((row) => (row ? [row] : []));

  return (
    <section className="panel convo" data-section="conversation" aria-busy={query.stale || undefined}>
      <h2>Conversations</h2>
      <StatusGate label="conversation insights" loading={query.loading} error={query.error} onRetry={query.refetch} updating={query.stale}>
        <div className="convo-cards">
          {cards.map((card) => (
            <Link key={card.id} className="convo-card" to={figureHref(card.figure, slice)} data-testid={`convo-card-${card.id}`}>
              <span className="convo-card-label">{card.label}</span>
              <strong>{card.value}</strong>
              {card.hint ? <span className="muted">{card.hint}</span> : null}
            </Link>
          ))}
        </div>
        <ChartFrame
          title="Sentiment trend"
          description="Average caller sentiment of the analysed calls per tenant-local day (x axis, date; y axis, -100 very negative to 100 very positive)."
          empty={trend.every((point) => point.sentiment === null)}
          emptyText="No analysed calls with a sentiment in this period."
        >
          <LineChart data={trend} margin={{ top: 8, right: 8, bottom: 24, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={AXIS_TICK} label={{ value: 'Day', position: 'insideBottom', offset: -16 }} minTickGap={24} />
            <YAxis tick={AXIS_TICK} domain={[-100, 100]} ticks={[-100, -50, 0, 50, 100]} width={40} />
            <ReferenceLine y={0} stroke={CHART_COLORS.muted} />
            <Tooltip formatter={(value) => (typeof value === 'number' ? value.toFixed(1) : '–')} />
            <Line isAnimationActive={false} type="linear" dataKey="sentiment" name="Average sentiment" stroke={CHART_COLORS.primary} connectNulls dot={false} />
          </LineChart>
        </ChartFrame>
        <div className="convo-grid">
          <Bars title="Sentiment" rows={sentimentBars} empty="No sentiment yet." testId="convo-sentiment" />
          <Bars title="How conversations ended" rows={outcomes} empty="No outcomes yet." testId="convo-outcomes" />
          <Bars title="Top topics" rows={topicBars('topic', data?.topics)} empty="No topics in this period." testId="convo-topics" />
          <Bars title="Top objections" rows={topicBars('objection', data?.objections)} empty="No objections in this period." testId="convo-objections" />
        </div>
        <div className="convo-criteria" data-testid="convo-criteria">
          <h3>Success criteria</h3>
          {criteria.length === 0 ? (
            <p className="muted">
              No success criteria yet: add them in <Link to="/settings/analysis">Settings → Analysis</Link>.
            </p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Criterion</th>
                  <th scope="col">Pass rate</th>
                  <th scope="col">Passed / answered</th>
                </tr>
              </thead>
              <tbody>
                {criteria.map((row) => (
                  <tr key={row.criterionId ?? row.name}>
                    <td>
                      <strong>{row.name}</strong>
                      <div className="muted">{row.question}</div>
                    </td>
                    <td>{formatPercent(row.passRate, 0)}</td>
                    <td>
                      {formatInteger(row.passed)} / {formatInteger(row.evaluated)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </StatusGate>
    </section>
  );
}
