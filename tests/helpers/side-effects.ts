/**
 * Shared by the side-effect tests (tests/db/side-effects/*): one database per
 * test file, and a tenant with one agent.
 */
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { createAgent, createTenant, type CallInput, type TenantRow } from './fixtures.ts';

/** This test file's database (set by useSideEffectsDatabase's beforeAll). */
export let db: TestDatabase;

/** Creates the file's database before its tests and drops it after. */
export function useSideEffectsDatabase(): void {
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
}

/** A tenant with one agent, and a call input for it (2026-04-10 10:00 UTC unless given). */
export async function tenantWithAgent(credits = 0): Promise<{ tenant: TenantRow; agentId: string; call: (input?: Partial<CallInput>) => CallInput }> {
  const tenant = await createTenant(db.pool, { credits });
  const agentId = (await createAgent(db.pool, tenant.id)).id;
  return { tenant, agentId, call: (input = {}) => ({ userId: tenant.id, agentId, startedAt: '2026-04-10T10:00:00Z', ...input }) };
}
