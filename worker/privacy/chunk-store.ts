/**
 * Export archives live in the database (app_private.privacy_export_chunks), so
 * any server instance can serve a download and nothing depends on a local
 * disk. This sink cuts the compressed stream into chunks of CHUNK_BYTES and
 * inserts them in order, keeping the archive's size and SHA-256.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';

export const CHUNK_BYTES = 1024 * 1024;

export type QueryFn = (text: string, values: unknown[]) => Promise<unknown>;

export interface ChunkSink extends Writable {
  /** After `finish`: total bytes and hex SHA-256 of the archive. */
  summary(): { bytes: number; sha256: string; chunks: number };
}

export function createChunkSink(query: QueryFn, requestId: string, maxBytes: number): ChunkSink {
  const hash = createHash('sha256');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let seq = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await query('insert into app_private.privacy_export_chunks (request_id, seq, data) values ($1, $2, $3)', [requestId, seq, data]);
    seq += 1;
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        callback(new Error(`the export is larger than the limit of ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < CHUNK_BYTES) {
        callback();
        return;
      }
      flush().then(() => callback(), callback);
    },
    final(callback) {
      flush().then(() => callback(), callback);
    },
  }) as ChunkSink;
  let digest: string | undefined;
  sink.summary = () => {
    digest ??= hash.digest('hex');
    return { bytes, sha256: digest, chunks: seq };
  };
  return sink;
}
