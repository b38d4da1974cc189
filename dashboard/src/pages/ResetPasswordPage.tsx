/**
 * Choose a new password with a one-time reset link (/reset-password/:token),
 * signed out; then you are signed in. An owner issues the link for a member,
 * the platform operator with `npm run password-reset -- <email>`.
 */
import { useState, type FormEvent } from 'react';
import { writeToken } from '../api/token.ts';
import { RESET_PASSWORD } from '../api/operations/team.ts';
import { useMutation } from '../hooks/use-mutation.ts';
import { navigate } from '../router.ts';

export function ResetPasswordPage({ token }: { token?: string }) {
  const [password, setPassword] = useState('');
  const reset = useMutation(RESET_PASSWORD);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const result = await reset.run({ token: token ?? '', password });
    const jwt = result?.resetPassword?.jwtToken;
    if (jwt) {
      navigate('/', { replace: true });
      writeToken(jwt);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="panel sign-in-form" onSubmit={(event) => void submit(event)} aria-labelledby="reset-title">
        <h1 id="reset-title">Choose a new password</h1>
        <label>
          New password <span className="muted small">(at least 8 characters)</span>
          <input type="password" name="password" autoComplete="new-password" required minLength={8} value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        {reset.error ? (
          <p className="state-error" role="alert" data-testid="reset-error">
            {reset.error.message}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={reset.pending || !token}>
          {reset.pending ? 'Saving…' : 'Save and sign in'}
        </button>
        <p className="muted small">
          <a href="/sign-in">Back to sign-in</a>
        </p>
      </form>
    </main>
  );
}
