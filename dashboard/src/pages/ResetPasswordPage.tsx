/** Choose a new password (signed out): placeholder, replaced by the branch that builds this page. */
export function ResetPasswordPage({ token }: { token?: string }) {
  return (
    <div className="page">
      <h1>Choose a new password</h1>
      <p className="muted">Not built yet{token ? ' (link received)' : ''}.</p>
    </div>
  );
}
