/**
 * `npm start`: builds the dashboard if needed (server/cli/build-dashboard.ts;
 * DASHBOARD_BUILD=0 skips it and serves dashboard/dist as it is), then runs the
 * server (server/main.ts) in this same process. One node process and no shell
 * left in between (the script `exec`s node), so SIGTERM/SIGINT sent to
 * `npm start` (npm forwards them to its child) or to node reach the server's
 * graceful shutdown.
 */
import './graphql/graphile-env.ts'; // first: sets GRAPHILE_ENV before grafast loads

const SKIP = new Set(['0', 'false', 'off', 'no']);
// A signal during the build ends the process (nothing is running yet); main.ts
// installs the graceful shutdown before it starts anything.
if (!SKIP.has(process.env.DASHBOARD_BUILD?.trim().toLowerCase() ?? '')) await import('./cli/build-dashboard.ts');
await import('./main.ts');
