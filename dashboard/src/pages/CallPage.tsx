/**
 * One call (/calls/:callId): lifecycle timeline in the tenant's time zone,
 * outcome with who hung up and why, the recording, the transcript as speaker
 * turns, the analysis with every score and its reasoning (a failed one says
 * why and can be retried), the contact's other calls, and the provider
 * deliveries that built the call. A malformed, unknown or foreign id shows
 * "not found".
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { CallPageCall, CallPageDelivery, CallPageTranscript } from '../api/operations/call-page.ts';
import { AnalysisScores } from '../components/AnalysisScores.tsx';
import { isNotFoundError, NotFound } from '../components/NotFound.tsx';
import { StatusGate } from '../components/StatusGate.tsx';
import { TranscriptTurns } from '../components/TranscriptTurns.tsx';
import { formatDateTime, formatDuration, formatLabel } from '../format.ts';
import { useCallPage } from '../hooks/use-call-page.ts';
import { useRetryAnalysis } from '../hooks/use-retry-analysis.ts';
import { navigate } from '../router.ts';
import { canWrite, type Session } from '../session.ts';
import './call-page.css';

/** An instant with seconds, in the tenant's zone: "Nov 20, 9:30:02 AM". */
function formatClock(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
  }).format(date);
}

/** "+1m 35s" from `from` to `to`, or "" when either is missing. */
function offset(from: string | null, to: string | null): string {
  if (!from || !to) return '';
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  if (!Number.isFinite(seconds)) return '';
  return seconds < 0 ? `−${formatDuration(-seconds)}` : `+${formatDuration(seconds)}`;
}

