/** PLACEHOLDER (issue 17, helper "conversation"): How callers felt, what they talked about and objected to, how conversations ended, success criteria. */
import type { InsightsSectionProps } from './types.ts';

export function ConversationSection(_props: InsightsSectionProps) {
  return (
    <section className="panel" data-section="conversation">
      <h2>How callers felt, what they talked about and objected to, how conversations ended, success criteria</h2>
      <p className="muted">Coming soon.</p>
    </section>
  );
}
