/**
 * The GraphQL API under test, in its own Node process (as `npm start` runs it):
 * a fresh heap and event loop, apart from the benchmark process that loaded
 * millions of calls before. Started by bench/graphql.ts with the bench's own
 * Node flags (package.json: the same young-generation size as `npm start`);
 * reports its port over IPC and stops on SIGTERM.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { installGraphql } from '../server/graphql/install.ts';
import { installCallLogExport } from '../server/http/call-log-export.ts';
import { BENCH_GRAPHQL_CONFIG } from './graphql-config.ts';
import { quietLogger } from './log.ts';

export interface GraphqlServerInput {
  authConnectionString: string;
  jwtSecret: string;
  poolSize: number;
  /** The background lane's pool (server/graphql/lanes.ts), as server/main.ts sizes it. */
  backgroundPoolSize: number;
}

export type GraphqlServerMessage = { ok: true; port: number } | { ok: false; message: string };

/**
 * The bench may ask the server for a CPU profile of a window (bench/open-loop.ts): `start`, then `stop`
 * with a file to write the .cpuprofile to; the server answers `{ profiled: file }` once it is written.
 */
export type ProfileRequest = { profile: 'start' } | { profile: 'stop'; file: string };

function listenForProfileRequests(): void {
  let session: Session | undefined;
  process.on('message', (message: ProfileRequest) => {
    if (typeof message !== 'object' || message === null || !('profile' in message)) return;
    void (async () => {
      if (message.profile === 'start') {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 500 });
        await session.post('Profiler.start');
        return;
      }
      if (!session) return;
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = undefined;
      await writeFile(message.file, JSON.stringify(profile));
      process.send?.({ profiled: message.file });
    })();
  });
}

async function main(input: GraphqlServerInput): Promise<void> {
  const authPool = createPool({
    connectionString: input.authConnectionString,
    max: input.poolSize,
    applicationName: 'switchboard-bench-graphql',
    logger: quietLogger('pool'),
  });
  const backgroundPool = createPool({
    connectionString: input.authConnectionString,
    max: input.backgroundPoolSize,
    applicationName: 'switchboard-bench-graphql-background',
    logger: quietLogger('pool'),
  });
  const app = express();
  const graphql = await installGraphql(app, null, {
    authPool,
    backgroundPool,
    jwt: { secret: input.jwtSecret, ttlSeconds: 3600 },
    logger: quietLogger('graphql'),
    config: BENCH_GRAPHQL_CONFIG,
  });
  // the call log's CSV export, as server/app.ts installs it next to GraphQL
  installCallLogExport(app, { authPool, jwtSecret: input.jwtSecret, statementTimeoutMs: 600_000 });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const stop = (): void => {
    server.close(() => {
      void graphql.release().finally(() => Promise.all([endPool(authPool), endPool(backgroundPool)])).finally(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  listenForProfileRequests();
  const message: GraphqlServerMessage = { ok: true, port: (server.address() as AddressInfo).port };
  process.send?.(message);
}

const raw = process.env.BENCH_GRAPHQL_SERVER;
if (raw && process.send) {
  main(JSON.parse(raw) as GraphqlServerInput).catch((error: unknown) => {
    const message: GraphqlServerMessage = { ok: false, message: error instanceof Error ? error.message : String(error) };
    process.send?.(message, () => process.exit(1));
  });
}
