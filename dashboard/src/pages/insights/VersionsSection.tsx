/** PLACEHOLDER (issue 17, helper "versions"): Agent versions compared, with significance. */
import type { InsightsSectionProps } from './types.ts';

export function VersionsSection(_props: InsightsSectionProps) {
  return (
    <section className="panel" data-section="versions">
      <h2>Agent versions compared, with significance</h2>
      <p className="muted">Coming soon.</p>
    </section>
  );
}
