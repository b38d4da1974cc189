/**
 * `npm run documents:export`: writes dashboard/src/api/document-ids.ts, the ids
 * (sha256 of the text) of the dashboard's GraphQL documents, which the
 * dashboard sends instead of the text (server/graphql/trusted-documents.ts).
 */
import '../graphql/graphile-env.ts'; // first: sets GRAPHILE_ENV before grafast loads
import { writeFile } from 'node:fs/promises';
import { DOCUMENTS } from '../../dashboard/src/api/documents.ts';
import { DOCUMENT_IDS_FILE, documentIdsSource } from '../graphql/document-ids-source.ts';

await writeFile(DOCUMENT_IDS_FILE, documentIdsSource(DOCUMENTS));
console.log(`wrote ${DOCUMENT_IDS_FILE} (${DOCUMENTS.length} documents)`);
