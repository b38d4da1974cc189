/** The session's JWT, kept in localStorage so a reload stays signed in. */
const KEY = 'switchboard.jwt';

type Listener = () => void;
const listeners = new Set<Listener>();

export function readToken(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function writeToken(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(KEY, token);
    else window.localStorage.removeItem(KEY);
  } catch {
    // storage unavailable (private mode): the session lasts until reload
  }
  for (const listener of listeners) listener();
}

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
