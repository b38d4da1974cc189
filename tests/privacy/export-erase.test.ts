/**
 * The privacy round trip, through the real API, worker and HTTP download:
 *
 *   KPIs -> export (job, progress in GraphQL) -> download -> erase a caller
 *   (rows gone, others untouched, verify_rollups clean, ledger unchanged,
 *   request recorded without the number) -> import the archive into an empty
 *   database -> the business's KPIs there equal those from before the erasure.
 *
 * And the boundaries: another tenant cannot see, download or erase any of it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { writeBusinessArchive } from '../../worker/privacy/export.ts';
import { importBusiness, readArchive, verifyArchive } from '../../worker/privacy/import.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { errorCodes, startApi, type ApiServer } from '../helpers/api.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../helpers/db.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { count, waitFor } from '../worker/support.ts';
import { createBusiness, kpiSnapshot, kpiSummary, ledger, sha256, type Business } from './support.ts';

let api: ApiServer;
let worker: WorkerHandle | undefined;
let a: Business;
let b: Business;
let target: TestDatabase | undefined;
let cliTarget: TestDatabase | undefined;

interface PrivacyRequest {
  rowId: string;
  kind: string;
  status: string;
  progress: string;
  details: Record<string, unknown>;
  subjectHash: string | null;
  archiveBytes: string | null;
  archiveSha256: string | null;
  error: string | null;
}

const REQUEST_FIELDS = 'rowId kind status progress details subjectHash archiveBytes archiveSha256 error';

async function requests(userId: string): Promise<PrivacyRequest[]> {
  const { body } = await api.graphql<{ allPrivacyRequests: { nodes: PrivacyRequest[] } }>(
    `{ allPrivacyRequests(first: 50, orderBy: CREATED_AT_DESC) { nodes { ${REQUEST_FIELDS} } } }`,
    {},
    api.tokenFor(userId),
  );
  expect(body.errors).toBeUndefined();
  return body.data?.allPrivacyRequests.nodes ?? [];
}

async function download(id: string, token?: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const response = await fetch(`${api.url}/exports/${id}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  api = await startApi();
  a = await createBusiness(api.db.pool, { seed: 1 });
  b = await createBusiness(api.db.pool, { seed: 1, timezone: 'Asia/Kolkata' }); // the same phone numbers, another tenant
  worker = await startWorker({ connectionString: api.db.connectionString, concurrency: 1, cron: false, pollInterval: 50, openai: null, sms: null });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await target?.drop();
  await cliTarget?.drop();
  await api?.close();
});

describe('export, erase a caller, re-import', () => {
  let exportId: string;
  let archive: Buffer;
  let kpisBefore: unknown;
  let summaryBefore: unknown;
  const from = '2020-01-01';
  const to = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

  it('exports every table through the job, with progress and counts visible in GraphQL', async () => {
    expect(await verifyRollups(api.db.pool, a.userId)).toEqual([]);
    kpisBefore = await kpiSnapshot(api.db.pool, a.userId);
    summaryBefore = await kpiSummary(api.db.pool, a.userId, from, to);
    expect(await count(api.db.pool, 'select count(*) from app_hidden.purged_rollups where user_id = $1', [a.userId])).toBeGreaterThan(0);

    const { body } = await api.graphql<{ requestDataExport: { result: PrivacyRequest } }>(
      `mutation { requestDataExport(input: {}) { result { ${REQUEST_FIELDS} } } }`,
      {},
      api.tokenFor(a.userId),
    );
    expect(body.errors).toBeUndefined();
    const request = body.data?.requestDataExport.result;
    expect(request).toMatchObject({ kind: 'export', status: 'pending' });
    exportId = request!.rowId;

    const done = await waitFor('the export to finish', async () => {
      const found = (await requests(a.userId)).find((r) => r.rowId === exportId);
      return found && ['completed', 'failed'].includes(found.status) ? found : null;
    });
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(Number(done.progress)).toBe(1);
    const rows = done.details.rows as Record<string, number>;
    expect(rows.calls).toBe(await count(api.db.pool, 'select count(*) from app_public.calls where user_id = $1', [a.userId]));
    expect(rows.transcripts).toBeGreaterThan(0);
    expect(rows.purged_rollups).toBeGreaterThan(0);
    expect(rows.users).toBe(1);
  });

  it('downloads the archive with the owner\'s token only', async () => {
    const mine = await download(exportId, api.tokenFor(a.userId));
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('application/gzip');
    const [request] = (await requests(a.userId)).filter((r) => r.rowId === exportId);
    expect(sha256(mine.body)).toBe(request?.archiveSha256);
    expect(mine.body.length).toBe(Number(request?.archiveBytes));
    archive = mine.body;

    expect((await download(exportId, api.tokenFor(b.userId))).status).toBe(404);
    expect((await download(exportId)).status).toBe(401);
    expect((await download('not-a-uuid', api.tokenFor(a.userId))).status).toBe(404);
    // Another tenant does not even see the request.
    expect((await requests(b.userId)).map((r) => r.rowId)).not.toContain(exportId);
  });

  it('holds every table, no secrets, and checksums that match', async () => {
    const files = await readArchive(Readable.from(archive));
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { userId: string; schemaVersion: string; files: Array<{ path: string; sha256: string; rows: number }> };
    expect(manifest.userId).toBe(a.userId);
    expect(manifest.schemaVersion).toMatch(/^\d{6}/);
    for (const file of manifest.files) expect(sha256(files.get(file.path)!)).toBe(file.sha256);
    const names = manifest.files.map((f) => f.path);
    for (const table of ['users', 'agents', 'contacts', 'calls', 'transcripts', 'lead_analytics', 'credit_transactions', 'follow_ups', 'customers', 'api_keys', 'retention', 'usage_alerts', 'webhook_events']) {
      expect(names).toContain(`tables/${table}.jsonl`);
    }
    const all = [...files.values()].map((f) => f.toString('utf8')).join('\n');
    expect(all).not.toMatch(/password_hash|key_hash|bolna_token_hash|signing_secret/);
    expect(all).not.toContain(b.userId);
  });

  it('erases one caller: its rows go, others stay, the rollups verify, the ledger is unchanged, the request is recorded', async () => {
    const pool = api.db.pool;
    const ledgerBefore = await ledger(pool, a.userId);
    const keptCalls = await count(pool, 'select count(*) from app_public.calls where user_id = $1 and phone_number <> $2', [a.userId, a.erased]);
    const bBefore = await kpiSnapshot(pool, b.userId);
    const bCalls = await count(pool, 'select count(*) from app_public.calls where user_id = $1', [b.userId]);
    const erasedCalls = await count(pool, 'select count(*) from app_public.calls where user_id = $1 and phone_number = $2', [a.userId, a.erased]);
    expect(erasedCalls).toBeGreaterThan(0);

    // Another tenant cannot erase it by contact id (not found, whatever the id).
    const contactId = String(
      (await pool.query<{ id: string }>('select id from app_public.contacts where user_id = $1 and phone_number = $2', [a.userId, a.erased])).rows[0]?.id,
    );
    const attack = await api.graphql(`mutation($c: UUID!) { eraseContact(input: { contactId: $c }) { result { rowId } } }`, { c: contactId }, api.tokenFor(b.userId));
    expect(errorCodes(attack.body)).toEqual(['NOT_FOUND']);
    const anonymous = await api.graphql(`mutation($c: UUID!) { eraseContact(input: { contactId: $c }) { result { rowId } } }`, { c: contactId });
    expect(anonymous.body.errors?.length).toBeGreaterThan(0);
    expect(await count(pool, 'select count(*) from app_public.calls where contact_id = $1', [contactId])).toBe(erasedCalls);

    const bad = await api.graphql(`mutation { eraseContact(input: { phoneNumber: "12345" }) { result { rowId } } }`, {}, api.tokenFor(a.userId));
    expect(errorCodes(bad.body)).toEqual(['INVALID_PHONE_NUMBER']);

    const { body } = await api.graphql<{ eraseContact: { result: PrivacyRequest } }>(
      `mutation($c: UUID!) { eraseContact(input: { contactId: $c }) { result { ${REQUEST_FIELDS} } } }`,
      { c: contactId },
      api.tokenFor(a.userId),
    );
    expect(body.errors).toBeUndefined();
    const recorded = body.data!.eraseContact.result;
    expect(recorded).toMatchObject({ kind: 'erase_contact', status: 'completed' });
    expect(recorded.details).toMatchObject({ calls: erasedCalls, contacts: 1, customers: 1, follow_ups: 1, complete_analyses: 1, webhook_events: 1, export_archives_expired: 1 });
    // The stored archive held the caller: it is gone (the business downloaded it before).
    expect((await download(exportId, api.tokenFor(a.userId))).status).toBe(410);
    expect(await count(pool, 'select count(*) from app_private.privacy_export_chunks where request_id = $1', [exportId])).toBe(0);
    expect(recorded.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    // The number itself is nowhere in the request log.
    expect(await count(pool, `select count(*) from app_public.privacy_requests r where strpos(to_jsonb(r)::text, $1) > 0`, [a.erased.slice(1)])).toBe(0);

    const left = `select (select count(*) from app_public.calls where user_id = $1 and phone_number = $2)
                       + (select count(*) from app_public.contacts where user_id = $1 and phone_number = $2)
                       + (select count(*) from app_public.lead_analytics where user_id = $1 and phone_number = $2)
                       + (select count(*) from app_public.follow_ups where user_id = $1 and lead_phone = $2)
                       + (select count(*) from app_public.customers where user_id = $1 and phone = $2)
                       + (select count(*) from app_private.webhook_events where user_id = $1 and strpos(payload::text, $2) > 0)`;
    expect(await count(pool, left, [a.userId, a.erased])).toBe(0);
    expect(await count(pool, 'select count(*) from app_public.transcripts t where t.user_id = $1 and not exists (select 1 from app_public.calls c where c.id = t.call_id)', [a.userId])).toBe(0);
    expect(await count(pool, 'select count(*) from app_public.calls where user_id = $1', [a.userId])).toBe(keptCalls);
    expect(await count(pool, 'select count(*) from app_public.customers where user_id = $1', [a.userId])).toBe(1);
    // The other tenant's caller with the same number is untouched.
    expect(await count(pool, left, [b.userId, a.erased])).toBeGreaterThan(0);
    expect(await count(pool, 'select count(*) from app_public.calls where user_id = $1', [b.userId])).toBe(bCalls);
    expect(await kpiSnapshot(pool, b.userId)).toEqual(bBefore);

    // Rollups exact: before compaction (live views) and after it.
    expect(await verifyRollups(pool, a.userId)).toEqual([]);
    await pool.query('select app_hidden.compact_rollups()');
    expect(await verifyRollups(pool, a.userId)).toEqual([]);
    expect(await kpiSnapshot(pool, a.userId)).not.toEqual(kpisBefore); // the caller's calls no longer count

    // Ledger: same rows and amounts, same balance, balances still chain; no row points at an erased call.
    await pool.query('select app_hidden.post_credit_transactions()');
    const ledgerAfter = await ledger(pool, a.userId);
    expect(ledgerAfter).toEqual(ledgerBefore);
    expect(ledgerAfter.chainOk).toBe(true);
    expect(await count(pool, 'select count(*) from app_public.credit_transactions t where t.user_id = $1 and t.call_id is not null and not exists (select 1 from app_public.calls c where c.id = t.call_id)', [a.userId])).toBe(0);

    // Erasing the same caller again finds nothing.
    const again = await api.graphql(`mutation($p: String!) { eraseContact(input: { phoneNumber: $p }) { result { rowId } } }`, { p: a.erased }, api.tokenFor(a.userId));
    expect(errorCodes(again.body)).toEqual(['NOT_FOUND']);
  });

  it('re-imports the archive into an empty database with the KPIs from before the erasure', async () => {
    target = await createTestDatabase();
    const files = await readArchive(Readable.from(archive));
    const result = await withClient(target.pool, (client) => importBusiness(client, files));
    expect(result.rows.calls).toBeGreaterThan(0);
    expect(await verifyRollups(target.pool, a.userId)).toEqual([]);
    expect(await kpiSnapshot(target.pool, a.userId)).toEqual(kpisBefore);
    expect(await kpiSummary(target.pool, a.userId, from, to)).toEqual(summaryBefore);
    // After compaction too.
    await target.pool.query('select app_hidden.compact_rollups()');
    expect(await kpiSnapshot(target.pool, a.userId)).toEqual(kpisBefore);
    // The ledger and balance as they were (the import charged nothing twice).
    await target.pool.query('select app_hidden.post_credit_transactions()');
    expect(await ledger(target.pool, a.userId)).toEqual(await ledger(api.db.pool, a.userId));
    const { rows } = await target.pool.query<{ phone_number: string; not_connected: number }>(
      'select phone_number, not_connected from app_public.contacts where user_id = $1 order by phone_number',
      [a.userId],
    );
    expect(rows.map((r) => r.phone_number)).toContain(a.erased);
    expect(await count(target.pool, `select count(*) from graphile_worker.jobs where task_identifier = 'calls__analyze'`)).toBe(0);
  });

  it('npm run import:business loads the downloaded file the same way', async () => {
    cliTarget = await createTestDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-import-'));
    try {
      const file = path.join(dir, 'export.tar.gz');
      await writeFile(file, archive);
      const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'import:business', '--', file], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, DATABASE_URL: cliTarget.connectionString, LOG_LEVEL: 'warn' },
      });
      expect(stdout).toContain(`imported business ${a.userId}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await verifyRollups(cliTarget.pool, a.userId)).toEqual([]);
    expect(await kpiSnapshot(cliTarget.pool, a.userId)).toEqual(kpisBefore);
    // A second import of the same business is refused as a whole (one transaction): nothing doubles.
    const files = await readArchive(Readable.from(archive));
    const again = await withClient(cliTarget.pool, (client) => importBusiness(client, files)).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(Error);
    expect(await kpiSnapshot(cliTarget.pool, a.userId)).toEqual(kpisBefore);
  });

  it('reports progress batch by batch up to every row, from one snapshot, and the archive verifies', async () => {
    const progress: Array<[number, number]> = [];
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (part: Buffer) => parts.push(part));
    await withClient(api.db.pool, async (client) => {
      await client.query('begin isolation level repeatable read read only');
      try {
        await writeBusinessArchive({ client, userId: b.userId, sink, fetchSize: 7, onProgress: async (done, total) => void progress.push([done, total]) });
      } finally {
        await client.query('rollback');
      }
    });
    expect(progress.length).toBeGreaterThan(10);
    const total = progress[0]![1];
    expect(progress.every(([, t]) => t === total)).toBe(true);
    expect(progress.every(([done], i) => i === 0 || done > progress[i - 1]![0])).toBe(true);
    expect(progress.at(-1)![0]).toBe(total);
    const files = await readArchive(Readable.from(Buffer.concat(parts)));
    expect(verifyArchive(files).files.reduce((sum, f) => sum + f.rows, 0)).toBe(total);
    // A tampered file is refused before anything is imported.
    const calls = files.get('tables/calls.jsonl')!;
    files.set('tables/calls.jsonl', Buffer.concat([calls, Buffer.from('{}\n')]));
    expect(() => verifyArchive(files)).toThrow(/checksum/);
  });

  it('refuses a second export while one is running, and API keys', async () => {
    const first = await api.graphql<{ requestDataExport: { result: PrivacyRequest } }>(
      `mutation { requestDataExport(input: {}) { result { rowId } } }`,
      {},
      api.tokenFor(b.userId),
    );
    expect(first.body.errors).toBeUndefined();
    // Hold the job: the second request is refused while the first is pending or running.
    await worker?.stop();
    worker = undefined;
    await api.db.pool.query(`update app_public.privacy_requests set status = 'pending', finished_at = null where id = $1`, [first.body.data!.requestDataExport.result.rowId]);
    const second = await api.graphql(`mutation { requestDataExport(input: {}) { result { rowId } } }`, {}, api.tokenFor(b.userId));
    expect(errorCodes(second.body)).toEqual(['EXPORT_IN_PROGRESS']);
    const notReady = await download(first.body.data!.requestDataExport.result.rowId, api.tokenFor(b.userId));
    expect(notReady.status).toBe(409);
  });
});
