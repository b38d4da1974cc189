/**
 * A fake OpenAI chat-completions endpoint on 127.0.0.1 (plain node:http), for
 * the real `openai` client: each request takes the next scripted reply (then
 * the default, a valid analysis) and is captured for assertions.
 *
 *   const openai = await startFakeOpenAI();
 *   openai.script({ kind: 'status', status: 429 }, { kind: 'analysis' });
 *   startWorker({ ..., openai: { apiKey: 'test', baseURL: openai.baseURL, model: 'fake-model', timeoutMs: 2000 } });
 *   await openai.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeReply =
  /** 200 with a valid analysis (`analysis` fields override the default one). */
  | { kind: 'analysis'; analysis?: Record<string, unknown> }
  /** 200 with this exact assistant content (malformed or schema-violating JSON). */
  | { kind: 'content'; content: string }
  /** An HTTP error with OpenAI's error body. */
  | { kind: 'status'; status: number; message?: string }
  /** Never answers (the client times out, or the process is killed). */
  | { kind: 'hang' }
  /** Answers with a valid analysis once `until` resolves. */
  | { kind: 'held'; until: Promise<void>; analysis?: Record<string, unknown> };

export interface CapturedRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    response_format?: { type: string; json_schema?: { name: string; strict: boolean; schema: Record<string, unknown> } };
  };
  /** From the user message: a complete analysis lists several calls. */
  kind: 'individual' | 'complete';
  reply: FakeReply['kind'];
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  requests: CapturedRequest[];
  /** Appends replies for the next requests. */
  script(...replies: FakeReply[]): void;
  /** Resolves once at least `n` requests have arrived. */
  waitForRequests(n: number): Promise<void>;
  close(): Promise<void>;
}

export const FAKE_ANALYSIS = {
  intent_level: 'high',
  intent_score: 80,
  urgency_level: 'medium',
  urgency_score: 55,
  budget_constraint: 'moderate',
  budget_score: 60,
  fit_alignment: 'strong',
  fit_score: 75,
  engagement_health: 'healthy',
  engagement_score: 70,
  total_score: 70,
  lead_status_tag: 'hot',
  reasoning: {
    intent: 'Asked for pricing.',
    urgency: 'Wants to start this month.',
    budget: 'Budget exists.',
    fit: 'Needs exactly this.',
    engagement: 'Asked several questions.',
    summary: 'Hot lead: call back today.',
  },
  cta_interactions: { pricing_clicked: true, demo_clicked: false, followup_clicked: true, sample_clicked: false, escalated_to_human: false },
  extracted_name: 'Priya',
  extracted_email: 'priya@example.com',
  company_name: 'Acme',
  smart_notification: 'Priya asked for pricing — call back today',
  demo_book_datetime: null,
  sentiment_label: 'positive',
  sentiment_score: 60,
  topics: ['pricing'],
  free_topics: ['Onboarding timeline'],
  objections: ['timing'],
  next_steps: 'Send pricing today.',
  call_quality_score: 80,
  csat_score: 75,
  human_transfer_requested: false,
  human_transfer_happened: false,
  conversation_outcome: 'interested',
} as const;

/**
 * The default answer for a request: FAKE_ANALYSIS, answering every success
 * criterion the request's JSON schema lists (passed, with evidence), as a model would.
 */
function defaultAnalysis(body: CapturedRequest['body']): Record<string, unknown> {
  const schema = body.response_format?.json_schema?.schema as
    | { properties?: { success_criteria?: { items?: { properties?: { criterion_id?: { enum?: string[] } } } } } }
    | undefined;
  const ids = schema?.properties?.success_criteria?.items?.properties?.criterion_id?.enum ?? [];
  return { ...FAKE_ANALYSIS, success_criteria: ids.map((id) => ({ criterion_id: id, passed: true, evidence: 'Fake: yes.' })) };
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

function completion(model: string, content: string, n: number): unknown {
  return {
    id: `chatcmpl-fake-${n}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
  };
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const queue: FakeReply[] = [];
  const requests: CapturedRequest[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const body = (raw ? JSON.parse(raw) : {}) as CapturedRequest['body'];
      const user = body.messages?.find((message) => message.role === 'user')?.content ?? '';
      const reply = queue.shift() ?? { kind: 'analysis' };
      requests.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body,
        kind: user.startsWith('Analysed calls with this lead') ? 'complete' : 'individual',
        reply: reply.kind,
      });
      for (const waiter of waiters.filter((w) => requests.length >= w.n)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        send(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
        return;
      }
      const model = body.model ?? 'unknown';
      switch (reply.kind) {
        case 'analysis':
          send(res, 200, completion(model, JSON.stringify({ ...defaultAnalysis(body), ...reply.analysis }), requests.length));
          return;
        case 'content':
          send(res, 200, completion(model, reply.content, requests.length));
          return;
        case 'status':
          send(res, reply.status, { error: { message: reply.message ?? `fake error ${reply.status}`, type: 'server_error', code: null } });
          return;
        case 'hang':
          return; // the socket stays open until the client gives up or close()
        case 'held':
          await reply.until;
          send(res, 200, completion(model, JSON.stringify({ ...defaultAnalysis(body), ...reply.analysis }), requests.length));
          return;
      }
    })().catch((error: unknown) => {
      send(res, 500, { error: { message: String(error), type: 'fake_failure' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => {
      queue.push(...replies);
    },
    waitForRequests: (n) =>
      requests.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
