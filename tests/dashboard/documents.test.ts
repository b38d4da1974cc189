/**
 * Every GraphQL document the dashboard sends is valid against the committed
 * schema (server/graphql/schema.graphql), so a schema change that breaks the
 * dashboard fails the suite. The hand-written result types are checked in the
 * browser test against real answers.
 */
import { readFile } from 'node:fs/promises';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_IDS } from '../../dashboard/src/api/document-ids.ts';
import { DOCUMENTS } from '../../dashboard/src/api/documents.ts';
import {
  DOCUMENT_IDS_FILE,
  documentIdsSource,
  parsePersistedDocuments,
  PERSISTED_DOCUMENTS_FILE,
  persistedDocumentsSource,
} from '../../server/graphql/document-ids-source.ts';
import { PERSISTED_DOCUMENTS } from '../../server/graphql/persisted-documents.ts';
import { documentId, TRUSTED_DOCUMENTS } from '../../server/graphql/trusted-documents.ts';

let schema: GraphQLSchema;

beforeAll(async () => {
  schema = buildSchema(await readFile(new URL('../../server/graphql/schema.graphql', import.meta.url), 'utf8'));
});

describe('dashboard GraphQL documents', () => {
  it('has unique operation names', () => {
    const names = DOCUMENTS.map((document) => document.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(DOCUMENTS.map((document) => [document.name, document] as const))('%s is valid against schema.graphql', (name, document) => {
    const ast = parse(document.query);
    const operations = ast.definitions.filter((definition) => definition.kind === 'OperationDefinition');
    expect(operations.map((operation) => operation.name?.value)).toEqual([name]);
    expect(validate(schema, ast).map((error) => error.message)).toEqual([]);
  });

  it('rejects a document that drifts from the schema (the check can fail)', () => {
    const ast = parse('query Drift { dashboardOverview { summary { current { noSuchField } } } }');
    expect(validate(schema, ast).length).toBeGreaterThan(0);
  });

  it('document-ids.ts is current (run `npm run documents:export` after changing a document)', async () => {
    expect(await readFile(DOCUMENT_IDS_FILE, 'utf8')).toBe(documentIdsSource(DOCUMENTS));
    for (const document of DOCUMENTS) {
      expect(DOCUMENT_IDS[document.name]).toBe(documentId(document.query));
      expect(TRUSTED_DOCUMENTS.get(documentId(document.query))).toBe(document.query);
    }
    // the check can fail: a changed document gets another id
    expect(documentIdsSource([{ name: 'Overview', query: `${DOCUMENTS[0].query} ` }])).not.toContain(DOCUMENT_IDS.Overview);
  });

  it('persisted-documents.json, the manifest the server loads, is current (run `npm run documents:export`)', async () => {
    expect(await readFile(PERSISTED_DOCUMENTS_FILE, 'utf8')).toBe(persistedDocumentsSource(DOCUMENTS));
    expect(PERSISTED_DOCUMENTS.map(({ id, name, text }) => ({ id, name, text })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      DOCUMENTS.map((document) => ({ id: documentId(document.query), name: document.name, text: document.query })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    // the check can fail: a drifted text no longer matches, and a tampered manifest is refused at load
    expect(persistedDocumentsSource([{ name: 'Overview', query: `${DOCUMENTS[0].query} ` }])).not.toBe(persistedDocumentsSource([DOCUMENTS[0]]));
    expect(() => parsePersistedDocuments(JSON.stringify({ [documentId(DOCUMENTS[0].query)]: `${DOCUMENTS[0].query} ` }))).toThrow(/does not match/);
  });
});
