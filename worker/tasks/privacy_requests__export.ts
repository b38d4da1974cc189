/**
 * privacy_requests__export: builds the archive of one export request
 * (`app_public.request_data_export()` queues it with a job key per request).
 *
 * Re-reads the request and returns early unless it is still pending or
 * running (a retry after a crash starts over: its chunks are deleted first).
 * Reads every table in one REPEATABLE READ snapshot on one connection, writes
 * the chunks and the progress through other connections (so both are visible
 * while it runs), then marks the request completed with its size, checksum,
 * row counts and expiry (retention data type `privacy_exports`). On the last
 * attempt a failure marks the request failed with the error.
 */
import type { Task } from 'graphile-worker';
import type { Logger } from '../../kernel/log.ts';
import { createChunkSink } from '../privacy/chunk-store.ts';
import { writeBusinessArchive } from '../privacy/export.ts';
import { assertPrivacyExportPayload } from '../payloads.ts';

interface RequestRow {
  user_id: string;
  status: string;
  max_bytes: string;
}

/** Progress is written at most this often (ms). */
const PROGRESS_EVERY_MS = 250;

export function createPrivacyExport(deps: { logger: Logger }): Task<'privacy_requests__export'> {
  return async (payload, helpers) => {
    assertPrivacyExportPayload(payload);
    const { requestId } = payload;
    const { rows } = await helpers.query<RequestRow>(
      `update app_public.privacy_requests r
          set status = 'running', started_at = coalesce(r.started_at, now()), progress = 0, error = null
        where r.id = $1 and r.kind = 'export' and r.status in ('pending', 'running')
        returning r.user_id, r.status,
                  coalesce((select c.value #>> '{}' from app_private.system_config c where c.key = 'privacy.max_export_bytes'), '2147483648') as max_bytes`,
      [requestId],
    );
    const request = rows[0];
    if (!request) return; // gone (business erased) or already finished
    await helpers.query('delete from app_private.privacy_export_chunks where request_id = $1', [requestId]);
    try {
      const sink = createChunkSink((text, values) => helpers.query(text, values), requestId, Number(request.max_bytes));
      let lastWrite = 0;
      const manifest = await helpers.withPgClient(async (client) => {
        await client.query('begin isolation level repeatable read read only');
        try {
          return await writeBusinessArchive({
            client,
            userId: request.user_id,
            sink,
            onProgress: async (done, total) => {
              const now = Date.now();
              if (now - lastWrite < PROGRESS_EVERY_MS) return;
              lastWrite = now;
              // At most 0.99 until the archive is stored.
              await helpers.query('update app_public.privacy_requests set progress = $2 where id = $1', [
                requestId,
                Math.min(0.99, total ? done / total : 0).toFixed(4),
              ]);
            },
          });
        } finally {
          await client.query('rollback');
        }
      });
      const summary = sink.summary();
      const counts = Object.fromEntries(manifest.files.map((file) => [file.name, file.rows]));
      await helpers.query(
        `update app_public.privacy_requests r
            set status = 'completed', progress = 1, finished_at = now(), error = null,
                archive_bytes = $2, archive_sha256 = $3,
                details = jsonb_build_object('rows', $4::jsonb, 'schemaVersion', $5::text, 'chunks', $6::integer),
                expires_at = now() + make_interval(days => (select p.retain_days from app_private.retention_policies p where p.data_type = 'privacy_exports'))
          where r.id = $1`,
        [requestId, summary.bytes, summary.sha256, JSON.stringify(counts), manifest.schemaVersion, summary.chunks],
      );
      deps.logger.info(`export ${requestId}: ${summary.bytes} bytes, ${Object.values(counts).reduce((a, b) => a + b, 0)} rows`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await helpers.query('delete from app_private.privacy_export_chunks where request_id = $1', [requestId]);
      const last = helpers.job.attempts >= helpers.job.max_attempts;
      await helpers.query(
        `update app_public.privacy_requests
            set status = case when $3 then 'failed' else 'pending' end, error = left($2, 2000),
                finished_at = case when $3 then now() end
          where id = $1`,
        [requestId, message, last],
      );
      if (last) {
        deps.logger.error(`export ${requestId} failed`, { error });
        return;
      }
      throw error;
    }
  };
}
