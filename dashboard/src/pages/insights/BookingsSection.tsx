/**
 * Booking funnel: calls that booked an appointment (on the call's day) and what became of the appointments
 * that fall in the range (on the appointment's day): confirmed, completed, no-show; booking, show and no-show
 * rates overall and per agent. Every figure and rate comes from app_public.booking_summary.
 */
import type { BookingRow } from '../../api/operations/appointments.ts';
import { StatusGate } from '../../components/StatusGate.tsx';
import { formatInteger, formatPercent } from '../../format.ts';
import { useBookingSummary } from '../../hooks/use-appointments.ts';
import { navigate } from '../../router.ts';
import '../appointments.css';
import type { InsightsSectionProps } from './types.ts';

function Step({ label, value, testId }: { label: string; value: string | null | undefined; testId: string }) {
  return (
    <li className="bookings-step" data-testid={testId}>
      <span className="muted">{label}</span>
      <strong>{formatInteger(value)}</strong>
    </li>
  );
}

export function BookingsSection({ session, fromDate, toDate, agentId }: InsightsSectionProps) {
  const summary = useBookingSummary({ fromDate, toDate, agentId });
  const rows = (summary.data?.bookingSummary ?? []).filter((row): row is BookingRow => row !== null);
  const [total, ...agents] = rows;
  const agentName = (id: string | null | undefined): string => session.agents.find((agent) => agent.id === id)?.name ?? 'No agent';
  const empty = !total || (Number(total.bookedCalls) === 0 && Number(total.appointments) === 0 && Number(total.connectedCalls) === 0);
  const appointmentsHref = `/appointments?${new URLSearchParams({ from: fromDate, to: toDate, ...(agentId ? { agent: agentId } : {}) }).toString()}`;

  return (
    <section className="panel" data-section="bookings" aria-labelledby="bookings-title">
      <div className="panel-head">
        <h2 id="bookings-title">Booking funnel</h2>
        <a href={appointmentsHref} onClick={(event) => { event.preventDefault(); navigate(appointmentsHref); }}>Appointments</a>
      </div>
      <StatusGate label="booking funnel" loading={summary.loading} error={summary.error} empty={empty} onRetry={summary.refetch}
        emptyText="No connected calls or appointments in this period.">
        {total ? (
          <>
            <ul className="bookings-funnel" aria-label="Funnel">
              <Step label="Connected calls" value={total.connectedCalls} testId="bookings-connected" />
              <Step label="Calls that booked" value={total.bookedCalls} testId="bookings-booked" />
              <Step label="Due in the period" value={total.appointments} testId="bookings-appointments" />
              <Step label="Confirmed" value={total.confirmed} testId="bookings-confirmed" />
              <Step label="Completed" value={total.completed} testId="bookings-completed" />
              <Step label="No-show" value={total.noShows} testId="bookings-no-show" />
              <Step label="Cancelled" value={total.cancelled} testId="bookings-cancelled" />
            </ul>
            <p className="bookings-rates">
              <span>Booking rate <strong data-testid="bookings-booking-rate">{formatPercent(total.bookingRate)}</strong></span>
              <span>Show rate <strong data-testid="bookings-show-rate">{formatPercent(total.showRate)}</strong></span>
              <span>No-show rate <strong data-testid="bookings-no-show-rate">{formatPercent(total.noShowRate)}</strong></span>
            </p>
            <p className="muted">
              Bookings count on the day of the booking call; confirmations, shows and no-shows on the day the appointment
              takes place. Show rate = completed / (completed + no-show); {formatInteger(total.pending)} still to take place.
            </p>
            {agents.length > 0 ? (
              <div className="table-scroll">
                <table className="bookings-table" aria-label="Bookings per agent">
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      <th scope="col">Connected</th>
                      <th scope="col">Booked</th>
                      <th scope="col">Booking rate</th>
                      <th scope="col">Due</th>
                      <th scope="col">Completed</th>
                      <th scope="col">No-show</th>
                      <th scope="col">Show rate</th>
                    </tr>
                  </thead>
                  <tbody>
                    {agents.map((row) => (
                      <tr key={row.agentId ?? 'none'} data-agent-id={row.agentId ?? ''}>
                        <th scope="row">{agentName(row.agentId)}</th>
                        <td>{formatInteger(row.connectedCalls)}</td>
                        <td>{formatInteger(row.bookedCalls)}</td>
                        <td>{formatPercent(row.bookingRate)}</td>
                        <td>{formatInteger(row.appointments)}</td>
                        <td>{formatInteger(row.completed)}</td>
                        <td>{formatInteger(row.noShows)}</td>
                        <td>{formatPercent(row.showRate)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </>
        ) : null}
      </StatusGate>
    </section>
  );
}
