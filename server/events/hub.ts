/**
 * The open event streams of this process, per business, and the coalescing of
 * "this business's figures changed" into at most one event per business per
 * `minIntervalMs` (default 1 s).
 *
 * Coalescing: the first change after a quiet second is sent at once (leading
 * edge, so a single new call shows without delay); changes that arrive within a
 * second of the last event are folded into one event sent when that second is
 * over (trailing edge, so the last change of a burst is never lost). A business
 * nobody watches costs a map lookup.
 *
 * Heartbeats: one timer for all streams writes an SSE comment every
 * `heartbeatMs`, so proxies and load balancers that cut idle connections keep
 * the stream open (and a dead client is noticed by the failed write).
 */
export interface EventStream {
  /** The business whose events it receives. */
  readonly businessId: string;
  /** Who opened it (a login or an API key): the per-user cap counts these. */
  readonly principal: string;
  /** Writes raw SSE text; false when the client is gone. */
  write(chunk: string): boolean;
  /** Ends the stream (server side). */
  end(): void;
}

export interface EventHubOptions {
  /** At most one event per business this often (ms; default 1000). */
  minIntervalMs?: number;
  /** A comment line on every stream this often (ms; default 20000). */
  heartbeatMs?: number;
  /** Open streams allowed per principal (default 8). */
  streamsPerPrincipal?: number;
}

export type SubscribeResult = { ok: true; unsubscribe: () => void } | { ok: false; reason: 'too-many-streams' };

interface BusinessState {
  streams: Set<EventStream>;
  /** When the last event went out (ms, monotonic). */
  lastSentAt: number;
  /** A trailing event is scheduled. */
  timer: NodeJS.Timeout | undefined;
}

/** One SSE event (the payload is for logs and tests; clients only need the event). */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

function monotonicMs(): number {
  return performance.now();
}

export class EventHub {
  readonly minIntervalMs: number;
  readonly heartbeatMs: number;
  readonly streamsPerPrincipal: number;
  private readonly businesses = new Map<string, BusinessState>();
  private readonly perPrincipal = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  /** Events sent (all businesses), for metrics and tests. */
  sent = 0;

  constructor({ minIntervalMs = 1000, heartbeatMs = 20_000, streamsPerPrincipal = 8 }: EventHubOptions = {}) {
    this.minIntervalMs = minIntervalMs;
    this.heartbeatMs = heartbeatMs;
    this.streamsPerPrincipal = streamsPerPrincipal;
  }

  /** Open streams (all businesses). */
  get size(): number {
    let n = 0;
    for (const state of this.businesses.values()) n += state.streams.size;
    return n;
  }

  subscribe(stream: EventStream): SubscribeResult {
    if (this.closed) return { ok: false, reason: 'too-many-streams' };
    const open = this.perPrincipal.get(stream.principal) ?? 0;
    if (open >= this.streamsPerPrincipal) return { ok: false, reason: 'too-many-streams' };
    this.perPrincipal.set(stream.principal, open + 1);
    let state = this.businesses.get(stream.businessId);
    if (!state) {
      state = { streams: new Set(), lastSentAt: -Infinity, timer: undefined };
      this.businesses.set(stream.businessId, state);
    }
    state.streams.add(stream);
    this.startHeartbeat();
    let done = false;
    return {
      ok: true,
      unsubscribe: () => {
        if (done) return;
        done = true;
        this.remove(stream);
      },
    };
  }

  /** A business's figures changed (from LISTEN): tell its streams, coalesced. */
  publish(businessId: string): void {
    const state = this.businesses.get(businessId);
    if (!state || state.timer) return; // nobody watching, or an event is already due
    const wait = state.lastSentAt + this.minIntervalMs - monotonicMs();
    if (wait <= 0) {
      this.send(businessId, state);
      return;
    }
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (this.businesses.get(businessId) === state) this.send(businessId, state);
    }, wait);
  }

  /** Every watched business (after the LISTEN connection was lost: changes may have been missed). */
  publishAll(): void {
    for (const businessId of this.businesses.keys()) this.publish(businessId);
  }

  /** Ends every stream (shutdown): clients reconnect to another process or after the restart. */
  close(): void {
    this.closed = true;
    for (const state of this.businesses.values()) {
      clearTimeout(state.timer);
      for (const stream of state.streams) stream.end();
    }
    this.businesses.clear();
    this.perPrincipal.clear();
    this.stopHeartbeat();
  }

  private send(businessId: string, state: BusinessState): void {
    state.lastSentAt = monotonicMs();
    const chunk = sseEvent('changed', { businessId, at: new Date().toISOString() });
    for (const stream of state.streams) {
      this.sent += 1;
      stream.write(chunk);
    }
  }

  private remove(stream: EventStream): void {
    const state = this.businesses.get(stream.businessId);
    if (state?.streams.delete(stream) && state.streams.size === 0) {
      clearTimeout(state.timer);
      this.businesses.delete(stream.businessId);
    }
    const open = (this.perPrincipal.get(stream.principal) ?? 1) - 1;
    if (open <= 0) this.perPrincipal.delete(stream.principal);
    else this.perPrincipal.set(stream.principal, open);
    if (this.businesses.size === 0) this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const state of this.businesses.values()) {
        for (const stream of state.streams) stream.write(': heartbeat\n\n');
      }
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
