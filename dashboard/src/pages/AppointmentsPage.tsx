/**
 * Appointments: booked by calls (their analysis), the API or a calendar tool; listed by the tenant-local days
 * they take place on, filtered by status and agent (all in the URL). Owners and managers confirm, complete,
 * mark no-shows, cancel and reschedule; viewers read. Each booked-by-call appointment links to its call.
 */
import { useState, type FormEvent, type MouseEvent } from 'react';
import type { AppointmentItem } from '../api/operations/appointments.ts';
import { StatusGate } from '../components/StatusGate.tsx';
import { addDays, isDay, todayIn } from '../dates.ts';
import { formatDateTime, formatInteger, formatLabel } from '../format.ts';
import { useAppointmentList, useRescheduleAppointment, useUpdateAppointmentStatus } from '../hooks/use-appointments.ts';
import { navigate, useLocation } from '../router.ts';
import { canWrite, type Session } from '../session.ts';
import './appointments.css';

export const APPOINTMENT_STATUSES = ['scheduled', 'confirmed', 'rescheduled', 'completed', 'no_show', 'cancelled'] as const;
/** What a manager may set directly (rescheduling takes a new time). */
const SETTABLE = ['scheduled', 'confirmed', 'completed', 'no_show', 'cancelled'] as const;

export interface AppointmentFilter {
  status: string | null;
  from: string | null;
  to: string | null;
  agent: string | null;
}

export function readAppointmentFilter(search: URLSearchParams): AppointmentFilter {
  const status = search.get('status');
  const from = search.get('from');
  const to = search.get('to');
  return {
    status: APPOINTMENT_STATUSES.some((s) => s === status) ? status : null,
    from: isDay(from) ? from : null,
    to: isDay(to) ? to : null,
    agent: search.get('agent') || null,
  };
}

export function appointmentFilterSearch(filter: AppointmentFilter): string {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.agent) params.set('agent', filter.agent);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function statusLabel(status: string | null | undefined): string {
  return status === 'no_show' ? 'No-show' : formatLabel(status);
}

function follow(event: MouseEvent<HTMLAnchorElement>, href: string): void {
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(href);
}

