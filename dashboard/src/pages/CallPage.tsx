/** Call: placeholder, replaced by the branch that builds this page. */
import type { Session } from '../session.ts';

export function CallPage({ session }: { session: Session; callId: string }) {
  return (
    <div className="page">
      <h1>Call</h1>
      <p className="muted">Not built yet ({session.tenantName}).</p>
    </div>
  );
}
