/**
 * `npm run documents:export`: writes, from the dashboard's GraphQL documents
 * (dashboard/src/api/documents.ts),
 * - dashboard/src/api/persisted-documents.json, the manifest id -> text that
 *   the server loads at start-up (server/graphql/persisted-documents.ts), and
 * - dashboard/src/api/document-ids.ts, the ids (sha256 of the text) the
 *   dashboard sends instead of the text.
 * This build-time CLI is the only server code that imports dashboard source.
 */
import '../graphql/graphile-env.ts'; // first: sets GRAPHILE_ENV before grafast loads
import { writeFile } from 'node:fs/promises';
import { DOCUMENTS } from '../../dashboard/src/api/documents.ts';
import { DOCUMENT_IDS_FILE, documentIdsSource, PERSISTED_DOCUMENTS_FILE, persistedDocumentsSource } from '../graphql/document-ids-source.ts';

await writeFile(PERSISTED_DOCUMENTS_FILE, persistedDocumentsSource(DOCUMENTS));
await writeFile(DOCUMENT_IDS_FILE, documentIdsSource(DOCUMENTS));
console.log(`wrote ${PERSISTED_DOCUMENTS_FILE} and ${DOCUMENT_IDS_FILE} (${DOCUMENTS.length} documents)`);
