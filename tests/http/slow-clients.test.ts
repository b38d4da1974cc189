/**
 * Slow and oversized requests over raw sockets (issue 13, item 8): a declared
 * Content-Length over the limit is refused at once with a code (nothing of the
 * body is sent), a body that stops arriving gets a coded 408 and the
 * connection is closed, and headers that never end get Node's 408. Short
 * timeouts are configured here; the tests only check that an answer came.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIngestTenant, startWebhookApp, TWILIO_STATUS_PATH, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';

let app: WebhookApp;
let tenant: IngestTenant;

beforeAll(async () => {
  app = await startWebhookApp({
    graphql: true,
    env: { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_BODY_TIMEOUT_MS: '300' },
  });
  tenant = await seedIngestTenant(app.pool);
});

afterAll(async () => {
  await app?.close();
});

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/**
 * Writes `head` (and `partialBody`) on a new connection, never more, and
 * collects what the server sends until it closes the connection.
 */
function exchange(head: string, partialBody = ''): Promise<RawAnswer> {
  const { port } = new URL(app.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    const finish = (): void => {
      const [headers = '', body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers, body });
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', finish);
    socket.on('error', () => socket.destroy());
    socket.write(head + partialBody);
  });
}

function post(path: string, contentType: string, contentLength: number, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${contentLength}\r\n${extra}\r\n`;
}

/** The code of a webhook error body or a GraphQL one. */
function codeOf(body: string): unknown {
  const parsed = JSON.parse(body.trim()) as { error?: { code?: string }; errors?: Array<{ extensions?: { code?: string } }> };
  return parsed.error?.code ?? parsed.errors?.[0]?.extensions?.code;
}

const TEN_GB = 10 * 1024 ** 3;

describe('a declared Content-Length over the limit is refused before the body is read', () => {
  it('/graphql: 413 REQUEST_TOO_LARGE', async () => {
    const answer = await exchange(post('/graphql', 'application/json', TEN_GB));
    expect(answer.status).toBe(413);
    expect(codeOf(answer.body)).toBe('REQUEST_TOO_LARGE');
    expect(answer.headers).toMatch(/^connection: close$/im);
  });

  it('/webhooks (Twilio and Bolna): 413 PAYLOAD_TOO_LARGE', async () => {
    const twilio = await exchange(post(TWILIO_STATUS_PATH, 'application/x-www-form-urlencoded', TEN_GB));
    expect([twilio.status, codeOf(twilio.body)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const bolna = await exchange(post(`/webhooks/bolna/${tenant.bolnaToken}`, 'application/json', TEN_GB));
    expect([bolna.status, codeOf(bolna.body)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});

describe('a body that stops arriving gets 408 and the connection is closed', () => {
  it('/graphql: 408 REQUEST_TIMEOUT', async () => {
    const answer = await exchange(post('/graphql', 'application/json', 100), '{"query":');
    expect(answer.status).toBe(408);
    expect(codeOf(answer.body)).toBe('REQUEST_TIMEOUT');
  });

  it('/webhooks: 408 REQUEST_TIMEOUT, nothing stored', async () => {
    const twilio = await exchange(post(TWILIO_STATUS_PATH, 'application/x-www-form-urlencoded', 500), 'AccountSid=AC');
    expect([twilio.status, codeOf(twilio.body)]).toEqual([408, 'REQUEST_TIMEOUT']);
    const bolna = await exchange(post(`/webhooks/bolna/${tenant.bolnaToken}`, 'application/json', 500), '{"id":');
    expect([bolna.status, codeOf(bolna.body)]).toEqual([408, 'REQUEST_TIMEOUT']);
    const { rows } = await app.pool.query<{ n: number }>('select count(*)::int as n from app_private.webhook_events where user_id = $1', [tenant.userId]);
    expect(rows[0]?.n).toBe(0);
  });
});

describe('headers that never end', () => {
  it('are answered 408 by the server, which closes the connection', async () => {
    const answer = await exchange('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(answer.status).toBe(408);
  });
});