function Link({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  return (
    <a
      href={href}
      className={className}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

function Timeline({ call, timeZone }: { call: CallPageCall; timeZone: string }) {
  const steps: Array<{ key: string; label: string; at: string | null }> = [
    { key: 'queued', label: 'Queued', at: call.queuedAt },
    {
      key: 'dialled',
      label: call.direction === 'inbound' ? 'Received' : 'Dialled',
      at: call.startedAt,
    },
    { key: 'ringing', label: 'Ringing', at: call.ringingAt },
    { key: 'answered', label: 'Answered', at: call.answeredAt },
    { key: 'disconnected', label: 'Disconnected', at: call.disconnectedAt },
    { key: 'ended', label: 'Ended', at: call.endedAt },
  ];
  const origin = call.queuedAt ?? call.startedAt;
  return (
    <ol className="timeline" data-testid="call-timeline">
      {steps.map((step) => (
        <li key={step.key} data-step={step.key} className={step.at ? 'reached' : 'missed'}>
          <span className="timeline-label">{step.label}</span>
          <span className="timeline-time">{step.at ? formatClock(step.at, timeZone) : <span className="muted">not reported</span>}</span>
          <span className="timeline-offset muted">{step.at && step.key !== 'queued' ? offset(origin, step.at) : ''}</span>
        </li>
      ))}
    </ol>
  );
}

function Outcome({ call }: { call: CallPageCall }) {
  return (
    <dl className="facts" data-testid="call-outcome">
      <dt>Outcome</dt>
      <dd>
        <span className={`badge badge-${call.outcome ?? 'muted'}`}>{call.outcome ? formatLabel(call.outcome) : 'In progress'}</span>
        <span className="muted">
          {' '}
          ({formatLabel(call.status)}
          {call.answeredByVoicemail ? ', voicemail' : ''})
        </span>
      </dd>
      <dt>Talk time</dt>
      <dd>{formatDuration(call.durationSeconds)}</dd>
      <dt>Hung up by</dt>
      <dd data-testid="hangup">
        {call.hangupBy ?? '—'}
        {call.hangupReason ? ` — ${call.hangupReason}` : ''}
        {call.hangupCode !== null ? <span className="muted"> (code {call.hangupCode})</span> : null}
      </dd>
      <dt>Cost</dt>
      <dd>{call.costCents !== null ? `${Number(call.costCents).toFixed(2)} ¢` : '—'}</dd>
      <dt>Provider</dt>
      <dd>
        {formatLabel(call.provider)} <span className="muted break">{call.providerCallId}</span>
      </dd>
    </dl>
  );
}

function Recording({ url }: { url: string | null }) {
  if (!url) return <p className="muted">No recording: the provider sent none, or it was removed by the retention policy.</p>;
  return (
    <div className="recording">
      <audio controls preload="none" src={url} data-testid="recording-player">
        <a href={url}>Download the recording</a>
      </audio>
      <p className="small">
        <a href={url} target="_blank" rel="noreferrer noopener">
          Open the recording
        </a>
      </p>
    </div>
  );
}

const ANALYSIS_STATE: Record<string, string> = {
  pending: 'The analysis is queued.',
  processing: 'The analysis is running.',
  skipped: 'Not analysed: the conversation was too short.',
};

function AnalysisPanel({
  data,
  callId,
  session,
  onRetried,
}: {
  data: {
    transcript: CallPageTranscript | null;
    analysis: Parameters<typeof AnalysisScores>[0]['analysis'] | null;
  };
  callId: string;
  session: Session;
  onRetried(): void;
}) {
  const retry = useRetryAnalysis();
  const { transcript, analysis } = data;
  const failed = transcript?.analysisStatus === 'failed';
  return (
    <>
      {failed ? (
        <div className="analysis-failed" role="alert" data-testid="analysis-failed">
          <p>
            <strong>The analysis failed.</strong> {transcript.analysisError ? `Reason: ${transcript.analysisError}` : 'No reason was recorded.'}
          </p>
          {canWrite(session) ? (
            <button
              type="button"
              className="primary"
              disabled={retry.pending}
              onClick={async () => {
                const done = await retry.run({ callId });
                if (done) onRetried();
              }}
            >
              {retry.pending ? 'Queuing…' : 'Retry the analysis'}
            </button>
          ) : (
            <p className="muted small">A manager or the owner can retry it.</p>
          )}
          {retry.error ? <p className="state-error">Could not retry: {retry.error.message}</p> : null}
        </div>
      ) : null}
      {analysis ? (
        <AnalysisScores analysis={analysis} timeZone={session.timeZone} />
      ) : !failed ? (
        <p className="muted" data-testid="analysis-state">
          {transcript ? (ANALYSIS_STATE[transcript.analysisStatus] ?? formatLabel(transcript.analysisStatus)) : 'No analysis: the call has no transcript.'}
        </p>
      ) : null}
    </>
  );
}

function Deliveries({ deliveries, total, timeZone }: { deliveries: CallPageDelivery[]; total: number; timeZone: string }) {
  if (deliveries.length === 0) return <p className="muted">No stored deliveries (they are kept for a limited time).</p>;
  return (
    <>
      <p className="scroll-hint small muted" aria-hidden="true">
        Scroll the table sideways for more →
      </p>
      <div className="table-scroll" tabIndex={0} aria-label="Provider deliveries (scrolls sideways)">
        <table className="deliveries" data-testid="deliveries">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Provider</th>
              <th scope="col">Status sent</th>
              <th scope="col">Provider time</th>
              <th scope="col">Result</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.rowId ?? ''} data-status={d.status ?? ''}>
                <td>{formatClock(d.receivedAt, timeZone)}</td>
                <td>{formatLabel(d.provider)}</td>
                <td>{d.providerStatus ?? '—'}</td>
                <td>{formatClock(d.providerEventAt, timeZone)}</td>
                <td>
                  <span className={`badge badge-${d.status === 'failed' ? 'failed' : d.status === 'processed' ? 'successful' : 'muted'}`}>
                    {formatLabel(d.status)}
                  </span>
                  {d.attempts && d.attempts > 1 ? <span className="muted small"> {d.attempts} tries</span> : null}
                </td>
                <td>
                  {d.errorCode ? (
                    <span title={d.error ?? undefined}>
                      <code>{d.errorCode}</code> {d.error}
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {total > deliveries.length ? (
          <p className="muted small">
            The first {deliveries.length} of {total} deliveries.
          </p>
        ) : null}
      </div>
    </>
  );
}

function OtherCalls({ call, timeZone }: { call: CallPageCall; timeZone: string }) {
  const contact = call.contact;
  if (!contact) return <p className="muted">No contact: the caller had no phone number (a web call).</p>;
  const others = contact.calls.nodes.filter((c): c is NonNullable<typeof c> => c !== null && c.rowId !== call.rowId);
  return (
    <>
      <p>
        <Link href={`/contacts/${contact.rowId}`}>{contact.name ?? contact.phoneNumber}</Link>
        {contact.name ? <span className="muted"> · {contact.phoneNumber}</span> : null}
        <span className="muted">
          {' '}
          · {contact.calls.totalCount} call
          {contact.calls.totalCount === 1 ? '' : 's'}
        </span>
      </p>
      {others.length === 0 ? (
        <p className="muted">No other calls with this contact.</p>
      ) : (
        <ul className="other-calls" data-testid="other-calls">
          {others.map((other) => (
            <li key={other.rowId}>
              <Link href={`/calls/${other.rowId}`}>{formatDateTime(other.startedAt, timeZone)}</Link>
              <span className={`badge badge-${other.outcome ?? 'muted'}`}>{other.outcome ? formatLabel(other.outcome) : formatLabel(other.status)}</span>
              <span className="muted small">
                {' '}
                {formatLabel(other.direction)} · {formatDuration(other.durationSeconds)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Panel({ id, title, children, className }: { id: string; title: string; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={`${id}-title`} data-testid={`panel-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

export function CallPage({ callId, session }: { session: Session; callId: string }) {
  const [live, setLive] = useState(false);
  const { data, loading, error, refetch } = useCallPage(callId, { live });
  const call = data?.callByRowId ?? null;
  const transcript = data?.transcriptByCallId ?? null;
  const analysis = data?.allLeadAnalytics?.nodes.find((node) => node !== null) ?? null;
  const moving = call !== null && (call.outcome === null || transcript?.analysisStatus === 'pending' || transcript?.analysisStatus === 'processing');
  useEffect(() => setLive(moving), [moving]);

  if (isNotFoundError(error) || (data !== undefined && call === null)) {
    return <NotFound what="call" backHref="/calls" backLabel="Back to the call log" />;
  }
  const who = call ? (call.callerName ?? call.contact?.name ?? call.phoneNumber ?? 'a web caller') : null;
  const tz = session.timeZone;
  return (
    <div className="page call-page" data-page="call">
      <p>
        <Link href="/calls">← Call log</Link>
      </p>
      <StatusGate label="call" loading={loading} error={error} onRetry={refetch}>
        {call ? (
          <>
            <div className="page-head">
              <div>
                <h1>
                  Call {call.direction === 'inbound' ? 'from' : 'with'} {who}
                  <span className={`badge badge-${call.outcome ?? 'muted'}`}>{call.outcome ? formatLabel(call.outcome) : 'In progress'}</span>
                </h1>
                <p className="muted">
                  {formatDateTime(call.startedAt, tz)} ({tz}) · {formatLabel(call.direction)} · {formatDuration(call.durationSeconds)} ·{' '}
                  {call.agent ? <Link href={`/agents/${call.agent.rowId}`}>{call.agent.name}</Link> : 'unknown agent'}
                </p>
              </div>
            </div>
            <div className="grid-2">
              <Panel id="timeline" title="Timeline">
                <Timeline call={call} timeZone={tz} />
              </Panel>
              <Panel id="outcome" title="Outcome">
                <Outcome call={call} />
              </Panel>
            </div>
            <div className="grid-2 call-main">
              <Panel id="transcript" title="Transcript">
                {transcript ? (
                  <TranscriptTurns content={transcript.content} segments={transcript.speakerSegments} agentName={call.agent?.name ?? 'Agent'} />
                ) : (
                  <p className="muted">No transcript for this call.</p>
                )}
              </Panel>
              <Panel id="analysis" title="Analysis">
                <AnalysisPanel data={{ transcript, analysis }} callId={call.rowId} session={session} onRetried={refetch} />
              </Panel>
            </div>
            <div className="grid-2">
              <Panel id="recording" title="Recording">
                <Recording url={call.recordingUrl} />
              </Panel>
              <Panel id="contact" title="The contact's other calls">
                <OtherCalls call={call} timeZone={tz} />
              </Panel>
            </div>
            <Panel id="deliveries" title="Provider deliveries">
              <p className="muted small">What the provider sent for this call, as received (for support).</p>
              <Deliveries
                deliveries={call.deliveries.nodes.filter((d): d is CallPageDelivery => d !== null)}
                total={call.deliveries.totalCount}
                timeZone={tz}
              />
            </Panel>
          </>
        ) : null}
      </StatusGate>
    </div>
  );
}
