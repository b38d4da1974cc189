/** PLACEHOLDER (issue 17, helper "analysis"): Topics taxonomy, objections and success criteria of the analysis. */
import type { Session } from '../../session.ts';

export function AnalysisSettingsPage(_props: { session: Session }) {
  return (
    <section className="panel" data-page="analysis">
      <h1>Topics taxonomy, objections and success criteria of the analysis</h1>
      <p className="muted">Coming soon.</p>
    </section>
  );
}
