/**
 * Downloads the whole filtered call log as CSV (GET /exports/calls.csv, streamed
 * by the server) with the session's JWT, and hands it to the browser as a file.
 */
import { ApiError } from './client.ts';
import { readToken } from './token.ts';

export async function downloadCallLog(variables: object): Promise<void> {
  const token = readToken();
  const filter = Object.fromEntries(Object.entries(variables).filter(([, v]) => v !== null && v !== undefined));
  const response = await fetch(`/exports/calls.csv?filter=${encodeURIComponent(JSON.stringify(filter))}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) {
    let message = `The export failed (HTTP ${response.status}).`;
    let code = 'UNKNOWN';
    try {
      const body = (await response.json()) as { message?: unknown; error?: unknown };
      if (typeof body.message === 'string') message = body.message;
      if (typeof body.error === 'string') code = body.error.toUpperCase();
    } catch {
      // not JSON: keep the generic message
    }
    throw new ApiError(message, code);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'calls.csv';
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
