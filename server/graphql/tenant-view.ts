/**
 * A platform operator's read-only view of one business (issue 14, admin).
 *
 * The admin page calls `startTenantView(tenantId)`: PostgreSQL lets only
 * app_admin run it and writes "who viewed which business, when, from where"
 * into that business's audit trail. The dashboard then sends the header
 * `X-Switchboard-View-Tenant: <tenant id>` with the operator's own JWT. This
 * middleware (after request-auth) accepts it only from an app_admin JWT and
 * only when that operator started a view of that business in the last hour
 * (`app_hidden.tenant_view_allowed`, read from the audit trail, so no view runs
 * unrecorded). server/graphql/context.ts then runs the request as the business
 * (role app_user, its user_id claim) in a read-only transaction: PostgreSQL
 * refuses every write (SQLSTATE 25006), whatever the dashboard shows.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { getRequestAuth } from '../auth/request-auth.ts';
import { graphqlErrorBody } from '../errors.ts';

export const TENANT_VIEW_HEADER = 'x-switchboard-view-tenant';

export interface TenantView {
  tenantId: string;
  adminId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const views = new WeakMap<IncomingMessage, TenantView>();

/** The business this request views read-only, if it carries an accepted view header. */
export function getTenantView(req: IncomingMessage): TenantView | undefined {
  return views.get(req);
}

export function tenantView({ pool }: { pool: pg.Pool }): RequestHandler {
  return (req, res, next) => {
    const header = req.headers[TENANT_VIEW_HEADER];
    if (header === undefined) {
      next();
      return;
    }
    const auth = getRequestAuth(req);
    if (auth.kind !== 'jwt' || auth.role !== 'app_admin') {
      res.status(403).json(graphqlErrorBody('FORBIDDEN', 'Only platform operators can view another business.'));
      return;
    }
    const tenantId = Array.isArray(header) ? header[0] : header;
    if (!tenantId || !UUID.test(tenantId)) {
      res.status(400).json(graphqlErrorBody('INVALID_VALUE', `The ${TENANT_VIEW_HEADER} header must be a business id (a UUID).`));
      return;
    }
    pool
      .query<{ ok: boolean }>('select app_hidden.tenant_view_allowed($1, $2) as ok', [auth.userId, tenantId])
      .then(({ rows }) => {
        if (rows[0]?.ok !== true) {
          res
            .status(403)
            .json(graphqlErrorBody('TENANT_VIEW_NOT_STARTED', 'Open this business from the admin page first: every view is recorded in its audit log and lasts an hour.'));
          return;
        }
        views.set(req, { tenantId, adminId: auth.userId });
        next();
      }, next);
  };
}
