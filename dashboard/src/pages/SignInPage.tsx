/** Sign in with email and password (authenticate mutation); the JWT is kept for the session. */
import { useState, type FormEvent } from 'react';
import { writeToken } from '../api/token.ts';
import { useSignIn } from '../hooks/use-sign-in.ts';
import { navigate } from '../router.ts';

const MESSAGES: Record<string, string> = {
  INVALID_CREDENTIALS: 'Wrong email or password.',
  ACCOUNT_LOCKED: 'Too many failed attempts from here: signing in is paused for 15 minutes (longer if it happens again).',
  ACCOUNT_INACTIVE: 'This account is disabled.',
  RATE_LIMITED: 'Too many requests: wait a moment and try again.',
};

export function SignInPage({ onSignedIn }: { onSignedIn(): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn();

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const result = await signIn.run({ email, password });
    const token = result?.authenticate?.jwtToken;
    if (token) {
      writeToken(token);
      onSignedIn();
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="panel sign-in-form" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Switchboard</h1>
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        {signIn.error ? (
          <p className="state-error" role="alert" data-testid="sign-in-error">
            {MESSAGES[signIn.error.code] ?? signIn.error.message}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={signIn.pending}>
          {signIn.pending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          New to Switchboard?{' '}
          <a href="/sign-up" onClick={(event) => { event.preventDefault(); navigate('/sign-up'); }}>
            Create an account
          </a>
        </p>
        <p className="muted small">The demo logins (a business and a platform admin) are printed by <code>npm start</code>.</p>
      </form>
    </main>
  );
}
