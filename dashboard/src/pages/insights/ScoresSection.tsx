/** PLACEHOLDER (issue 17, helper "scores"): Calibration. */
import type { InsightsSectionProps } from './types.ts';

export function ScoresSection(_props: InsightsSectionProps) {
  return (
    <section className="panel" data-section="scores">
      <h2>Calibration</h2>
      <p className="muted">Coming soon.</p>
    </section>
  );
}
