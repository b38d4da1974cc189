/** PLACEHOLDER (issue 17, helper "rescoring"): Re-scoring runs. */
import type { Session } from '../../session.ts';

export function RescoringPage(_props: { session: Session }) {
  return (
    <section className="panel" data-page="rescoring">
      <h1>Re-scoring runs</h1>
      <p className="muted">Coming soon.</p>
    </section>
  );
}
