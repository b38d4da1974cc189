/** Agents and numbers: placeholder, replaced by the branch that builds this page. */
import type { Session } from '../../session.ts';

export function AgentsSettingsPage({ session }: { session: Session }) {
  return (
    <div className="page">
      <h1>Agents and numbers</h1>
      <p className="muted">Not built yet ({session.tenantName}).</p>
    </div>
  );
}
