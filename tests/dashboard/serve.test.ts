/**
 * How the Express app serves the dashboard build: assets, the SPA fallback
 * for HTML navigations only (never API routes or JSON clients), nothing at
 * all without a build; and when `npm start` must rebuild.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDashboard } from '../../server/http/dashboard.ts';
import { dashboardBuildReason, ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { installNotFound } from '../../server/http/errors.ts';
import { listen, type HttpServer } from '../../kernel/http/listen.ts';
import { createLogger } from '../../kernel/log.ts';

const INDEX = '<!doctype html><div id="root"></div>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;
let dir: string;
let built: HttpServer;
let unbuilt: HttpServer;

async function serve(distDir: string): Promise<{ server: HttpServer; installed: boolean }> {
  const app = express();
  app.get('/graphql', (_req, res) => {
    res.json({ errors: [{ message: 'GET not supported' }] });
  });
  const installed = installDashboard(app, createLogger('test:dashboard'), { distDir });
  installNotFound(app);
  return { server: await listen(app, { host: '127.0.0.1', port: 0 }), installed };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-dist-'));
  await mkdir(path.join(dir, 'dist/assets'), { recursive: true });
  await writeFile(path.join(dir, 'dist/index.html'), INDEX);
  await writeFile(path.join(dir, 'dist/assets/app-abc123.js'), 'console.log(1)');
  // what the build writes: brotli and gzip copies beside the originals
  await writeFile(path.join(dir, 'dist/index.html.br'), brotliCompressSync(INDEX));
  await writeFile(path.join(dir, 'dist/index.html.gz'), gzipSync(INDEX));
  await writeFile(path.join(dir, 'dist/assets/big-def456.js'), SCRIPT);
  await writeFile(path.join(dir, 'dist/assets/big-def456.js.br'), brotliCompressSync(SCRIPT));
  await writeFile(path.join(dir, 'dist/assets/big-def456.js.gz'), gzipSync(SCRIPT));
  const withBuild = await serve(path.join(dir, 'dist'));
  expect(withBuild.installed).toBe(true);
  built = withBuild.server;
  const withoutBuild = await serve(path.join(dir, 'missing'));
  expect(withoutBuild.installed).toBe(false);
  unbuilt = withoutBuild.server;
});

afterAll(async () => {
  await built?.close();
  await unbuilt?.close();
  await rm(dir, { recursive: true, force: true });
});

const html = { accept: 'text/html,application/xhtml+xml' };

describe('serving dashboard/dist', () => {
  it('answers HTML navigations (deep links too) with index.html, not cached', async () => {
    for (const route of ['/', '/agents/0193-abc', '/admin?range=7']) {
      const response = await fetch(`${built.url}${route}`, { headers: html });
      expect({ route, status: response.status }).toEqual({ route, status: 200 });
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(INDEX);
    }
  });

  it('serves hashed assets with long caching, and 404s missing ones as JSON', async () => {
    const asset = await fetch(`${built.url}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const missing = await fetch(`${built.url}/assets/nope.js`, { headers: html });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('leaves API routes and non-HTML clients alone', async () => {
    const graphql = await fetch(`${built.url}/graphql`, { headers: html });
    expect(await graphql.json()).toMatchObject({ errors: [{ message: 'GET not supported' }] });
    for (const route of ['/webhooks/bolna/x', '/healthz-nope', '/anything']) {
      const response = await fetch(`${built.url}${route}`, { headers: { accept: 'application/json' } });
      expect({ route, status: response.status }).toEqual({ route, status: 404 });
    }
    const post = await fetch(`${built.url}/`, { method: 'POST', headers: html });
    expect(post.status).toBe(404);
  });

  it('sends the security headers with the page and its assets: CSP, no framing, nosniff, no referrer', async () => {
    for (const route of ['/', '/agents/0193-abc', '/assets/app-abc123.js']) {
      const response = await fetch(`${built.url}${route}`, { headers: html });
      expect({ route, status: response.status }).toEqual({ route, status: 200 });
      const csp = response.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
        expect({ route, directive, present: csp.split(';').includes(directive) }).toEqual({ route, directive, present: true });
      }
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
    // API answers are not the dashboard's: untouched here.
    const graphql = await fetch(`${built.url}/graphql`, { headers: html });
    expect(graphql.headers.get('content-security-policy')).toBeNull();
  });

  it('without a build, mounts nothing', async () => {
    const response = await fetch(`${unbuilt.url}/`, { headers: html });
    expect(response.status).toBe(404);
  });
});

/** A raw GET (fetch would decompress and hide the encoding): status, headers and the bytes on the wire. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const DECODE: Record<string, (bytes: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync, identity: (bytes) => bytes };

describe('compressed transfer', () => {
  const cases = [
    { acceptEncoding: 'gzip, deflate, br, zstd', encoding: 'br' },
    { acceptEncoding: 'br', encoding: 'br' },
    { acceptEncoding: 'gzip', encoding: 'gzip' },
    { acceptEncoding: 'gzip, br;q=0', encoding: 'gzip' },
    { acceptEncoding: 'deflate', encoding: 'identity' },
    { acceptEncoding: 'identity', encoding: 'identity' },
    { acceptEncoding: '', encoding: 'identity' },
  ];

  it('serves the pre-compressed copy the client accepts, with Content-Encoding, the original type and Vary', async () => {
    for (const { acceptEncoding, encoding } of cases) {
      const response = await rawGet(`${built.url}/assets/big-def456.js`, acceptEncoding ? { 'accept-encoding': acceptEncoding } : {});
      const seen = {
        acceptEncoding,
        status: response.status,
        encoding: response.headers['content-encoding'] ?? 'identity',
        type: String(response.headers['content-type']).toLowerCase(),
        vary: response.headers.vary,
        immutable: String(response.headers['cache-control']).includes('immutable'),
        length: Number(response.headers['content-length']),
      };
      expect(seen).toEqual({ acceptEncoding, status: 200, encoding, type: 'text/javascript; charset=utf-8', vary: 'Accept-Encoding', immutable: true, length: response.body.length });
      const decode = DECODE[encoding];
      if (!decode) throw new Error(`no decoder for ${encoding}`);
      expect(decode(response.body).toString('utf8')).toBe(SCRIPT);
      if (encoding !== 'identity') expect(response.body.length).toBeLessThan(SCRIPT.length / 4);
    }
  });

  it('negotiates index.html the same way, never cached without revalidation', async () => {
    for (const { acceptEncoding, encoding } of cases) {
      for (const route of ['/', '/calls?range=7']) {
        const response = await rawGet(`${built.url}${route}`, { accept: 'text/html', ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) });
        expect({ route, acceptEncoding, status: response.status, encoding: response.headers['content-encoding'] ?? 'identity', cache: response.headers['cache-control'], vary: response.headers.vary }).toEqual({
          route,
          acceptEncoding,
          status: 200,
          encoding,
          cache: 'no-cache',
          vary: 'Accept-Encoding',
        });
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        const decode = DECODE[encoding];
        if (!decode) throw new Error(`no decoder for ${encoding}`);
        expect(decode(response.body).toString('utf8')).toBe(INDEX);
      }
    }
  });

  it('sends an asset without copies as it is', async () => {
    const response = await rawGet(`${built.url}/assets/app-abc123.js`, { 'accept-encoding': 'br, gzip' });
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body.toString('utf8')).toBe('console.log(1)');
  });
});

describe('when npm start rebuilds', () => {
  it('needs a build when there is none, and when a source is newer than the build', async () => {
    expect(dashboardBuildReason(path.join(dir, 'missing'))).toBe('no build yet');
    const index = path.join(dir, 'dist/index.html');
    await utimes(index, new Date(0), new Date(0)); // older than every source
    expect(dashboardBuildReason(path.join(dir, 'dist'))).toMatch(/changed since the last build/);
    const future = new Date(Date.now() + 3_600_000);
    await utimes(index, future, future);
    expect(dashboardBuildReason(path.join(dir, 'dist'))).toBeNull();
  });

  it('builds for production even under vitest (NODE_ENV=test), and leaves NODE_ENV as it was', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    const out = path.join(dir, 'prod-build');
    const result = await ensureDashboardBuild({ distDir: out });
    expect(result).toEqual({ built: true, reason: 'no build yet' });
    expect(process.env.NODE_ENV).toBe('test');
    const scripts = (await readdir(path.join(out, 'assets'))).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(1);
    // React's development JSX runtime (jsxDEV) is in every chunk of a development build.
    for (const name of scripts) expect({ name, dev: (await readFile(path.join(out, 'assets', name), 'utf8')).includes('jsxDEV') }).toEqual({ name, dev: false });
    // every text asset has its brotli and gzip copy, each decompressing to the original
    const files = await readdir(path.join(out, 'assets'));
    const texts = files.filter((name) => /\.(js|css)$/.test(name));
    for (const name of [...texts.map((t) => `assets/${t}`), 'index.html']) {
      const original = await readFile(path.join(out, name));
      expect({ name, br: brotliDecompressSync(await readFile(path.join(out, `${name}.br`))).equals(original) }).toEqual({ name, br: true });
      expect({ name, gz: gunzipSync(await readFile(path.join(out, `${name}.gz`))).equals(original) }).toEqual({ name, gz: true });
    }
  }, 120_000);
});
