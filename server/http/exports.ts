/**
 * GET /exports/<id>: streams a business's export archive (tar.gz) to the
 * business itself, signed in with its JWT (the dashboard's token; API keys
 * are refused, like the export request itself).
 *
 * The request runs as the caller's database role with its claims, in one
 * read-only REPEATABLE READ transaction: `app_hidden.export_archive` and
 * `export_archive_chunk` only return the caller's own export, so another
 * business's id is answered exactly like an unknown one (404). Chunks are
 * read one at a time and written with backpressure, so memory stays at one
 * chunk whatever the archive's size.
 */
import { once } from 'node:events';
import type { Express, RequestHandler } from 'express';
import type pg from 'pg';
import { getRequestAuth, requestAuth } from '../auth/request-auth.ts';
import { RequestError } from '../errors.ts';
import { pgSettingsFor } from '../graphql/context.ts';

export const EXPORTS_PATH = '/exports';

export interface ExportsDeps {
  /** Connected as app_authenticator (the GraphQL pool). */
  authPool: pg.Pool;
  jwtSecret: string;
  statementTimeoutMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ArchiveRow {
  status: string;
  archive_bytes: string | null;
  archive_sha256: string | null;
  chunks: number;
  created_at?: string;
}

function download(deps: ExportsDeps): RequestHandler<{ id: string }> {
  return async (req, res, next) => {
    try {
      const auth = getRequestAuth(req);
      if (auth.kind === 'anonymous') throw new RequestError('UNAUTHENTICATED', 'Sign in to download an export.');
      if (auth.kind === 'apiKey') throw new RequestError('PASSWORD_SESSION_REQUIRED', 'Exports are downloaded with a signed-in session, not an API key.');
      const id = req.params.id;
      if (!UUID.test(id)) throw new RequestError('EXPORT_NOT_FOUND', 'No such export.');
      const client = await deps.authPool.connect();
      let finished = false;
      try {
        await client.query('begin isolation level repeatable read read only');
        const settings = pgSettingsFor(auth, { statementTimeoutMs: deps.statementTimeoutMs });
        await client.query('select set_config(k, v, true) from jsonb_each_text($1::jsonb) s (k, v)', [JSON.stringify(settings)]);
        const { rows } = await client.query<ArchiveRow>('select * from app_hidden.export_archive($1)', [id]);
        const archive = rows[0];
        if (!archive) throw new RequestError('EXPORT_NOT_FOUND', 'No such export.');
        if (archive.status === 'expired') throw new RequestError('EXPORT_EXPIRED', 'This export has expired; request a new one.');
        if (archive.status !== 'completed') throw new RequestError('EXPORT_NOT_READY', 'This export is not ready yet.');
        res.status(200);
        res.setHeader('Content-Type', 'application/gzip');
        if (archive.archive_bytes !== null) res.setHeader('Content-Length', archive.archive_bytes);
        if (archive.archive_sha256) res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(archive.archive_sha256, 'hex').toString('base64')}:`);
        res.setHeader('Content-Disposition', `attachment; filename="switchboard-export-${id}.tar.gz"`);
        res.setHeader('Cache-Control', 'private, no-store');
        for (let seq = 0; seq < archive.chunks; seq += 1) {
          const chunk = await client.query<{ data: Buffer | null }>('select app_hidden.export_archive_chunk($1, $2) as data', [id, seq]);
          const data = chunk.rows[0]?.data;
          if (!data) throw new Error(`export ${id} lacks chunk ${seq}`);
          if (!res.write(data)) await once(res, 'drain');
          if (res.destroyed) break;
        }
        res.end();
        await client.query('commit');
        finished = true;
      } finally {
        if (!finished) await client.query('rollback').catch(() => {});
        client.release();
      }
    } catch (error) {
      if (res.headersSent) {
        res.destroy(error instanceof Error ? error : undefined);
        return;
      }
      next(error);
    }
  };
}

export function installExports(app: Express, deps: ExportsDeps): void {
  app.get(`${EXPORTS_PATH}/:id`, requestAuth({ jwtSecret: deps.jwtSecret, pool: deps.authPool }), download(deps));
}
