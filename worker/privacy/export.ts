/**
 * Writes a business's export archive: a gzip-compressed tar (tar-stream +
 * node:zlib) of one JSON-lines file per table (EXPORT_TABLES) and
 * `manifest.json` (row counts, sizes, SHA-256 per file, schema version).
 *
 * The caller gives a client inside a REPEATABLE READ transaction, so every
 * table is read from one snapshot (the archive is consistent), and a sink for
 * the compressed bytes. Rows are fetched through a server-side cursor and
 * spooled to a temporary file per table (tar needs each entry's size first),
 * so memory stays bounded whatever the business's size.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import tar from 'tar-stream';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  EXPORT_TABLES,
  MANIFEST_NAME,
  tablePath,
  type Manifest,
  type ManifestFile,
} from './tables.ts';

export interface ExportOptions {
  /** In a REPEATABLE READ transaction, as a role that reads every tenant table (the owner). */
  client: pg.ClientBase;
  userId: string;
  /** Receives the .tar.gz bytes. */
  sink: Writable;
  /** Called after each batch of rows: rows written so far of the total. */
  onProgress?: (done: number, total: number) => Promise<void>;
  /** Rows fetched per round trip (default 2000). */
  fetchSize?: number;
}

/** The last migration applied (graphile-migrate's table), if there is one. */
export async function schemaVersion(client: pg.ClientBase): Promise<string | null> {
  const { rows } = await client.query<{ filename: string | null }>(
    `select case when to_regclass('graphile_migrate.migrations') is null then null
            else (select max(filename) from graphile_migrate.migrations) end as filename`,
  );
  return rows[0]?.filename ?? null;
}

export async function writeBusinessArchive(options: ExportOptions): Promise<Manifest> {
  const { client, userId, sink } = options;
  const fetchSize = options.fetchSize ?? 2000;
  const counts: number[] = [];
  for (const table of EXPORT_TABLES) {
    const { rows } = await client.query<{ n: number }>(`select count(*)::integer as n from (${table.select}) x`, [userId]);
    counts.push(rows[0]?.n ?? 0);
  }
  const total = counts.reduce((sum, n) => sum + n, 0);
  const manifest: Manifest = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    schemaVersion: await schemaVersion(client),
    userId,
    exportedAt: new Date().toISOString(),
    files: [],
  };

  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), sink);
  written.catch(() => {}); // awaited below; avoid an unhandled rejection while tables are read
  const spool = await mkdtemp(path.join(tmpdir(), 'switchboard-export-'));
  let done = 0;
  try {
    for (const table of EXPORT_TABLES) {
      const file = path.join(spool, `${table.name}.jsonl`);
      const handle = await open(file, 'w');
      const hash = createHash('sha256');
      let bytes = 0;
      let rows = 0;
      try {
        await client.query(`declare export_rows no scroll cursor for select x.row::text as line from (${table.select}) x`, [userId]);
        for (;;) {
          const batch = await client.query<{ line: string }>(`fetch ${fetchSize} from export_rows`);
          if (batch.rows.length === 0) break;
          const chunk = Buffer.from(batch.rows.map((row) => `${row.line}\n`).join(''), 'utf8');
          hash.update(chunk);
          bytes += chunk.length;
          rows += batch.rows.length;
          await handle.write(chunk);
          done += batch.rows.length;
          await options.onProgress?.(done, total);
        }
        await client.query('close export_rows');
      } finally {
        await handle.close();
      }
      const entry: ManifestFile = {
        name: table.name,
        path: tablePath(table.name),
        rows,
        bytes,
        sha256: hash.digest('hex'),
        importable: table.importable,
        description: table.description,
      };
      manifest.files.push(entry);
      await pipeline(createReadStream(file), pack.entry({ name: entry.path, size: bytes, mtime: new Date(manifest.exportedAt) }));
      await rm(file);
    }
    pack.entry({ name: MANIFEST_NAME, mtime: new Date(manifest.exportedAt) }, `${JSON.stringify(manifest, null, 2)}\n`);
    pack.finalize();
    await written;
  } catch (error) {
    pack.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
  return manifest;
}
