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
import { pageDrilldown } from '../drilldown.ts';
import { formatDay } from '../format.ts';
import { useAgentSlice } from '../hooks/use-agent-slice.ts';
import { useMarkLeadsRead } from '../hooks/use-leads.ts';
import { useMarkRead } from '../hooks/use-mark-read.ts';
import { useOverview } from '../hooks/use-overview.ts';
import { navigate } from '../router.ts';
import { canWrite, type Session } from '../session.ts';
import { resolveRange, useView, viewSearch } from '../view-state.ts';
import { dailyCsv, leaderboardCsv } from './csv-exports.ts';


export function OverviewPage({ session }: { session: Session }) {
  const [view, setView] = useView();
  const range = resolveRange(view, session.timeZone);
  // an agent id that is not one of the tenant's (a stale link) filters nothing
  const agentId = session.agents.some((agent) => agent.id === view.agent) ? view.agent : null;
  const overview = useOverview({ ...range, agentId });
  const slice = useAgentSlice(agentId, range);
  const markRead = useMarkRead();
  const markLeadsRead = useMarkLeadsRead();
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  // Onboarding while the business has no real call: refetched on changes and polled while shown (a test
  // call's progress and a provider being connected change no figure); once there are calls, not at all.
  const [watchOnboarding, setWatchOnboarding] = useState(false);
  const onboarding = useQuery(ONBOARDING_STATUS, {}, { live: watchOnboarding, pollMs: watchOnboarding ? 3_000 : 0 });
  const setup = onboarding.data?.onboardingStatus ?? null;
  const onboardingShown = setup !== null && Number(setup.calls ?? 0) === 0;
  if (onboardingShown !== watchOnboarding) setWatchOnboarding(onboardingShown);
  // No call at all: the checklist instead of zeros (and a red "0" change).
  const nothingYet = onboardingShown && Number(setup.testCalls ?? 0) === 0;

  const data = overview.data?.dashboardOverview ?? null;
  const filtered = agentId !== null;
  // Until the agent's slice arrives, the figures on screen stay (the tenant's or the previous agent's), marked as updating.
  const sliceData = filtered ? slice.data : undefined;
  const summary = sliceData ? sliceData.kpiSummary : data?.summary;
  const daily = sliceData ? sliceData.kpiSeries : data?.daily;
  const loading = overview.loading || (filtered && slice.loading && data === null);
  const updating = overview.stale || (filtered && (slice.stale || slice.loading));
  const error = overview.error ?? (filtered ? slice.error : undefined);
  const agentName = session.agents.find((agent) => agent.id === agentId)?.name;
  const agentSearch = viewSearch({ ...view, agent: null });
  const leadsHref = `/leads?${new URLSearchParams({
    temperature: 'hot', from: range.fromDate, to: range.toDate, ...(agentId ? { agent: agentId } : {}),
  }).toString()}`;
  const drill = pageDrilldown({ ...range, agentId });
  const open = (href: string | undefined): void => { if (href) navigate(href); };

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
    await markLeadsRead.run({ ...range, agentId, temperature: 'hot', minScore: null, maxScore: null });
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
      <StatusGate label="overview" loading={loading} error={error} updating={updating} onRetry={() => { overview.refetch(); slice.refetch(); }}>
        {onboardingShown ? (
          <p className="muted small" data-testid="test-calls-note">
            These figures include your test calls: they count in the KPIs until you remove them.
          </p>
        ) : null}
        {summary ? <KpiCards summary={summary} cardHref={drill.card} onOpen={open} /> : null}
        <div className="grid-2">
          <CallsPerDayChart
            points={daily}
            onSelect={(day, segment) => open(drill.daySegment(day, segment))}
            actions={<CsvButton filename={`calls-per-day-${range.fromDate}-${range.toDate}.csv`} header={dailyCsv.header} rows={() => dailyCsv.rows(daily)} />}
          />
          <TalkTimeChart points={daily} onSelect={(day) => open(drill.talkDay(day))} />
        </div>
        {summary ? <BreakdownCharts summary={summary} onSelect={(chart, key) => open(drill.breakdown(chart, key))} /> : null}
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
              cellHref={drill.leaderboardCell}
              onOpen={open}
            />
          </section>
          <HotLeads
            items={data?.notifications}
            hotLeads={summary?.current?.hotLeads}
            unread={data?.unreadNotifications}
            timeZone={session.timeZone}
            leadsHref={leadsHref}
            pending={pending}
            onMarkRead={canWrite(session) ? (id) => void onMarkRead(id) : null}
            onMarkAllRead={canWrite(session) ? () => void onMarkAllRead() : null}
            onOpen={(href) => navigate(href)}
          />
        </div>
        <HourHeatmap matrix={data?.hourMatrix} note={filtered ? `Calls of ${agentName ?? 'this agent'}.` : undefined} cellHref={drill.heatCell} onOpen={open} />
      </StatusGate>
      )}
    </div>
  );
}
