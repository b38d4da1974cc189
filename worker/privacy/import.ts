/**
 * Loads a business export (worker/privacy/export.ts) into a database: the
 * restore half of the archive's contract, and the test that it is complete.
 *
 * Rows go in through the normal tables in the manifest's order, in one
 * transaction, so the triggers rebuild what is derived: the calls and their
 * analyses append their rollup contributions, exactly as at ingest. What the
 * triggers would count twice is put back as exported instead: the credit
 * charges the inserted calls raise are replaced by the exported pending
 * charges (the ledger itself is imported with its posted balances), the
 * contacts keep their exported not-connected counters, customer references
 * keep their numbers, and analysis jobs queued by the transcripts are
 * removed (the analyses are imported). Retention-purged history
 * (purged_rollups) is imported and added to the rollups, so KPIs match.
 *
 * Not restored: API keys (their secrets never leave the source), privacy
 * requests and raw webhook deliveries (kept in the archive for reading), the
 * password (set a new one). Row ids are kept; the business must not exist in
 * the target database yet (its id or email).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import tar from 'tar-stream';
import { EXPORT_TABLES, MANIFEST_NAME, parseManifest, type Manifest } from './tables.ts';

/** Rows per INSERT statement. */
const BATCH = 1000;

export interface ImportResult {
  manifest: Manifest;
  /** Rows inserted per file. */
  rows: Record<string, number>;
}

/** Reads every entry of a .tar.gz into memory (archives are read once, by name). */
export async function readArchive(input: Readable): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const part of entry) parts.push(part as Buffer);
      files.set(entry.header.name, Buffer.concat(parts));
    }
  })();
  await Promise.all([pipeline(input, createGunzip(), extract), done]);
  return files;
}

/** The manifest, with every file's size and SHA-256 checked. */
export function verifyArchive(files: Map<string, Buffer>): Manifest {
  const raw = files.get(MANIFEST_NAME);
  if (!raw) throw new Error(`the archive has no ${MANIFEST_NAME}`);
  const manifest = parseManifest(JSON.parse(raw.toString('utf8')));
  for (const file of manifest.files) {
    const data = files.get(file.path);
    if (!data) throw new Error(`the archive lacks ${file.path}`);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (sha256 !== file.sha256 || data.length !== file.bytes) throw new Error(`${file.path} does not match its checksum`);
  }
  return manifest;
}

function parseLines(data: Buffer): Record<string, unknown>[] {
  return data
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Columns a client may insert: not generated, not identity, not dropped. */
async function insertableColumns(client: pg.ClientBase, table: string): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `select a.attname as name from pg_attribute a
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
        and a.attgenerated = '' and a.attidentity = ''`,
    [table],
  );
  return new Set(rows.map((row) => row.name));
}

async function insertRows(client: pg.ClientBase, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const allowed = await insertableColumns(client, table);
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((column) => allowed.has(column));
  const list = columns.map((column) => `"${column.replace(/"/g, '""')}"`).join(', ');
  for (let i = 0; i < rows.length; i += BATCH) {
    await client.query(
      `insert into ${table} (${list}) select ${list} from jsonb_populate_recordset(null::${table}, $1::jsonb)`,
      [JSON.stringify(rows.slice(i, i + BATCH))],
    );
  }
}

/** References to users other than the business (an operator who created a row) do not exist in the target. */
function localiseUserRefs(rows: Record<string, unknown>[], userId: string): Record<string, unknown>[] {
  return rows.map((row) => {
    const copy = { ...row };
    for (const key of ['created_by', 'completed_by']) {
      if (key in copy && copy[key] !== null && copy[key] !== userId) copy[key] = null;
    }
    return copy;
  });
}

/**
 * Imports an archive (already read) as the database owner, in one transaction.
 * Returns the manifest and the rows inserted per file.
 */
export async function importBusiness(client: pg.ClientBase, files: Map<string, Buffer>): Promise<ImportResult> {
  const manifest = verifyArchive(files);
  const userId = manifest.userId;
  const known = new Map(EXPORT_TABLES.map((table) => [table.name, table]));
  const data = new Map<string, Record<string, unknown>[]>();
  for (const file of manifest.files) {
    const buffer = files.get(file.path);
    if (buffer && file.importable && known.get(file.name)?.importable) data.set(file.name, localiseUserRefs(parseLines(buffer), userId));
  }
  const user = data.get('users')?.[0];
  if (!user || user.id !== userId) throw new Error('the archive has no account row for its business');

  const result: Record<string, number> = {};
  await client.query('begin');
  try {
    for (const table of EXPORT_TABLES) {
      const rows = data.get(table.name);
      if (!rows) continue;
      if (table.name === 'users') {
        // Opening at 0 credits (no opening-balance ledger row): the ledger is imported as it was.
        await insertRows(client, table.table, rows.map((row) => ({ ...row, credits: 0 })));
      } else if (table.name === 'credit_charges') {
        // The inserted calls charged themselves again: keep only what was pending at export.
        await client.query('delete from app_hidden.credit_charges where user_id = $1', [userId]);
        await insertRows(client, table.table, rows);
      } else if (table.name === 'customer_reference_counters') {
        await client.query('delete from app_private.customer_reference_counters where user_id = $1', [userId]);
        await insertRows(client, table.table, rows);
      } else {
        await insertRows(client, table.table, rows);
      }
      result[table.name] = rows.length;
    }
    // Derived state the triggers would otherwise double: put back as exported.
    await client.query(
      `update app_public.users u set credits = ($2::jsonb ->> 'credits')::integer where u.id = $1`,
      [userId, JSON.stringify(user)],
    );
    await client.query('delete from app_hidden.contact_count_deltas where user_id = $1', [userId]);
    await client.query(
      `update app_public.contacts c set not_connected = x.not_connected
         from jsonb_populate_recordset(null::app_public.contacts, $2::jsonb) x
        where c.id = x.id and c.user_id = $1`,
      [userId, JSON.stringify(data.get('contacts') ?? [])],
    );
    await client.query(
      `update app_public.customers c set reference = x.reference
         from jsonb_populate_recordset(null::app_public.customers, $2::jsonb) x
        where c.id = x.id and c.user_id = $1`,
      [userId, JSON.stringify(data.get('customers') ?? [])],
    );
    // Retention-purged history counts in the KPIs: add it to the rollups as it is in purged_rollups.
    await client.query(
      `insert into app_hidden.rollup_deltas
       select (jsonb_populate_record(null::app_hidden.rollup_deltas, to_jsonb(p))).*
         from app_hidden.purged_rollups p where p.user_id = $1`,
      [userId],
    );
    const { rows: worker } = await client.query<{ present: boolean }>(`select to_regnamespace('graphile_worker') is not null as present`);
    if (worker[0]?.present) {
      await client.query(
        `select graphile_worker.remove_job('calls__analyze:' || t.call_id::text) from app_public.transcripts t where t.user_id = $1`,
        [userId],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  return { manifest, rows: result };
}
