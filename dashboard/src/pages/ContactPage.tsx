/**
 * A contact: who it is, its lead score over time (each call's current score by call time, earlier versions of
 * those scores — re-analyses and re-scoring runs — as grey dots, and the lead's overall score each time it was
 * analysed), every call (each opens its call
 * page) and the follow-ups, with a form to plan one. An id that is not a UUID, unknown, or another
 * business's contact shows "not found".
 */
import { useState, type MouseEvent } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ContactCall } from '../api/operations/leads.ts';
import { AXIS_TICK, CHART_COLORS, ChartFrame } from '../components/ChartFrame.tsx';
import { StatusGate } from '../components/StatusGate.tsx';
import { todayIn } from '../dates.ts';
import { formatDateTime, formatDay, formatDuration, formatInteger, formatLabel } from '../format.ts';
import { useContactOverview } from '../hooks/use-leads.ts';
import { useContactScoreHistory } from '../hooks/use-rescoring.ts';
import { navigate } from '../router.ts';
import { canWrite, type Session } from '../session.ts';
import { contactCallsHref, FollowUpForm } from './LeadsPage.tsx';
import './leads.css';

/** A point of the score chart: a call's current score, an earlier version of it, or the lead's overall score. */
interface ScorePoint {
  at: number;
  version: string;
  score?: number;
  earlier?: number;
  lead?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function follow(event: MouseEvent<HTMLAnchorElement>, href: string): void {
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(href);
}

/** "Not found" for this page (a local one: the shared NotFound component is built on another branch). */
function ContactNotFound() {
  return (
    <div className="page" data-page="not-found">
      <h1>Contact not found</h1>
      <p className="muted">This contact does not exist or belongs to another business.</p>
      <p>
        <a href="/leads" onClick={(event) => follow(event, '/leads')}>Back to the leads</a>
      </p>
    </div>
  );
}

export function ContactPage({ session, contactId }: { session: Session; contactId: string }) {
  const valid = UUID.test(contactId);
  const contact = useContactOverview(valid ? contactId : null);
  const history = useContactScoreHistory(valid ? contactId : null);
  const [planning, setPlanning] = useState(false);
  if (!valid || (contact.data && !contact.data.contactOverview)) return <ContactNotFound />;
  const data = contact.data?.contactOverview;
  const calls = (data?.calls ?? []).filter((call): call is ContactCall => call?.callId != null);
  // One row per point on a shared time axis: a call's current score, an earlier version of it, or the lead's overall score.
  const scores = (history.data?.contactScoreHistory?.nodes ?? [])
    .flatMap((point): ScorePoint[] => {
      if (!point || point.totalScore === null || point.totalScore === undefined) return [];
      const individual = point.analysisType === 'individual';
      const iso = individual ? point.callStartedAt : point.analyzedAt;
      if (!iso) return [];
      const row: ScorePoint = { at: Date.parse(iso), version: `${point.promptVersion ?? 'unknown version'}${point.model ? ` · ${point.model}` : ''}` };
      if (!individual) return [{ ...row, lead: point.totalScore }];
      return [point.isLatest ? { ...row, score: point.totalScore } : { ...row, earlier: point.totalScore }];
    })
    .sort((x, y) => x.at - y.at);
  // Ticks between the first and last point only (Recharts' own "nice" ticks of a time axis can fall outside the chart).
  const first = scores[0]?.at ?? 0;
  const last = scores[scores.length - 1]?.at ?? 0;
  const ticks = last > first ? [0, 1, 2, 3].map((i) => Math.round(first + ((last - first) * i) / 3)) : [first];
  const hasLead = scores.some((row) => row.lead !== undefined);
  const hasEarlier = scores.some((row) => row.earlier !== undefined);
  const followUps = (data?.followUps ?? []).filter((f) => f?.followUpId != null);
  const who = data?.name ?? data?.phoneNumber ?? 'Contact';

  return (
    <div className="page contact-page" data-page="contact">
      <StatusGate label="contact" loading={contact.loading} error={contact.error} onRetry={contact.refetch}>
        <div className="page-head">
          <div>
            <h1 data-testid="contact-name">{who}</h1>
            <p className="muted">
              {data?.phoneNumber ? <a href={`tel:${data.phoneNumber}`}>{data.phoneNumber}</a> : null}
              {data?.company ? ` · ${data.company}` : ''}
              {data?.email ? ` · ${data.email}` : ''}
              {data?.isCustomer ? ' · customer' : ''}
            </p>
            <p className="muted">
              {formatInteger(String(calls.length))} calls · {formatInteger(String(data?.notConnected ?? 0))} not connected
              {data?.summaryScore !== null && data?.summaryScore !== undefined
                ? ` · overall score ${data.summaryScore} (${formatLabel(data.summaryTag ?? 'untagged')}, over all analysed calls)`
                : ''}
            </p>
          </div>
          {data?.phoneNumber ? (
            <a className="button-link" href={contactCallsHref(data.phoneNumber)} onClick={(event) => follow(event, contactCallsHref(data.phoneNumber ?? ''))}>
              Open in the call log
            </a>
          ) : null}
        </div>

        <ChartFrame
          title="Lead score over time"
          description="Lead score (0 to 100, y axis) by time (x axis): each analysed call's current score at the call's time; earlier scores of the same calls (before a re-analysis or re-scoring run) as grey dots; and the lead's overall score over all its calls each time it was analysed."
          empty={scores.length === 0}
          emptyText="No analysed call yet."
          height={240}
        >
          <LineChart data={scores} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="at"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              ticks={ticks}
              interval={0}
              padding={{ left: 28, right: 28 }}
              tick={AXIS_TICK}
              minTickGap={24}
              tickFormatter={(at: number) => formatDay(new Date(at).toISOString().slice(0, 10))}
            />
            <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tick={AXIS_TICK} width={36} />
            <Tooltip labelFormatter={(at) => formatDateTime(new Date(Number(at)).toISOString(), session.timeZone)} />
            <Legend />
            <Line isAnimationActive={false} type="linear" dataKey="score" name="Call score" stroke={CHART_COLORS.primary} dot={{ className: 'score-dot-current' }} connectNulls />
            {hasLead ? (
              <Line isAnimationActive={false} type="stepAfter" dataKey="lead" name="Lead score (all calls)" stroke={CHART_COLORS.secondary} dot connectNulls />
            ) : null}
            {hasEarlier ? (
              <Line isAnimationActive={false} dataKey="earlier" name="Earlier version" stroke={CHART_COLORS.muted} strokeWidth={0} dot={{ r: 3, fill: CHART_COLORS.muted, stroke: CHART_COLORS.muted }} legendType="circle" />
            ) : null}
          </LineChart>
        </ChartFrame>

        <section className="panel" aria-labelledby="contact-calls-title">
          <div className="panel-head">
            <h2 id="contact-calls-title">Calls</h2>
          </div>
          {calls.length === 0 ? (
            <div className="state state-empty" data-state="empty">No calls with this contact.</div>
          ) : (
            <ul className="leads-list" data-testid="contact-calls">
              {[...calls].reverse().map((call) => (
                <li key={call.callId} className="leads-row" data-call-id={call.callId}>
                  <div className="leads-who">
                    <a href={`/calls/${call.callId}`} onClick={(event) => follow(event, `/calls/${call.callId}`)}>
                      <strong>{formatDateTime(call.startedAt, session.timeZone)}</strong>
                    </a>
                    <span className="muted"> · {call.agentName ?? '—'} · {formatLabel(call.direction)}</span>
                    {call.leadAnalyticId ? (
                      <span className={`badge badge-${call.leadStatusTag ?? 'untagged'}`}>{formatLabel(call.leadStatusTag ?? 'untagged')}</span>
                    ) : null}
                  </div>
                  <div className="leads-meta muted">
                    <span>{formatLabel(call.outcome ?? call.status)}</span>
                    <span>{formatDuration(call.durationSeconds)}</span>
                    {call.totalScore !== null && call.totalScore !== undefined ? <span>score {call.totalScore}</span> : null}
                  </div>
                  {call.smartNotification ? <p className="lead-note">{call.smartNotification}</p> : null}
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="panel" aria-labelledby="contact-follow-ups-title">
          <div className="panel-head">
            <h2 id="contact-follow-ups-title">Follow-ups</h2>
            {canWrite(session) && data?.phoneNumber && !planning ? (
              <button type="button" onClick={() => setPlanning(true)}>Plan a follow-up</button>
            ) : null}
          </div>
          {planning && data?.phoneNumber ? (
            <FollowUpForm contactId={data.contactId ?? null} phone={data.phoneNumber} name={data.name ?? null} today={todayIn(session.timeZone)}
              onDone={(created) => {
                setPlanning(false);
                if (created) contact.refetch();
              }} />
          ) : null}
          {followUps.length === 0 ? (
            <div className="state state-empty" data-state="empty">No follow-up planned.</div>
          ) : (
            <ul className="follow-ups" data-testid="contact-follow-ups">
              {followUps.map((f) => (
                <li key={f?.followUpId}>
                  <strong>{formatDay(f?.followUpDate, { year: true })}</strong> · {formatLabel(f?.status)}
                  {f?.remark ? <span> · {f.remark}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </StatusGate>
    </div>
  );
}
