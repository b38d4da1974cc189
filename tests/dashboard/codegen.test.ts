/**
 * dashboard/src/api/generated/graphql.ts (the dashboard's result and variables
 * types, by graphql-codegen) is what `npm run codegen` would write now from
 * schema.graphql and the documents: the test regenerates it in memory.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS } from '../../dashboard/src/api/documents.ts';
import { dashboardTypesSource, GENERATED_TYPES_FILE } from '../../server/graphql/dashboard-types.ts';

describe('generated dashboard types', () => {
  it('generated/graphql.ts is current (run `npm run codegen` after changing the schema or a document)', async () => {
    expect(await readFile(GENERATED_TYPES_FILE, 'utf8')).toBe(await dashboardTypesSource(DOCUMENTS));
  });

  it('a changed document changes the generated types (the check can fail)', async () => {
    const [session] = DOCUMENTS.filter((document) => document.name === 'Session');
    if (!session) throw new Error('no Session document');
    const changed = await dashboardTypesSource([{ name: 'Session', query: session.query.replace('isActive', 'isActive provider') }]);
    expect(changed).toMatch(/export type SessionQuery = .*provider: string/);
    expect(await readFile(GENERATED_TYPES_FILE, 'utf8')).not.toContain(changed.split('\n').find((line) => line.startsWith('export type SessionQuery =')));
  });
});
