/**
 * graphile-migrate `afterReset` hook used by db:commit: installs the
 * graphile_worker schema into the freshly reset shadow database (GM_DBURL) so
 * migrations that reference `graphile_worker.add_job` can be applied to it.
 */
import { installWorkerSchema } from '../../kernel/db/migrate.ts';
import { createLogger } from '../../kernel/log.ts';

const connectionString = process.env.GM_DBURL;
if (!connectionString) {
  process.stderr.write('install-worker-schema: GM_DBURL is not set (this runs as a graphile-migrate hook)\n');
  process.exit(2);
}
await installWorkerSchema(connectionString, createLogger('install-worker-schema'));
