/**
 * Persisted (trusted) documents: the dashboard sends `{ documentId, variables }`
 * instead of its documents' text, as the GraphQL-over-HTTP persisted-documents
 * proposal describes (`documentId: "sha256:<hex of the document>"`). The server
 * knows the dashboard's documents (dashboard/src/api/documents.ts) and puts the
 * text back before grafserv validates the request; everything after that is
 * unchanged (limits, auth, RLS). Other clients may still send `query`.
 *
 * The dashboard reads its ids from dashboard/src/api/document-ids.ts, written by
 * `npm run documents:export`; tests/dashboard/documents.test.ts fails when that
 * file and the documents disagree.
 */
import { documentId, PERSISTED_DOCUMENTS } from './persisted-documents.ts';
import { SafeError } from './safe-error.ts';

export { documentId };

export const DOCUMENT_NOT_FOUND = 'PERSISTED_DOCUMENT_NOT_FOUND';
export const DOCUMENT_AMBIGUOUS = 'PERSISTED_DOCUMENT_AMBIGUOUS';

/** id -> text of every document the dashboard sends. */
export const TRUSTED_DOCUMENTS: ReadonlyMap<string, string> = new Map(PERSISTED_DOCUMENTS.map((document) => [document.id, document.text]));

export const TrustedDocumentsPlugin: GraphileConfig.Plugin = {
  name: 'SwitchboardTrustedDocumentsPlugin',
  description: "The dashboard's documents by id (persisted documents)",
  version: '1.0.0',
  grafserv: {
    middleware: {
      processGraphQLRequestBody(next, event) {
        const { body } = event;
        const id: unknown = body.documentId;
        if (id === undefined || id === null) return next();
        if (typeof body.query === 'string') {
          throw new SafeError('Give either query or documentId, not both.', { code: DOCUMENT_AMBIGUOUS, statusCode: 400 });
        }
        const text = typeof id === 'string' ? TRUSTED_DOCUMENTS.get(id) : undefined;
        if (text === undefined) {
          throw new SafeError(`Unknown documentId: send the document's text as query instead.`, { code: DOCUMENT_NOT_FOUND, statusCode: 400 });
        }
        body.query = text;
        return next();
      },
    },
  },
};
