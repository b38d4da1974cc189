/** Join your team (signed out): placeholder, replaced by the branch that builds this page. */
export function AcceptInvitePage({ token }: { token?: string }) {
  return (
    <div className="page">
      <h1>Join your team</h1>
      <p className="muted">Not built yet{token ? ' (link received)' : ''}.</p>
    </div>
  );
}
