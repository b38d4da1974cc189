/**
 * The dashboard's GraphQL client: its own documents go by persisted-document id,
 * and a server that does not know the id gets the text once instead.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { request, requestDocument } from '../../../dashboard/src/api/client.ts';
import { DOCUMENT_IDS } from '../../../dashboard/src/api/document-ids.ts';
import { OVERVIEW } from '../../../dashboard/src/api/operations/overview.ts';
import { typedDocument } from '../../../dashboard/src/api/scalars.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

function answer(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('dashboard GraphQL client', () => {
  it('sends its own documents by id and any other by text', () => {
    expect(requestDocument(OVERVIEW)).toEqual({ documentId: DOCUMENT_IDS.Overview });
    const adHoc = typedDocument<{ currentUserId: string }, Record<string, never>>('AdHoc', 'query AdHoc { currentUserId }');
    expect(requestDocument(adHoc)).toEqual({ query: 'query AdHoc { currentUserId }' });
  });

  it('falls back to the text once when the server does not know the id', async () => {
    const bodies: unknown[] = [];
    const fetchMock = vi.fn(async (_url: string, init: { body: string }) => {
      bodies.push(JSON.parse(init.body));
      return bodies.length === 1
        ? answer({ errors: [{ message: 'Unknown documentId', extensions: { code: 'PERSISTED_DOCUMENT_NOT_FOUND' } }] }, 400)
        : answer({ data: { dashboardOverview: null } });
    });
    vi.stubGlobal('fetch', fetchMock);
    await expect(request(OVERVIEW, { fromDate: null, toDate: null, agentId: null })).resolves.toEqual({ dashboardOverview: null });
    expect(bodies).toEqual([
      { documentId: DOCUMENT_IDS.Overview, variables: { fromDate: null, toDate: null, agentId: null }, operationName: 'Overview' },
      { query: OVERVIEW.query, variables: { fromDate: null, toDate: null, agentId: null }, operationName: 'Overview' },
    ]);
  });

  it('does not retry other errors', async () => {
    const fetchMock = vi.fn(async () => answer({ errors: [{ message: 'slow', extensions: { code: 'STATEMENT_TIMEOUT' } }] }, 503));
    vi.stubGlobal('fetch', fetchMock);
    await expect(request(OVERVIEW, { fromDate: null, toDate: null, agentId: null })).rejects.toMatchObject({ code: 'STATEMENT_TIMEOUT' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
