/**
 * The persisted-documents manifest, dashboard/src/api/persisted-documents.json:
 * `{ "sha256:<hex>": "<document text>" }` for every GraphQL document the
 * dashboard sends, written by `npm run documents:export` (with
 * dashboard/src/api/document-ids.ts, the dashboard's name -> id table) and
 * checked against the documents by tests/dashboard/documents.test.ts.
 *
 * The server reads the manifest once at start-up, so it needs no dashboard
 * source to know the documents (server/graphql/trusted-documents.ts,
 * server/observability/graphql-operation.ts).
 */
import { readFileSync } from 'node:fs';
import { parsePersistedDocuments, PERSISTED_DOCUMENTS_FILE, type PersistedDocument } from './document-ids-source.ts';

export { documentId } from './document-ids-source.ts';

/** Every document the dashboard sends, read from the manifest at start-up. */
export const PERSISTED_DOCUMENTS: readonly PersistedDocument[] = parsePersistedDocuments(readFileSync(PERSISTED_DOCUMENTS_FILE, 'utf8'));
