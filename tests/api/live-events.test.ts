/**
 * Live updates by push (issue 18, item 3) on a real server and database:
 * the compactor notifies business_changed once per business (not the ingest
 * path), GET /api/events streams a business's own "changed" events (another
 * business's token never receives them, and cannot name another business),
 * coalesces bursts to at most one event a second per business, sends
 * heartbeats, caps streams per login and frees a stream's slot when it closes.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bolnaSequence, seedIngestTenant, startWebhookApp, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';

interface ReceivedEvent {
  name: string;
  data: string;
  /** performance.now() when it arrived */
  at: number;
}

interface OpenStream {
  status: number;
  body: string;
  events: ReceivedEvent[];
  comments: number;
  /** Resolves when an event named `name` has arrived `count` times in total. */
  waitFor(name: string, count?: number): Promise<void>;
  close(): void;
}

let app: WebhookApp;
let a: IngestTenant;
let b: IngestTenant;
let listener: pg.Client;
const notifications: Array<{ channel: string; payload: string | undefined }> = [];

const HEARTBEAT_MS = 300;

async function openStream(token: string | undefined, { headers = {}, query = '' }: { headers?: Record<string, string>; query?: string } = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${app.url}/api/events${query}`, {
    headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    signal: controller.signal,
  });
  const stream: OpenStream = {
    status: response.status,
    body: '',
    events: [],
    comments: 0,
    waitFor: async () => {},
    close: () => controller.abort(),
  };
  if (!response.ok || !response.body) {
    stream.body = await response.text();
    return stream;
  }
  const waiters: Array<() => void> = [];
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          if (lines.every((line) => line.startsWith(':'))) stream.comments += 1;
          const name = lines.find((line) => line.startsWith('event: '))?.slice(7);
          const data = lines.find((line) => line.startsWith('data: '))?.slice(6) ?? '';
          if (name) stream.events.push({ name, data, at: performance.now() });
          for (const wake of waiters.splice(0)) wake();
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  stream.waitFor = (name, count = 1) =>
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (stream.events.filter((event) => event.name === name).length >= count) resolve();
        else waiters.push(check);
      };
      check();
    });
  await stream.waitFor('ready');
  return stream;
}

function changedFor(stream: OpenStream): string[] {
  return stream.events.filter((event) => event.name === 'changed').map((event) => (JSON.parse(event.data) as { businessId: string }).businessId);
}

async function postCall(tenant: IngestTenant): Promise<void> {
  for (const event of bolnaSequence({ agentId: tenant.bolnaAgentId })) {
    const { status } = await app.postBolna(tenant.bolnaToken, event);
    expect(status).toBe(200);
  }
}

async function compact(): Promise<number> {
  const { rows } = await app.pool.query<{ moved: number }>('select app_hidden.compact_rollups() as moved');
  return rows[0]?.moved ?? 0;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  app = await startWebhookApp({ graphql: true, events: { heartbeatMs: HEARTBEAT_MS, streamsPerPrincipal: 3 } });
  a = await seedIngestTenant(app.pool);
  b = await seedIngestTenant(app.pool);
  await compact();
  listener = new pg.Client({ connectionString: app.db.connectionString });
  await listener.connect();
  listener.on('notification', (message) => notifications.push({ channel: message.channel, payload: message.payload }));
  await listener.query('listen business_changed');
});

afterAll(async () => {
  await listener?.end();
  await app?.close();
});

describe('business_changed notifications (SQL)', () => {
  it('come from the compactor, once per business, not from the ingest path', async () => {
    notifications.length = 0;
    await postCall(a);
    await postCall(a);
    await postCall(b);
    await sleep(200);
    expect(notifications).toEqual([]); // the webhook deliveries themselves notify nothing
    expect(await compact()).toBeGreaterThan(0);
    await sleep(200);
    expect(notifications.map((n) => n.payload).sort()).toEqual([a.userId, b.userId].sort());
    notifications.length = 0;
    expect(await compact()).toBe(0);
    await sleep(100);
    expect(notifications).toEqual([]); // nothing folded, nothing said
  });

  it('come from a delivery that fails to apply (the Providers page lists it)', async () => {
    notifications.length = 0;
    const [first] = bolnaSequence({ agentId: 'no-such-agent' });
    const { status } = await app.postBolna(a.bolnaToken, first);
    expect(status).toBe(422);
    await sleep(200);
    expect(notifications.map((n) => n.payload)).toEqual([a.userId]);
  });
});

describe('GET /api/events', () => {
  it('refuses callers without a valid credential', async () => {
    const anonymous = await openStream(undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toContain('"error":"unauthenticated"');
    const forged = await openStream('not-a-token');
    expect(forged.status).toBe(401);
    expect(forged.body).toContain('INVALID_TOKEN');
  });

  it("gives each business its own events only: another business's token cannot subscribe to or receive them", async () => {
    const streamA = await openStream(app.tokenFor(a.userId));
    // B tries every way to name A: a query parameter, and the operators' view header (B is no operator).
    const streamB = await openStream(app.tokenFor(b.userId), { query: `?businessId=${a.userId}&business=${a.userId}` });
    expect(streamB.status).toBe(200);
    const viewAttempt = await openStream(app.tokenFor(b.userId), { headers: { 'x-switchboard-view-tenant': a.userId } });
    expect(viewAttempt.status).toBe(403);
    expect(viewAttempt.body).toContain('FORBIDDEN');
    expect(JSON.parse(streamB.events[0]?.data ?? '{}')).toMatchObject({ businessId: b.userId });

    await postCall(a);
    await compact();
    await streamA.waitFor('changed');
    expect(changedFor(streamA)).toEqual([a.userId]);
    // then a change of B's: once B has received it, everything before it has been delivered too
    await postCall(b);
    await compact();
    await streamB.waitFor('changed');
    expect(changedFor(streamB)).toEqual([b.userId]);
    expect(changedFor(streamA)).toEqual([a.userId]);
    streamA.close();
    streamB.close();
  });

  it('coalesces a burst of changes to at most one event a second per business', async () => {
    const stream = await openStream(app.tokenFor(a.userId));
    await sleep(1100); // a quiet second since any earlier event
    const started = performance.now();
    for (let i = 0; i < 40; i += 1) {
      await app.pool.query(`select pg_notify('business_changed', $1)`, [a.userId]);
      await sleep(25);
    }
    const burstMs = performance.now() - started;
    // the trailing event of the burst comes at most a second after the last change
    await stream.waitFor('changed', 1);
    await sleep(1500);
    const changed = stream.events.filter((event) => event.name === 'changed');
    expect(changed.length).toBeGreaterThanOrEqual(2); // the first at once, the last change not lost
    expect(changed.length).toBeLessThanOrEqual(Math.ceil(burstMs / 1000) + 1);
    for (let i = 1; i < changed.length; i += 1) {
      const gap = (changed[i]?.at ?? 0) - (changed[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThan(900); // spacing, with room for timer and delivery jitter
    }
    stream.close();
  });

  it('sends heartbeats while nothing changes', async () => {
    const stream = await openStream(app.tokenFor(b.userId));
    await sleep(HEARTBEAT_MS * 3 + 100);
    expect(stream.comments).toBeGreaterThanOrEqual(2);
    expect(changedFor(stream)).toEqual([]);
    stream.close();
  });

  it('caps the streams one login holds, and frees a slot when a stream closes', async () => {
    const token = app.tokenFor(a.userId);
    const open = [await openStream(token), await openStream(token), await openStream(token)];
    expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await openStream(token);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('"error":"too_many_streams"');
    // another login is not affected
    const other = await openStream(app.tokenFor(b.userId));
    expect(other.status).toBe(200);
    other.close();
    open[0]?.close();
    // the server notices the disconnect; then a new stream fits again
    let again = await openStream(token);
    for (let i = 0; again.status === 429 && i < 50; i += 1) {
      await sleep(50);
      again = await openStream(token);
    }
    expect(again.status).toBe(200);
    again.close();
    for (const s of open) s.close();
  });
});
