/** One agent: KPIs with changes, daily trend, targets vs actuals, latest calls with transcript and analysis. */
import { BreakdownCharts } from '../components/BreakdownCharts.tsx';
import { CallsPerDayChart } from '../components/CallsPerDayChart.tsx';
import { CsvButton } from '../components/CsvButton.tsx';
import { Freshness } from '../components/Freshness.tsx';
import { KpiCards } from '../components/KpiCards.tsx';
import { isNotFoundError, NotFound } from '../components/NotFound.tsx';
import { RangeControls } from '../components/RangeControls.tsx';
import { RecentCalls } from '../components/RecentCalls.tsx';
import { StatusGate } from '../components/StatusGate.tsx';
import { TalkTimeChart } from '../components/TalkTimeChart.tsx';
import { TargetsTable } from '../components/TargetsTable.tsx';
import { pageDrilldown } from '../drilldown.ts';
import { formatDay } from '../format.ts';
import { useAgentOverview } from '../hooks/use-agent-overview.ts';
import { navigate } from '../router.ts';
import type { Session } from '../session.ts';
import { resolveRange, useView, viewSearch } from '../view-state.ts';
import { dailyCsv } from './csv-exports.ts';

export function AgentPage({ agentId, session }: { agentId: string; session: Session }) {
  const [view, setView] = useView();
  const range = resolveRange(view, session.timeZone);
  const { data, loading, stale, error, refetch, receivedAt, refreshError } = useAgentOverview({ agentId, ...range });
  const overview = data?.agentOverview ?? null;
  const agent = overview?.agent ?? null;
  const back = `/${viewSearch({ ...view, agent: null })}`;
  const drill = pageDrilldown({ ...range, agentId });
  const open = (href: string | undefined): void => { if (href) navigate(href); };
  if (isNotFoundError(error) || (data !== undefined && agent === null)) {
    return <NotFound what="agent" backHref={back} backLabel="Back to the overview" />;
  }
  return (
    <div className="page" data-page="agent">
      <p>
        <a
          href={back}
          onClick={(event) => {
            event.preventDefault();
            navigate(back);
          }}
        >
          ← Overview
        </a>
      </p>
      <div className="page-head">
        <div>
          <h1>{agent ? agent.name : 'Agent'}{agent && !agent.isActive ? <span className="badge badge-muted">inactive</span> : null}</h1>
          <p className="muted" data-testid="range-label">
            {formatDay(range.fromDate, { year: true })} – {formatDay(range.toDate, { year: true })} ({session.timeZone})
          </p>
          <Freshness receivedAt={receivedAt} timeZone={session.timeZone} stale={refreshError !== undefined} />
        </div>
        <RangeControls view={view} range={range} onChange={setView} />
      </div>
      <StatusGate label="agent" loading={loading} error={error} updating={stale} onRetry={refetch}>
        {overview?.summary ? <KpiCards summary={overview.summary} cardHref={drill.card} onOpen={open} /> : null}
        <div className="grid-2">
          <CallsPerDayChart
            points={overview?.daily}
            onSelect={(day, segment) => open(drill.daySegment(day, segment))}
            actions={<CsvButton filename={`agent-calls-per-day-${range.fromDate}-${range.toDate}.csv`} header={dailyCsv.header} rows={() => dailyCsv.rows(overview?.daily)} />}
          />
          <TalkTimeChart points={overview?.daily} onSelect={(day) => open(drill.talkDay(day))} />
        </div>
        {overview?.summary ? <BreakdownCharts summary={overview.summary} onSelect={(chart, key) => open(drill.breakdown(chart, key))} /> : null}
        <div className="grid-2">
          <section className="panel" aria-labelledby="targets-title">
            <div className="panel-head">
              <h2 id="targets-title">Targets vs actuals</h2>
            </div>
            <TargetsTable targets={overview?.targets} />
          </section>
          <section className="panel" aria-labelledby="calls-title">
            <div className="panel-head">
              <h2 id="calls-title">Latest calls</h2>
            </div>
            <RecentCalls calls={overview?.recentCalls} timeZone={session.timeZone} />
          </section>
        </div>
      </StatusGate>
    </div>
  );
}
