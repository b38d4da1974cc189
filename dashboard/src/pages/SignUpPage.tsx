/** Sign up (signed out): placeholder, replaced by the branch that builds this page. */
export function SignUpPage({ token }: { token?: string }) {
  return (
    <div className="page">
      <h1>Sign up</h1>
      <p className="muted">Not built yet{token ? ' (link received)' : ''}.</p>
    </div>
  );
}
