/** Providers: placeholder, replaced by the branch that builds this page. */
import type { Session } from '../../session.ts';

export function ProvidersPage({ session }: { session: Session }) {
  return (
    <div className="page">
      <h1>Providers</h1>
      <p className="muted">Not built yet ({session.tenantName}).</p>
    </div>
  );
}
