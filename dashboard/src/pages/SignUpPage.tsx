/**
 * Sign up (signed out): business name, email, password and time zone (the
 * browser's preselected, chosen from a searchable list). The form sends what is
 * typed without checks of its own: the API's plain message for a refused value
 * appears next to its field (extensions.field), so the rules live in one place
 * (PostgreSQL, worded by server/errors.ts) and nothing is stored on bad input.
 */
import { useId, useState, type FormEvent } from 'react';
import { REGISTER } from '../api/operations/onboarding.ts';
import { writeToken } from '../api/token.ts';
import { browserTimeZone, TimeZonePicker } from '../components/TimeZonePicker.tsx';
import { useMutation } from '../hooks/use-mutation.ts';
import { navigate } from '../router.ts';
import './sign-up.css';

type Field = 'name' | 'email' | 'password' | 'timezone';
const FIELDS: readonly Field[] = ['name', 'email', 'password', 'timezone'];

function isField(value: string | undefined): value is Field {
  return FIELDS.some((field) => field === value);
}

export function SignUpPage({ token }: { token?: string }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [timezone, setTimezone] = useState(browserTimeZone);
  const register = useMutation(REGISTER);
  const ids = useId();

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const result = await register.run({ name, email, password, timezone });
    const jwt = result?.register?.jwtToken;
    if (jwt) {
      navigate('/', { replace: true });
      writeToken(jwt);
    }
  };

  const error = register.error;
  const fieldError = (field: Field): string | undefined => (error && error.field === field ? error.message : undefined);
  const formError = error && !isField(error.field) ? error.message : undefined;
  const errorId = (field: Field): string => `${ids}-${field}-error`;
  const describe = (field: Field) =>
    fieldError(field) ? { 'aria-invalid': true as const, 'aria-describedby': errorId(field) } : {};
  const message = (field: Field) =>
    fieldError(field) ? (
      <span className="field-error" id={errorId(field)} role="alert" data-testid={`sign-up-error-${field}`}>
        {fieldError(field)}
      </span>
    ) : null;

  return (
    <main id="main" className="sign-in">
      <form className="panel sign-in-form sign-up-form" onSubmit={(event) => void submit(event)} aria-labelledby="sign-up-title" noValidate>
        <h1 id="sign-up-title">Create your Switchboard account</h1>
        {token ? <p className="muted small">You followed a link; sign up below.</p> : null}
        <label>
          Business name
          <input name="name" autoComplete="organization" value={name} onChange={(event) => setName(event.target.value)} {...describe('name')} />
          {message('name')}
        </label>
        <label>
          Email
          <input type="email" name="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} {...describe('email')} />
          {message('email')}
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} {...describe('password')} />
          <span className="muted small">At least 8 characters.</span>
          {message('password')}
        </label>
        <TimeZonePicker label="Time zone" value={timezone} onChange={setTimezone} invalid={fieldError('timezone') !== undefined} errorId={errorId('timezone')} />
        {message('timezone')}
        {formError ? (
          <p className="state-error" role="alert" data-testid="sign-up-error">
            {formError}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={register.pending}>
          {register.pending ? 'Creating your account…' : 'Create account'}
        </button>
        <p className="muted small">
          Already have an account? <a href="/sign-in" onClick={(event) => { event.preventDefault(); navigate('/sign-in'); }}>Sign in</a>
        </p>
      </form>
    </main>
  );
}
