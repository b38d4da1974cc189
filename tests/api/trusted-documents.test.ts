/**
 * Persisted (trusted) documents over real HTTP: the dashboard's documents by
 * `documentId` answer exactly as their text does; unknown ids and ambiguous
 * requests are refused by name; other clients keep sending text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_IDS } from '../../dashboard/src/api/document-ids.ts';
import { AGENT_OVERVIEW } from '../../dashboard/src/api/operations/agent-overview.ts';
import { OVERVIEW } from '../../dashboard/src/api/operations/overview.ts';
import { DOCUMENT_AMBIGUOUS, DOCUMENT_NOT_FOUND } from '../../server/graphql/trusted-documents.ts';
import { errorCodes, startApi, type ApiServer } from '../helpers/api.ts';
import { withClient } from '../helpers/db.ts';
import { seedTenant, type Tenant } from '../helpers/tenants.ts';

let api: ApiServer;
let tenant: Tenant;
let auth: Record<string, string>;

beforeAll(async () => {
  api = await startApi();
  await withClient(api.db.pool, async (client) => {
    tenant = await seedTenant(client, { tag: 1, name: 'Tenant A' });
  });
  auth = { authorization: `Bearer ${api.tokenFor(tenant.userId)}` };
});

afterAll(async () => {
  await api?.close();
});

const post = (body: Record<string, unknown>) => api.post(JSON.stringify(body), auth);

describe('persisted documents', () => {
  it('the overview and the agent page by id answer as their text does', async () => {
    const variables = { fromDate: '2026-01-01', toDate: '2026-01-31' };
    const byText = await post({ query: OVERVIEW.query, variables });
    const byId = await post({ documentId: DOCUMENT_IDS.Overview, variables, operationName: 'Overview' });
    expect(byText.status).toBe(200);
    expect(byId.status).toBe(200);
    expect(byId.body.errors).toBeUndefined();
    // everything but the server's clock
    const withoutClock = (data: unknown): unknown => JSON.parse(JSON.stringify(data).replace(/"serverTime":"[^"]*"/, '"serverTime":null'));
    expect(JSON.stringify(byId.body.data)).toContain('"summary"');
    expect(withoutClock(byId.body.data)).toEqual(withoutClock(byText.body.data));

    const agentVariables = { agentId: tenant.agentIds[0], fromDate: '2026-01-01', toDate: '2026-01-31' };
    const agentByText = await post({ query: AGENT_OVERVIEW.query, variables: agentVariables });
    const agentById = await post({ documentId: DOCUMENT_IDS.AgentPage, variables: agentVariables });
    expect(agentById.body.errors).toBeUndefined();
    expect(agentById.body.data).toEqual(agentByText.body.data);
  });

  it('refuses an unknown id, and an id sent with a query', async () => {
    const unknown = await post({ documentId: `sha256:${'0'.repeat(64)}`, variables: {} });
    expect(unknown.status).toBe(400);
    expect(errorCodes(unknown.body)).toEqual([DOCUMENT_NOT_FOUND]);
    const both = await post({ documentId: DOCUMENT_IDS.Overview, query: '{ currentUserId }' });
    expect(both.status).toBe(400);
    expect(errorCodes(both.body)).toEqual([DOCUMENT_AMBIGUOUS]);
    const notAString = await post({ documentId: 42 });
    expect(errorCodes(notAString.body)).toEqual([DOCUMENT_NOT_FOUND]);
  });

  it('keeps answering documents sent as text', async () => {
    const { status, body } = await api.graphql<{ currentUserId: string }>('{ currentUserId }', {}, api.tokenFor(tenant.userId));
    expect(status).toBe(200);
    expect(body.data?.currentUserId).toBe(tenant.userId);
  });
});
