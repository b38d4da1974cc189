/**
 * Which GraphQL operation a /graphql request ran, for its log line and its
 * metrics label. Read from the request body that server/graphql/body-limit.ts
 * already holds in memory (size-capped) once the response is done, so nothing
 * in the GraphQL path changes: `operationName`, else the persisted document's
 * name (`documentId`), else the first named operation of the `query` text.
 *
 * The metrics label is bounded: the dashboard's operation names
 * (the persisted-documents manifest, server/graphql/persisted-documents.ts), `other` for any other name, `anonymous`
 * when there is none.
 */
import type { Request } from 'express';
import { PERSISTED_DOCUMENTS } from '../graphql/persisted-documents.ts';

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const DOCUMENT_ID = /^sha256:[0-9a-f]{64}$/;
const FIRST_OPERATION = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

const KNOWN_NAMES: ReadonlySet<string> = new Set(PERSISTED_DOCUMENTS.map((document) => document.name));
const NAME_BY_ID: ReadonlyMap<string, string> = new Map(PERSISTED_DOCUMENTS.map((document) => [document.id, document.name]));

export interface GraphqlOperation {
  /** The operation's name as sent (a valid GraphQL name), if any. */
  name?: string;
  /** The persisted document's id, if the request sent one. */
  documentId?: string;
  /** Bounded label for metrics. */
  label: string;
}

function fieldsOf(req: Request): Record<string, unknown> | undefined {
  if (req.method === 'GET') return typeof req.query === 'object' && req.query !== null ? (req.query as Record<string, unknown>) : undefined;
  const body: unknown = req.body;
  let parsed: unknown = body;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    if (body.length === 0) return undefined;
    try {
      parsed = JSON.parse(body.toString());
    } catch {
      return undefined;
    }
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

export function graphqlOperation(req: Request): GraphqlOperation {
  const fields = fieldsOf(req);
  if (!fields) return { label: 'anonymous' };
  const documentId = typeof fields.documentId === 'string' && DOCUMENT_ID.test(fields.documentId) ? fields.documentId : undefined;
  let name = typeof fields.operationName === 'string' && NAME.test(fields.operationName) ? fields.operationName : undefined;
  if (!name && documentId) name = NAME_BY_ID.get(documentId);
  if (!name && typeof fields.query === 'string') name = FIRST_OPERATION.exec(fields.query.slice(0, 2_000))?.[1];
  const label = name === undefined ? 'anonymous' : KNOWN_NAMES.has(name) ? name : 'other';
  return { ...(name !== undefined ? { name } : {}), ...(documentId !== undefined ? { documentId } : {}), label };
}
