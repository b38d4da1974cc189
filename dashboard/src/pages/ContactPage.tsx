/** Contact: placeholder, replaced by the branch that builds this page. */
import type { Session } from '../session.ts';

export function ContactPage({ session }: { session: Session; contactId: string }) {
  return (
    <div className="page">
      <h1>Contact</h1>
      <p className="muted">Not built yet ({session.tenantName}).</p>
    </div>
  );
}
