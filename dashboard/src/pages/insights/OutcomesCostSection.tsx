/** PLACEHOLDER (issue 17, helper "outcomes-cost"): Disposition split, time to answer, cost cards and credits over time. */
import type { InsightsSectionProps } from './types.ts';

export function OutcomesCostSection(_props: InsightsSectionProps) {
  return (
    <section className="panel" data-section="outcomes-cost">
      <h2>Disposition split, time to answer, cost cards and credits over time</h2>
      <p className="muted">Coming soon.</p>
    </section>
  );
}
