/** The overview: KPI cards, charts, heatmap, leaderboard and hot leads, for a range and optionally one agent. */
import { useState } from 'react';
import { BreakdownCharts } from '../components/BreakdownCharts.tsx';
import { CallsPerDayChart } from '../components/CallsPerDayChart.tsx';
import { CsvButton } from '../components/CsvButton.tsx';
import { Freshness } from '../components/Freshness.tsx';
import { HotLeads } from '../components/HotLeads.tsx';
import { HourHeatmap } from '../components/HourHeatmap.tsx';
import { KpiCards } from '../components/KpiCards.tsx';
import { LeaderboardTable } from '../components/LeaderboardTable.tsx';
import { Onboarding } from '../components/Onboarding.tsx';
import { ONBOARDING_STATUS } from '../api/operations/onboarding.ts';
import { useQuery } from '../hooks/use-query.ts';
import { RangeControls } from '../components/RangeControls.tsx';
import { StatusGate } from '../components/StatusGate.tsx';
import { TalkTimeChart } from '../components/TalkTimeChart.tsx';
import { formatDay } from '../format.ts';
import { useAgentSlice } from '../hooks/use-agent-slice.ts';
import { useMarkAllRead } from '../hooks/use-mark-all-read.ts';
import { useMarkRead } from '../hooks/use-mark-read.ts';
import { useOverview } from '../hooks/use-overview.ts';
import { navigate } from '../router.ts';
import type { Session } from '../session.ts';
import { resolveRange, useView, viewSearch } from '../view-state.ts';
import { dailyCsv, leaderboardCsv } from './csv-exports.ts';


export function OverviewPage({ session }: { session: Session }) {
  const [view, setView] = useView();
  const range = resolveRange(view, session.timeZone);
  const overview = useOverview(range);
  // an agent id that is not one of the tenant's (a stale link) filters nothing
  const agentId = session.agents.some((agent) => agent.id === view.agent) ? view.agent : null;
  const slice = useAgentSlice(agentId, range);
  const markRead = useMarkRead();
  const markAllRead = useMarkAllRead();
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  // Onboarding while the business has no real call: polled faster, so a test call shows at once.
  const onboarding = useQuery(ONBOARDING_STATUS, {}, { pollMs: 3_000 });
  const setup = onboarding.data?.onboardingStatus ?? null;
  const onboardingShown = setup !== null && Number(setup.calls ?? 0) === 0;
  // No call at all: the checklist instead of zeros (and a red "0" change).
  const nothingYet = onboardingShown && Number(setup.testCalls ?? 0) === 0;

  const data = overview.data?.dashboardOverview ?? null;
  const filtered = agentId !== null;
  const summary = filtered ? slice.data?.kpiSummary : data?.summary;
  const daily = filtered ? slice.data?.kpiSeries : data?.daily;
  const loading = overview.loading || (filtered && slice.loading);
  const error = overview.error ?? (filtered ? slice.error : undefined);
  const agentName = session.agents.find((agent) => agent.id === agentId)?.name;
  const agentSearch = viewSearch({ ...view, agent: null });

  const onMarkRead = async (id: string): Promise<void> => {
    setPending((current) => new Set(current).add(id));
    await markRead.run({ leadAnalyticId: id, isRead: true });
    overview.refetch();
    setPending((current) => {
      const next = new Set(current);
      next.delete(id);
      return next;
    });
  };
  const onMarkAllRead = async (): Promise<void> => {
    await markAllRead.run({});
    overview.refetch();
  };

  return (
    <div className="page" data-page="overview">
      <div className="page-head">
        <div>
          <h1>{filtered ? `Overview: ${agentName ?? 'agent'}` : 'Overview'}</h1>
          <p className="muted" data-testid="range-label">
            {formatDay(range.fromDate, { year: true })} – {formatDay(range.toDate, { year: true })} ({session.timeZone})
            {summary?.previousFromDate ? ` · compared with ${formatDay(summary.previousFromDate)} – ${formatDay(summary.previousToDate)}` : ''}
          </p>
          <Freshness receivedAt={overview.receivedAt} freshness={data?.freshness} timeZone={session.timeZone} stale={overview.refreshError !== undefined} />
        </div>
        <RangeControls view={view} range={range} onChange={setView} agents={session.agents} />
      </div>
      {onboardingShown ? (
        <Onboarding
          status={setup}
          session={session}
          onChanged={() => {
            onboarding.refetch();
            overview.refetch();
            slice.refetch();
          }}
        />
      ) : null}
      {nothingYet ? null : (
      <StatusGate label="overview" loading={loading} error={error} onRetry={() => { overview.refetch(); slice.refetch(); }}>
        {onboardingShown ? (
          <p className="muted small" data-testid="test-calls-note">
            These figures include your test calls: they count in the KPIs until you remove them.
          </p>
        ) : null}
        {summary ? <KpiCards summary={summary} /> : null}
        <div className="grid-2">
          <CallsPerDayChart
            points={daily}
            actions={<CsvButton filename={`calls-per-day-${range.fromDate}-${range.toDate}.csv`} header={dailyCsv.header} rows={() => dailyCsv.rows(daily)} />}
          />
          <TalkTimeChart points={daily} />
        </div>
        {summary ? <BreakdownCharts summary={summary} /> : null}
        <div className="grid-2 wide-left">
          <section className="panel" aria-labelledby="leaderboard-title">
            <div className="panel-head">
              <h2 id="leaderboard-title">Agent leaderboard</h2>
              <CsvButton filename={`leaderboard-${range.fromDate}-${range.toDate}.csv`} header={leaderboardCsv.header} rows={() => leaderboardCsv.rows(data?.leaderboard)} />
            </div>
            <LeaderboardTable
              rows={data?.leaderboard}
              selectedAgentId={agentId}
              agentHref={(id) => `/agents/${id}${agentSearch}`}
              onOpenAgent={(id) => navigate(`/agents/${id}${agentSearch}`)}
            />
          </section>
          <HotLeads
            items={data?.notifications}
            unread={data?.unreadNotifications}
            timeZone={session.timeZone}
            pending={pending}
            onMarkRead={(id) => void onMarkRead(id)}
            onMarkAllRead={() => void onMarkAllRead()}
          />
        </div>
        <HourHeatmap matrix={data?.hourMatrix} note={filtered ? 'All agents (the matrix is tenant-wide).' : undefined} />
      </StatusGate>
      )}
    </div>
  );
}
