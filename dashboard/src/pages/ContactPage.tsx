/**
 * A contact: who it is, the lead score of each analysed call over time, every call (each opens its call
 * page) and the follow-ups, with a form to plan one. An id that is not a UUID, unknown, or another
 * business's contact shows "not found".
 */
import { useState, type MouseEvent } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ContactCall } from '../api/operations/leads.ts';
import { AXIS_TICK, CHART_COLORS, ChartFrame } from '../components/ChartFrame.tsx';
import { StatusGate } from '../components/StatusGate.tsx';
import { todayIn } from '../dates.ts';
import { formatDateTime, formatDay, formatDuration, formatInteger, formatLabel } from '../format.ts';
import { useContactOverview } from '../hooks/use-leads.ts';
import { navigate } from '../router.ts';
import { canWrite, type Session } from '../session.ts';
import { contactCallsHref, FollowUpForm } from './LeadsPage.tsx';
import './leads.css';

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
  const [planning, setPlanning] = useState(false);
  if (!valid || (contact.data && !contact.data.contactOverview)) return <ContactNotFound />;
  const data = contact.data?.contactOverview;
  const calls = (data?.calls ?? []).filter((call): call is ContactCall => call?.callId != null);
  const scores = calls
    .filter((call) => call.totalScore !== null && call.totalScore !== undefined)
    .map((call) => ({ at: Date.parse(call.startedAt ?? ''), label: formatDateTime(call.startedAt, session.timeZone), score: call.totalScore }));
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
          description="Total lead score (0 to 100, y axis) of each analysed call of this contact by call time (x axis)."
          empty={scores.length === 0}
          emptyText="No analysed call yet."
          height={220}
        >
          <LineChart data={scores} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={AXIS_TICK} minTickGap={24} />
            <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tick={AXIS_TICK} width={36} />
            <Tooltip />
            <Line isAnimationActive={false} type="linear" dataKey="score" name="Score" stroke={CHART_COLORS.primary} dot />
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
