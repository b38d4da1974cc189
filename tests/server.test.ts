import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.ts';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { withDatabase } from '../kernel/db/urls.ts';
import { listen, type HttpServer } from '../kernel/http/listen.ts';
import { createLogger } from '../kernel/log.ts';
import { startWorker, type WorkerHandle } from '../worker/runner.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';

let db: TestDatabase;
let http: HttpServer;
let worker: WorkerHandle | undefined;

async function get(path: string, server: HttpServer = http): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  const app = await createApp({ pool: db.pool, worker: () => worker, logger: createLogger('test:http') });
  http = await listen(app.express, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await http?.close();
  await worker?.stop();
  await db?.drop();
});

describe('health endpoints', () => {
  it('GET /healthz is 200 while the process is up', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('GET /readyz is 503 and names the worker when no worker was started', async () => {
    const { status, body } = await get('/readyz');
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'unavailable', checks: { database: 'ok', worker: 'failing' } });
    expect(body).toMatchObject({ problems: ['worker: not started'] });
  });

  it('GET /readyz is 200 once the worker runs, and 503 again after it stops', async () => {
    worker = await startWorker({ connectionString: db.connectionString, concurrency: 1, cron: false });
    expect(await get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready', problems: [] } });

    await worker.stop();
    expect(await get('/readyz')).toMatchObject({ status: 503, body: { problems: ['worker: not running'] } });
  });

  it('GET /readyz is 503 and names the database when it cannot be reached', async () => {
    const pool = createPool({ connectionString: withDatabase(db.connectionString, 'no_such_database') });
    const app = await createApp({ pool, worker: () => worker, logger: createLogger('test:http') });
    const server = await listen(app.express, { host: '127.0.0.1', port: 0 });
    try {
      const { status, body } = await get('/readyz', server);
      expect(status).toBe(503);
      expect(body).toMatchObject({ checks: { database: 'failing' } });
      expect(JSON.stringify(body)).toContain('no_such_database');
    } finally {
      await server.close();
      await endPool(pool);
    }
  });
});
