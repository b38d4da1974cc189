/** Conversation intelligence and outcome KPIs for a range and optionally one agent: one section per subject. */
import { RangeControls } from '../components/RangeControls.tsx';
import { formatDay } from '../format.ts';
import type { Session } from '../session.ts';
import { resolveRange, useView } from '../view-state.ts';
import { BookingsSection } from './insights/BookingsSection.tsx';
import { ConversationSection } from './insights/ConversationSection.tsx';
import { OutcomesCostSection } from './insights/OutcomesCostSection.tsx';
import { ScoresSection } from './insights/ScoresSection.tsx';
import { VersionsSection } from './insights/VersionsSection.tsx';

export function InsightsPage({ session }: { session: Session }) {
  const [view, setView] = useView();
  const range = resolveRange(view, session.timeZone);
  const agentId = session.agents.some((agent) => agent.id === view.agent) ? view.agent : null;
  const props = { session, fromDate: range.fromDate, toDate: range.toDate, agentId };
  return (
    <div className="page" data-page="insights">
      <div className="page-head">
        <div>
          <h1>Insights</h1>
          <p className="muted" data-testid="range-label">
            {formatDay(range.fromDate, { year: true })} – {formatDay(range.toDate, { year: true })} ({session.timeZone})
          </p>
        </div>
        <RangeControls view={view} range={range} onChange={setView} agents={session.agents} />
      </div>
      <ConversationSection {...props} />
      <OutcomesCostSection {...props} />
      <BookingsSection {...props} />
      <ScoresSection {...props} />
      <VersionsSection {...props} />
    </div>
  );
}
