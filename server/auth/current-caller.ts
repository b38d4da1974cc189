/**
 * What kind of caller the request being handled has, for code that has no
 * request at hand: the error mapper (server/errors.ts) tells a viewer's
 * refused write (read-only transaction) from a read-only API key's. Set by
 * server/auth/request-auth.ts around the rest of the request's handling.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type CallerKind = 'anonymous' | 'member' | 'apiKey';

const store = new AsyncLocalStorage<CallerKind>();

export function runAsCaller<T>(kind: CallerKind, work: () => T): T {
  return store.run(kind, work);
}

/** The current request's caller kind; undefined outside a request. */
export function currentCallerKind(): CallerKind | undefined {
  return store.getStore();
}
