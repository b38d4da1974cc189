/**
 * A fake Twilio REST API on 127.0.0.1 for the real `twilio` client (pointed
 * at it with TWILIO_API_BASE_URL / `SmsSettings.apiBaseUrl`): captures
 * Messages.json requests (form fields and basic auth) and answers with the
 * scripted replies, then success.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TwilioReply = { kind: 'ok' } | { kind: 'error'; status: number; code: number; message: string };

export interface CapturedMessage {
  method: string;
  path: string;
  /** Decoded basic-auth user (the account SID) and password (the auth token). */
  username: string;
  password: string;
  form: Record<string, string>;
  reply: TwilioReply['kind'];
}

export interface FakeTwilio {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  messages: CapturedMessage[];
  script(...replies: TwilioReply[]): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const queue: TwilioReply[] = [];
  const messages: CapturedMessage[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      const [username = '', password = ''] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString('utf8')
        .split(':');
      const reply = queue.shift() ?? { kind: 'ok' };
      messages.push({ method: req.method ?? '', path: req.url ?? '', username, password, form, reply: reply.kind });
      const account = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? '')?.[1];
      if (req.method !== 'POST' || !account) {
        send(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        return;
      }
      if (reply.kind === 'error') {
        send(res, reply.status, { code: reply.code, message: reply.message, more_info: `https://www.twilio.com/docs/errors/${reply.code}`, status: reply.status });
        return;
      }
      send(res, 201, {
        sid: `SM${randomBytes(16).toString('hex')}`,
        account_sid: account,
        to: form.To,
        from: form.From ?? null,
        messaging_service_sid: form.MessagingServiceSid ?? null,
        body: form.Body,
        status: 'queued',
        num_segments: '1',
        direction: 'outbound-api',
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${account}/Messages/SM.json`,
      });
    })().catch((error: unknown) => send(res, 500, { code: 20500, message: String(error), status: 500 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    messages,
    script: (...replies) => {
      queue.push(...replies);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
