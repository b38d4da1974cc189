/**
 * Live updates: one server-sent events stream per tab (GET /api/events,
 * server/events/route.ts) says when the business's figures changed; the data
 * hooks that show live figures (`useQuery(..., { live: true })`) refetch then,
 * and only then: an idle open dashboard sends no query.
 *
 * The stream is read with fetch (EventSource cannot send the Authorization
 * header, and a token in the URL would end up in logs). It is open while at
 * least one live hook is mounted and a token is present, and follows the
 * token and the operator's tenant view. When it breaks (network, server
 * restart, a missed heartbeat) it reconnects with backoff (1 s doubling to
 * 30 s) and, once connected again, tells every listener to refetch once
 * (changes may have been missed meanwhile). A tab in the background does not
 * refetch; it refetches once when it is shown again if something changed.
 */
import { SIGN_OUT_CODES } from './client.ts';
import { onTenantViewChange, readTenantView, TENANT_VIEW_HEADER, writeTenantView } from './tenant-view.ts';
import { onTokenChange, readToken, writeToken } from './token.ts';

export const EVENTS_PATH = '/api/events';

/** Why listeners should refetch: a change was announced, or the stream came back after a break. */
export type LiveReason = 'changed' | 'reconnected';
type Listener = (reason: LiveReason) => void;
export type LiveState = 'off' | 'connecting' | 'live';

const listeners = new Set<Listener>();
const stateListeners = new Set<() => void>();
/** The heartbeat comes every 20 s: nothing for this long means the connection is dead. */
const SILENCE_MS = 50_000;
const MAX_BACKOFF_MS = 30_000;
/** Keep the stream this long after the last listener left (a page change unmounts, then mounts, its hooks). */
const LINGER_MS = 2_000;

let state: LiveState = 'off';
let controller: AbortController | null = null;
let retryTimer: number | undefined;
let lingerTimer: number | undefined;
let backoffMs = 1_000;
/** A connection was lost (or never made) since the last `ready`: the next `ready` means "refetch". */
let broken = false;
let changedWhileHidden = false;

function setState(next: LiveState): void {
  if (next === state) return;
  state = next;
  for (const listener of stateListeners) listener();
}

function dispatch(reason: LiveReason): void {
  if (document.visibilityState === 'hidden') {
    changedWhileHidden = true;
    return;
  }
  for (const listener of [...listeners]) listener(reason);
}

function scheduleReconnect(): void {
  broken = true;
  setState('connecting');
  window.clearTimeout(retryTimer);
  const delay = backoffMs * (0.75 + Math.random() * 0.5);
  backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  retryTimer = window.setTimeout(connect, delay);
}

/** Reads `event:` names out of the SSE text (data lines are not needed: the event says it all). */
function parseEvents(buffer: string, onEvent: (name: string) => void): string {
  let rest = buffer;
  let end = rest.search(/\r?\n\r?\n/);
  while (end >= 0) {
    const block = rest.slice(0, end);
    rest = rest.slice(end).replace(/^\r?\n\r?\n/, '');
    let name = 'message';
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
    }
    if (block.split(/\r?\n/).some((line) => line !== '' && !line.startsWith(':'))) onEvent(name);
    end = rest.search(/\r?\n\r?\n/);
  }
  return rest;
}

async function readStream(response: Response, signal: AbortSignal): Promise<void> {
  if (!response.body) throw new Error('no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let silence = window.setTimeout(() => controller?.abort(), SILENCE_MS);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || signal.aborted) return;
      window.clearTimeout(silence);
      silence = window.setTimeout(() => controller?.abort(), SILENCE_MS);
      buffer = parseEvents(buffer + decoder.decode(value, { stream: true }), (name) => {
        if (name === 'ready') {
          setState('live');
          backoffMs = 1_000;
          if (broken) dispatch('reconnected');
          broken = false;
        } else if (name === 'changed') {
          dispatch('changed');
        }
      });
    }
  } finally {
    window.clearTimeout(silence);
  }
}

async function refusal(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: unknown } }>; error?: unknown };
    const code = body.errors?.[0]?.extensions?.code ?? body.error;
    return typeof code === 'string' ? code.toUpperCase() : undefined;
  } catch {
    return undefined;
  }
}

function connect(): void {
  window.clearTimeout(retryTimer);
  controller?.abort();
  const token = readToken();
  if (!token || listeners.size === 0) {
    controller = null;
    setState('off');
    return;
  }
  const own = new AbortController();
  controller = own;
  setState('connecting');
  const view = readTenantView();
  void (async () => {
    try {
      const response = await fetch(EVENTS_PATH, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, ...(view ? { [TENANT_VIEW_HEADER]: view.id } : {}) },
        signal: own.signal,
        cache: 'no-store',
      });
      if (!response.ok) {
        const code = await refusal(response);
        if (code && SIGN_OUT_CODES.has(code)) {
          writeToken(null); // signs out; the token listener closes the stream
          return;
        }
        if (code === 'TENANT_VIEW_NOT_STARTED' && view) {
          writeTenantView(null);
          return;
        }
        throw new Error(`HTTP ${response.status}`);
      }
      await readStream(response, own.signal);
    } catch {
      // network error, refused, or aborted for silence: reconnect below
    }
    if (controller !== own) return; // replaced (token or view changed) or stopped
    controller = null;
    scheduleReconnect();
  })();
}

function stop(): void {
  window.clearTimeout(retryTimer);
  const current = controller;
  controller = null;
  current?.abort();
  broken = false;
  backoffMs = 1_000;
  setState('off');
}

/** Listens for "data changed" (and "reconnected"); opens the stream while anyone listens. Returns the unsubscribe. */
export function subscribeLive(listener: Listener): () => void {
  listeners.add(listener);
  window.clearTimeout(lingerTimer);
  if (!controller && state === 'off') connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    window.clearTimeout(lingerTimer);
    lingerTimer = window.setTimeout(() => {
      if (listeners.size === 0) stop();
    }, LINGER_MS);
  };
}

/** The stream's state, for a "live" badge (useSyncExternalStore). */
export function readLiveState(): LiveState {
  return state;
}

export function onLiveStateChange(listener: () => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

function restart(): void {
  if (listeners.size === 0) return;
  broken = true; // another caller or business: what is on screen must be refetched once
  backoffMs = 1_000;
  connect();
}

if (typeof window !== 'undefined') {
  onTokenChange(restart);
  onTenantViewChange(restart);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden' && changedWhileHidden) {
      changedWhileHidden = false;
      dispatch('changed');
    }
  });
}
