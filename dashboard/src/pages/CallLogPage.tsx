/** Calls: placeholder, replaced by the branch that builds this page. */
import type { Session } from '../session.ts';

export function CallLogPage({ session }: { session: Session }) {
  return (
    <div className="page">
      <h1>Calls</h1>
      <p className="muted">Not built yet ({session.tenantName}).</p>
    </div>
  );
}
