/**
 * Starts an HTTP server for an Express app and closes it gracefully.
 *
 * Timeouts (so slow clients cannot hold connections; see README > Configuration):
 * `headersTimeoutMs` for the request line and headers and `requestTimeoutMs`
 * for the whole request are Node's own (it answers a bare 408 and closes the
 * socket). Node checks them every `connectionsCheckingInterval`, here a quarter
 * of the shorter one (at most Node's default 30 s), so they fire close to time.
 * The body readers of /graphql and /webhooks add their own, shorter, body
 * timeout with a coded 408 (server/http/body-guard.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface HttpServer {
  server: http.Server;
  port: number;
  url: string;
  /** Stops accepting connections, closes idle keep-alive ones, cuts the rest after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

export interface HttpTimeouts {
  /** HTTP_HEADERS_TIMEOUT_MS */
  headersTimeoutMs: number;
  /** HTTP_REQUEST_TIMEOUT_MS (at least headersTimeoutMs) */
  requestTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersTimeoutMs: 15_000, requestTimeoutMs: 30_000 };

export async function listen(
  app: Express,
  { host, port, timeouts = DEFAULT_HTTP_TIMEOUTS }: { host: string; port: number; timeouts?: HttpTimeouts },
): Promise<HttpServer> {
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(30_000, Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4))),
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** The server timeouts of a Config. */
export function httpTimeouts(config: { httpHeadersTimeoutMs: number; httpRequestTimeoutMs: number }): HttpTimeouts {
  return { headersTimeoutMs: config.httpHeadersTimeoutMs, requestTimeoutMs: config.httpRequestTimeoutMs };
}
