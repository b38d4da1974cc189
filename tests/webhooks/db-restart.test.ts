/**
 * Fault: PostgreSQL restarts while deliveries pour in. This file runs its own
 * embedded cluster (the shared test cluster must not be restarted), sends
 * Bolna deliveries from several concurrent clients, stops the cluster after a
 * number of answers, keeps sending while it is down, starts it again and
 * keeps going; deliveries answered 503 are resent (as a provider would).
 * Every delivery answered 2xx must be stored; nothing else than 200 and 503
 * may be answered; in the end every call is complete and the rollups exact.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { findFreePort, startEmbeddedPostgres, type EmbeddedCluster, type EmbeddedOptions } from '../../kernel/db/embedded.ts';
import { runMigrations } from '../../kernel/db/migrate.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { createLogger } from '../../kernel/log.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { bolnaSequence, seedIngestTenant, shuffled, startWebhookApp, type BolnaPayload, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';

const EXECUTIONS = 60;
const CLIENTS = 8;
/** Answers received before the cluster is stopped, and 503s collected before it is started again. */
const STOP_AFTER = 100;
const DOWN_FOR = 30;

const log = createLogger('test:restart');
let options: EmbeddedOptions;
let cluster: EmbeddedCluster;
let pool: pg.Pool;
let app: WebhookApp;
let tenant: IngestTenant;

beforeAll(async () => {
  options = {
    dataDir: path.join(PROJECT_ROOT, '.data', `webhooks-restart-${process.pid}-${randomBytes(3).toString('hex')}`),
    port: await findFreePort(),
    persistent: true, // survives the restart; removed in afterAll
    database: 'switchboard',
    logger: log.child('postgres'),
  };
  cluster = await startEmbeddedPostgres(options);
  await runMigrations(cluster.connectionString, { logger: log.child('migrate') });
  pool = createPool({ connectionString: cluster.connectionString, max: 6, applicationName: 'switchboard-test-restart', logger: log.child('pool') });
  app = await startWebhookApp({ db: { pool, connectionString: cluster.connectionString } });
  tenant = await seedIngestTenant(pool);
});

afterAll(async () => {
  await app?.close();
  if (pool) await endPool(pool);
  await cluster?.stop();
  if (options) await rm(options.dataDir, { recursive: true, force: true });
});

function keyOf(payload: BolnaPayload): string {
  return `${String(payload.id)}:${String(payload.status)}:${String(payload.updated_at)}`;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

describe('the database restarts under load', () => {
  it('loses no accepted delivery', async () => {
    const executions = Array.from({ length: EXECUTIONS }, () => bolnaSequence({ agentId: tenant.bolnaAgentId }));
    const queue = shuffled(executions.flat(), 2026);
    const total = queue.length;

    const accepted = new Map<string, number>(); // event key → 2xx answers
    const firstDeliveries = new Map<string, number>(); // event key → answers with duplicate: false
    const unavailable: BolnaPayload[] = [];
    const unexpected: string[] = [];
    let answered = 0;
    let refusedWhileDown = 0;
    let down = false;

    const send = async (payload: BolnaPayload): Promise<void> => {
      const response = await app.postBolna(tenant.bolnaToken, payload);
      answered += 1;
      if (response.status === 200) {
        accepted.set(keyOf(payload), (accepted.get(keyOf(payload)) ?? 0) + 1);
        if (response.body.duplicate === false) firstDeliveries.set(keyOf(payload), (firstDeliveries.get(keyOf(payload)) ?? 0) + 1);
      } else if (response.status === 503) {
        expect(response.body.error?.code).toBe('DATABASE_UNAVAILABLE');
        unavailable.push(payload);
        if (down) refusedWhileDown += 1;
      } else {
        unexpected.push(`${response.status} ${JSON.stringify(response.body)}`);
      }
    };

    const restart = (async () => {
      await until(() => answered >= STOP_AFTER);
      down = true;
      await cluster.stop();
      await until(() => refusedWhileDown >= DOWN_FOR || queue.length === 0);
      cluster = await startEmbeddedPostgres(options);
      down = false;
    })();

    const client = async (): Promise<void> => {
      for (let payload = queue.shift(); payload; payload = queue.shift()) await send(payload);
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await restart;

    // Deliveries refused with 503 are sent again, as a provider would.
    for (let round = 0; unavailable.length > 0; round += 1) {
      expect(round, 'deliveries still refused after 20 rounds').toBeLessThan(20);
      const retry = unavailable.splice(0);
      await Promise.all(retry.map(send));
    }

    expect(unexpected).toEqual([]);
    expect(refusedWhileDown).toBeGreaterThanOrEqual(1);
    const distinct = new Set(executions.flat().map(keyOf));
    expect(accepted.size).toBe(distinct.size);
    expect([...firstDeliveries.values()].every((n) => n === 1)).toBe(true);

    // Every accepted delivery is stored, once, and applied.
    const { rows } = await pool.query<{ event_key: string; status: string }>(
      `select event_key, status from app_private.webhook_events where provider = 'bolna'`,
    );
    const stored = new Map(rows.map((row) => [row.event_key, row.status]));
    expect(rows).toHaveLength(distinct.size);
    const missing = [...accepted.keys()].filter((key) => !stored.has(key));
    expect(missing).toEqual([]);
    expect([...stored.values()].every((status) => status === 'processed')).toBe(true);

    const { rows: calls } = await pool.query<{ n: number; completed: number }>(
      `select count(*)::int as n, count(*) filter (where status = 'completed' and duration_seconds = 87)::int as completed
         from app_public.calls where user_id = $1`,
      [tenant.userId],
    );
    expect(calls[0]).toEqual({ n: EXECUTIONS, completed: EXECUTIONS });
    expect(await verifyRollups(pool, tenant.userId)).toEqual([]);
    expect(total).toBe(EXECUTIONS * 5);
  });
});
