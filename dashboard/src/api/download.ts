/**
 * Downloads a business export (GET /exports/<id>) with the session's JWT and
 * hands it to the browser as a file (a plain link cannot carry the token).
 */
import { ApiError } from './client.ts';
import { readToken } from './token.ts';

export async function downloadExport(id: string): Promise<void> {
  const token = readToken();
  const response = await fetch(`/exports/${encodeURIComponent(id)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    let message = `The download failed (HTTP ${response.status}).`;
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
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `switchboard-export-${id}.tar.gz`;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
