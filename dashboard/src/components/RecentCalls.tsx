/** The agent's latest calls; a row opens its transcript and analysis. */
import { useState } from 'react';
import type { RecentCall } from '../api/operations/agent-overview.ts';
import { formatDateTime, formatDuration, formatLabel } from '../format.ts';
import { CallDetail } from './CallDetail.tsx';

export function RecentCalls({ calls, timeZone }: { calls: ReadonlyArray<RecentCall | null> | null | undefined; timeZone: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const rows = (calls ?? []).filter((c): c is RecentCall => c?.callId != null);
  if (rows.length === 0) return <div className="state state-empty" data-state="empty">No calls yet.</div>;
  return (
    <ul className="call-list" data-testid="recent-calls">
      {rows.map((call) => {
        const id = call.callId ?? '';
        const expanded = open === id;
        return (
          <li key={id} className="call-item">
            <button type="button" className="call-row" aria-expanded={expanded} aria-controls={`call-${id}`} onClick={() => setOpen(expanded ? null : id)}>
              <span>{formatDateTime(call.startedAt, timeZone)}</span>
              <span>{call.callerName ?? call.phoneNumber ?? 'Unknown'}</span>
              <span className={`badge badge-${call.outcome ?? 'muted'}`}>{formatLabel(call.outcome ?? call.status)}</span>
              <span className="num">{formatDuration(call.durationSeconds)}</span>
              <span>{call.leadStatusTag ? `${formatLabel(call.leadStatusTag)} · ${call.totalScore ?? '—'}` : call.hasTranscript ? formatLabel(call.analysisStatus) : ''}</span>
            </button>
            {expanded ? (
              <div id={`call-${id}`}>
                <CallDetail callId={id} timeZone={timeZone} />
              </div>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