export function AppointmentsPage({ session }: { session: Session }) {
  const location = useLocation();
  const filter = readAppointmentFilter(location.search);
  const today = todayIn(session.timeZone);
  // Default: the last week and the month ahead (appointments mostly lie in the future).
  let fromDate = filter.from ?? addDays(today, -7);
  let toDate = filter.to ?? addDays(today, 30);
  if (fromDate > toDate) [fromDate, toDate] = [toDate, fromDate];
  const agentId = session.agents.some((agent) => agent.id === filter.agent) ? filter.agent : null;
  const list = useAppointmentList({ fromDate, toDate, agentId, statuses: filter.status ? [filter.status] : null });
  const writer = canWrite(session);
  const items = (list.data?.appointmentList ?? []).filter((item): item is AppointmentItem => item?.rowId != null);
  const agentName = (id: string | null | undefined): string => session.agents.find((agent) => agent.id === id)?.name ?? '—';
  const setFilter = (change: Partial<AppointmentFilter>): void =>
    navigate(`/appointments${appointmentFilterSearch({ ...filter, from: fromDate, to: toDate, ...change })}`);

  return (
    <div className="page appointments-page" data-page="appointments">
      <div className="page-head">
        <div>
          <h1>Appointments</h1>
          <p className="muted">
            Booked by calls, the API or a calendar tool, by the day they take place ({session.timeZone}).
            {writer ? null : ' You have view-only access.'}
          </p>
        </div>
      </div>
      <form className="panel appointments-filters" aria-label="Filter appointments" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select value={filter.status ?? ''} onChange={(event) => setFilter({ status: event.target.value || null })} data-testid="filter-status">
            <option value="">All</option>
            {APPOINTMENT_STATUSES.map((s) => (
              <option key={s} value={s}>{statusLabel(s)}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={fromDate} onChange={(event) => isDay(event.target.value) && setFilter({ from: event.target.value })} data-testid="filter-from" />
        </label>
        <label>
          To
          <input type="date" value={toDate} onChange={(event) => isDay(event.target.value) && setFilter({ to: event.target.value })} data-testid="filter-to" />
        </label>
        <label>
          Agent
          <select value={agentId ?? ''} onChange={(event) => setFilter({ agent: event.target.value || null })} data-testid="filter-agent">
            <option value="">All agents</option>
            {session.agents.map((agent) => (
              <option key={agent.id} value={agent.id}>{agent.name}</option>
            ))}
          </select>
        </label>
      </form>
      <section className="panel" aria-labelledby="appointments-title">
        <div className="panel-head">
          <h2 id="appointments-title">
            {list.data ? `${formatInteger(items.length)} appointment${items.length === 1 ? '' : 's'}` : 'Appointments'}
          </h2>
        </div>
        <StatusGate label="appointments" loading={list.loading} error={list.error} empty={items.length === 0} onRetry={list.refetch}
          emptyText="No appointments on these days.">
          <ul className="appointments-list">
            {items.map((item) => (
              <AppointmentRow key={item.rowId} item={item} session={session} writer={writer} agentName={agentName(item.agentId)} onChanged={list.refetch} />
            ))}
          </ul>
        </StatusGate>
      </section>
    </div>
  );
}

interface RowProps {
  item: AppointmentItem;
  session: Session;
  writer: boolean;
  agentName: string;
  onChanged(): void;
}

function AppointmentRow({ item, session, writer, agentName, onChanged }: RowProps) {
  const update = useUpdateAppointmentStatus();
  const reschedule = useRescheduleAppointment();
  const [moving, setMoving] = useState(false);
  const [when, setWhen] = useState('');
  const id = item.rowId ?? '';
  const held = item.status === 'completed' || item.status === 'no_show';

  const setStatus = async (status: string): Promise<void> => {
    if (await update.run({ appointmentId: id, status })) onChanged();
  };
  const submitMove = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const at = new Date(when);
    if (Number.isNaN(at.getTime())) return;
    if (await reschedule.run({ appointmentId: id, scheduledAt: at.toISOString() })) {
      setMoving(false);
      onChanged();
    }
  };
  const error = update.error ?? reschedule.error;

  return (
    <li className="appointments-row" data-appointment-id={id} data-status={item.status}>
      <div className="appointments-when">
        <strong>{formatDateTime(item.scheduledAt, session.timeZone)}</strong>
        <span className={`badge appointment-${item.status ?? 'scheduled'}`} data-testid="appointment-status">{statusLabel(item.status)}</span>
      </div>
      <div className="appointments-who">
        {item.contactName ?? item.phoneNumber ?? 'Unknown contact'}
        {item.contactName && item.phoneNumber ? <span className="muted"> · {item.phoneNumber}</span> : null}
      </div>
      <div className="appointments-meta muted">
        <span>Agent: {agentName}</span>
        <span>Source: {item.source === 'api' ? 'API' : formatLabel(item.source)}</span>
        {item.callId ? (
          <a href={`/calls/${item.callId}`} onClick={(event) => follow(event, `/calls/${item.callId}`)} data-testid="appointment-call">
            Booking call
          </a>
        ) : null}
      </div>
      {item.notes ? <p className="appointments-notes">{item.notes}</p> : null}
      {writer ? (
        <div className="appointments-actions">
          <label>
            <span className="sr-only">Status</span>
            <select
              aria-label={`Status of the appointment at ${formatDateTime(item.scheduledAt, session.timeZone)}`}
              value={SETTABLE.some((s) => s === item.status) ? (item.status ?? '') : ''}
              disabled={update.pending}
              onChange={(event) => event.target.value && void setStatus(event.target.value)}
              data-testid="appointment-set-status"
            >
              {SETTABLE.some((s) => s === item.status) ? null : <option value="">{statusLabel(item.status)}</option>}
              {SETTABLE.map((s) => (
                <option key={s} value={s}>{statusLabel(s)}</option>
              ))}
            </select>
          </label>
          {held ? null : (
            <button type="button" className="link-button" aria-expanded={moving} onClick={() => setMoving(!moving)} data-testid="appointment-reschedule">
              Reschedule
            </button>
          )}
          {moving ? (
            <form className="appointments-move" onSubmit={(event) => void submitMove(event)} aria-label="Reschedule">
              <label>
                New time (your clock)
                <input type="datetime-local" required value={when} onChange={(event) => setWhen(event.target.value)} data-testid="appointment-new-time" />
              </label>
              <button type="submit" disabled={reschedule.pending}>Move</button>
              <button type="button" className="link-button" onClick={() => setMoving(false)}>Cancel</button>
            </form>
          ) : null}
        </div>
      ) : null}
      {error ? <p role="alert" className="error">{error.message}</p> : null}
    </li>
  );
}
