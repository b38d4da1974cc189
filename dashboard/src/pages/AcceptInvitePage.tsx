/**
 * Join a business with a one-time invitation link (/invite/:token), signed out:
 * choose your name and password, and you are signed in with the role the owner
 * gave you. The link works once; the API explains a used or expired one.
 */
import { useState, type FormEvent } from 'react';
import { writeToken } from '../api/token.ts';
import { ACCEPT_INVITATION } from '../api/operations/team.ts';
import { useMutation } from '../hooks/use-mutation.ts';
import { navigate } from '../router.ts';

export function AcceptInvitePage({ token }: { token?: string }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const accept = useMutation(ACCEPT_INVITATION);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const result = await accept.run({ token: token ?? '', name, password });
    const jwt = result?.acceptInvitation?.jwtToken;
    if (jwt) {
      navigate('/', { replace: true });
      writeToken(jwt);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="panel sign-in-form" onSubmit={(event) => void submit(event)} aria-labelledby="invite-title">
        <h1 id="invite-title">Join your team</h1>
        <p className="muted small">You were invited to a business on Switchboard. Choose how you appear to your team and your password.</p>
        <label>
          Your name
          <input name="name" autoComplete="name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          Password <span className="muted small">(at least 8 characters)</span>
          <input type="password" name="password" autoComplete="new-password" required minLength={8} value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        {accept.error ? (
          <p className="state-error" role="alert" data-testid="invite-error">
            {accept.error.message}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={accept.pending || !token}>
          {accept.pending ? 'Joining…' : 'Join and sign in'}
        </button>
        <p className="muted small">
          Already have a login? <a href="/sign-in">Sign in</a>
        </p>
      </form>
    </main>
  );
}
