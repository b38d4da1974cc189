/** Team: placeholder, replaced by the branch that builds this page. */
import type { Session } from '../../session.ts';

export function TeamPage({ session }: { session: Session }) {
  return (
    <div className="page">
      <h1>Team</h1>
      <p className="muted">Not built yet ({session.tenantName}).</p>
    </div>
  );
}
