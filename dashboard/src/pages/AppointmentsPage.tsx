/** PLACEHOLDER (issue 17, helper "appointments"): Appointments booked by calls. */
import type { Session } from '../session.ts';

export function AppointmentsPage(_props: { session: Session }) {
  return (
    <div className="page" data-page="appointments">
      <h1>Appointments</h1>
      <p className="muted">Coming soon.</p>
    </div>
  );
}
