/**
 * The logs as JSON lines (LOG_FORMAT=json) captured in-process: one line per
 * HTTP request with the route pattern (the Bolna token never appears), the
 * tenant, the GraphQL operation or persisted document and the webhook outcome;
 * health checks at debug; secrets redacted from meta; the worker's per-job
 * lines turned into slow-job warnings and retry/final-failure lines with the
 * error's stack as a field.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureLogging, createLogger, defaultLogFormat, isLogLevel } from '../../kernel/log.ts';
import { TRUSTED_DOCUMENTS } from '../../server/graphql/trusted-documents.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { bolnaSequence, seedIngestTenant, startWebhookApp, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';
import { waitFor } from '../worker/support.ts';

interface Line {
  level: string;
  scope: string;
  msg: string;
  [field: string]: unknown;
}

let output = '';
let app: WebhookApp;
let tenant: IngestTenant;
let worker: WorkerHandle | undefined;

function lines(): Line[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Line);
}

const requestLines = (): Line[] => lines().filter((line) => typeof line.route === 'string');

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  configureLogging({ level: 'debug', format: 'json', destination: stream });
  app = await startWebhookApp({ graphql: true });
  tenant = await seedIngestTenant(app.pool);
});

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  const level = process.env.LOG_LEVEL ?? 'info';
  configureLogging({ level: isLogLevel(level) ? level : 'info', format: defaultLogFormat() });
});

beforeEach(() => {
  output = '';
});

describe('request log', () => {
  it('one info line per webhook delivery: route pattern, status, duration, tenant, provider and outcome; never the token', async () => {
    const [queued] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    expect((await app.postBolna(tenant.bolnaToken, queued)).status).toBe(200);
    expect((await app.postBolna(tenant.bolnaToken, queued)).status).toBe(200);
    const stranger = `${tenant.bolnaToken.slice(0, -6)}zzzzzz`;
    expect((await app.postBolna(stranger, queued)).status).toBe(401);

    const [stored, duplicate, refused] = requestLines();
    expect(requestLines()).toHaveLength(3);
    const common = { level: 'info', scope: 'test:webhooks', method: 'POST', route: '/webhooks/bolna/:token', provider: 'bolna' };
    expect(stored).toMatchObject({ ...common, status: 200, outcome: 'stored', business: tenant.userId });
    expect(duplicate).toMatchObject({ ...common, status: 200, outcome: 'duplicate', business: tenant.userId });
    expect(refused).toMatchObject({ ...common, status: 401, outcome: 'UNKNOWN_TOKEN' });
    expect(refused).not.toHaveProperty('business');
    expect(typeof stored?.durationMs).toBe('number');
    expect(stored?.msg).toMatch(/^POST \/webhooks\/bolna\/:token 200 [\d.]+ ms stored$/);
    expect(output).not.toContain(tenant.bolnaToken);
    expect(output).not.toContain(stranger);
  });

  it('GraphQL lines name the operation (or the persisted document) and the tenant; the Authorization header is never logged', async () => {
    const jwt = app.tokenFor(tenant.userId);
    const [sessionId] = [...TRUSTED_DOCUMENTS].find(([, text]) => /query Session\b/.test(text)) ?? [];
    expect(sessionId).toBeDefined();
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${jwt}` },
      body: JSON.stringify({ documentId: sessionId, variables: {} }),
    });
    expect(response.status).toBe(200);
    await app.graphql('query MyOwnReport { currentUserIsAdmin }', {}, jwt);

    const [persisted, named] = requestLines();
    expect(persisted).toMatchObject({ level: 'info', route: '/graphql', status: 200, operation: 'Session', documentId: sessionId, business: tenant.userId });
    expect(named).toMatchObject({ route: '/graphql', operation: 'MyOwnReport', business: tenant.userId });
    expect(named).not.toHaveProperty('documentId');
    expect(output).not.toContain(jwt);
  });

  it('health checks log at debug; unknown paths are logged without their query string', async () => {
    await fetch(`${app.url}/healthz`);
    await fetch(`${app.url}/readyz`);
    await fetch(`${app.url}/no/such/page?token=query-secret-1234`, { method: 'POST' });
    const [healthz, readyz, unknown] = requestLines();
    expect(healthz).toMatchObject({ level: 'debug', route: '/healthz', status: 200 });
    expect(readyz).toMatchObject({ level: 'debug', route: '/readyz', status: 503 });
    expect(unknown).toMatchObject({ level: 'info', route: 'unmatched', path: '/no/such/page', status: 404 });
    expect(output).not.toContain('query-secret-1234');
  });
});

describe('logger', () => {
  it('writes meta as fields, errors with their stack, and redacts secrets by field name', () => {
    const log = createLogger('test').child('redaction');
    log.warn('something happened', {
      tenant: 't-1',
      password: 'hunter2-password',
      headers: { authorization: 'Bearer abc.def.ghi', cookie: 'session=s3cr3t' },
      failure: new Error('boom'),
    });
    const [line] = lines();
    expect(line).toMatchObject({ level: 'warn', scope: 'test:redaction', msg: 'something happened', tenant: 't-1', password: '[redacted]' });
    expect(line?.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(line?.failure).toMatchObject({ type: 'Error', message: 'boom' });
    expect(String((line?.failure as { stack?: string }).stack)).toContain('logs.test.ts');
    expect(output).not.toMatch(/hunter2|abc\.def\.ghi|s3cr3t/);
  });
});

describe('worker job lines', () => {
  it('slow jobs at warn, failures with attempts left at warn, final failures at error, with the stack as a field', async () => {
    worker = await startWorker({
      connectionString: app.db.connectionString,
      concurrency: 1,
      cron: false,
      pollInterval: 100,
      openai: null,
      sms: null,
      logger: createLogger('test:worker'),
      slowJobMs: 0, // every job counts as slow here
    });
    await app.pool.query(`select graphile_worker.add_job('kpi__refresh', '{}'::json)`);
    await app.pool.query(`select graphile_worker.add_job('credits__post', '"retry me"'::json, max_attempts => 3)`);
    await app.pool.query(`select graphile_worker.add_job('contacts__sync', '"give up"'::json, max_attempts => 1)`);

    const jobLines = await waitFor('three job lines', async () => {
      const found = lines().filter((line) => typeof line.task === 'string');
      return found.length >= 3 ? found : undefined;
    });
    const byTask = new Map<unknown, Line>();
    for (const line of jobLines) if (!byTask.has(line.task)) byTask.set(line.task, line); // first attempts
    expect(byTask.get('kpi__refresh')).toMatchObject({ level: 'warn', scope: 'test:worker', attempt: 1, maxAttempts: 25 });
    expect(byTask.get('kpi__refresh')?.msg).toMatch(/^job \d+ \(kpi__refresh\) was slow: \d+ ms$/);
    expect(byTask.get('credits__post')).toMatchObject({ level: 'warn', attempt: 1, maxAttempts: 3 });
    expect(byTask.get('credits__post')?.msg).toMatch(/failed \(attempt 1 of 3\); will retry$/);
    expect(byTask.get('contacts__sync')).toMatchObject({ level: 'error', attempt: 1, maxAttempts: 1 });
    expect(byTask.get('contacts__sync')?.msg).toMatch(/failed for good \(attempt 1 of 1\)$/);
    expect(byTask.get('contacts__sync')?.error).toMatchObject({ type: 'TypeError', message: 'expected an object payload, got "give up"' });
    expect(String((byTask.get('contacts__sync')?.error as { stack?: string }).stack)).toContain('assertMaintenancePayload');
    // The job row (with its payload) is not logged.
    expect(output).not.toContain('"payload"');
  });
});
