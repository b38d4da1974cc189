/**
 * How the Express app serves the dashboard build: assets, the SPA fallback
 * for HTML navigations only (never API routes or JSON clients), nothing at
 * all without a build; and when `npm start` must rebuild.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDashboard } from '../../server/http/dashboard.ts';
import { dashboardBuildReason, ensureDashboardBuild } from '../../server/http/dashboard-build.ts';
import { installNotFound } from '../../server/http/errors.ts';
import { listen, type HttpServer } from '../../kernel/http/listen.ts';
import { createLogger } from '../../kernel/log.ts';

const INDEX = '<!doctype html><div id="root"></div>';
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
  }, 120_000);
});
