/** One COPY ... FROM STDIN of prepared rows, timed from the first byte to the server's confirmation. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_CALLS, copyLine, createRandom, makeCall, pick } from './calls.ts';
import type { IngestFixture } from './fixture.ts';
import { observer, walCounters, walPerRow, type LoadResult } from './load.ts';
import { sampleWaits } from './waits.ts';

const COPY_APPLICATION_NAME = 'switchboard-bench-copy';

/** COPY input (text format) of `rows` calls of random tenants, in chunks of about 256 kB. */
export function copyPayload(fixture: IngestFixture, rows: number, seed: number): Buffer[] {
  const random = createRandom(seed);
  const endedAt = new Date();
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let size = 0;
  for (let i = 0; i < rows; i += 1) {
    const line = `${copyLine(makeCall(random, pick(random, fixture.tenants), `copy-${seed}-${i}`), endedAt)}\n`;
    lines.push(line);
    size += line.length;
    if (size >= 256 * 1024) {
      chunks.push(Buffer.from(lines.join(''), 'utf8'));
      lines = [];
      size = 0;
    }
  }
  if (lines.length) chunks.push(Buffer.from(lines.join(''), 'utf8'));
  return chunks;
}

export async function runCopy(connectionString: string, payload: readonly Buffer[], rows: number): Promise<LoadResult> {
  const client = new pg.Client({ connectionString, application_name: COPY_APPLICATION_NAME });
  client.on('error', () => {});
  await client.connect();
  const watcher = await observer(connectionString);
  try {
    const walBefore = await walCounters(watcher);
    const sampler = sampleWaits(connectionString, COPY_APPLICATION_NAME);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let failed = 0;
    let deadlocks = 0;
    const errorCodes: Record<string, number> = {};
    try {
      await pipeline(Readable.from(payload), client.query(copyFrom(COPY_CALLS)));
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown';
      failed = 1;
      if (code === '40P01') deadlocks = 1;
      errorCodes[code] = 1;
    }
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const waits = await sampler.stop();
    await client.end().catch(() => {});
    const walAfter = await walCounters(watcher);
    const committed = failed ? 0 : rows;
    return {
      clients: 1,
      seconds: elapsed,
      statements: failed ? 0 : 1,
      rows: committed,
      tps: (failed ? 0 : 1) / elapsed,
      rowsPerSecond: committed / elapsed,
      failed,
      deadlocks,
      errorCodes,
      ...walPerRow(walBefore, walAfter, committed),
      clientCpuShare: (cpu.user + cpu.system) / 1000 / (elapsed * 1000),
      waits,
    };
  } finally {
    await client.end().catch(() => {});
    await watcher.end().catch(() => {});
  }
}
