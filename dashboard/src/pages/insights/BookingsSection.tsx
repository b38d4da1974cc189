/** PLACEHOLDER (issue 17, helper "bookings"): Booking funnel. */
import type { InsightsSectionProps } from './types.ts';

export function BookingsSection(_props: InsightsSectionProps) {
  return (
    <section className="panel" data-section="bookings">
      <h2>Booking funnel</h2>
      <p className="muted">Coming soon.</p>
    </section>
  );
}
