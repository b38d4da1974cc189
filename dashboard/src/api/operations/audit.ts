/** The audit trail, newest first, one page at a time (auditEntries; RLS: the tenant's own, an admin's all). */
import type { AuditEntriesQuery, AuditEntriesQueryVariables } from '../generated/graphql.ts';
import { typedDocument, type BigIntString, type DatetimeString, type Uuid } from '../scalars.ts';

/** Entries per page of the audit log page. */
export const AUDIT_PAGE_SIZE = 25;

/** Column -> value, as the database stored it (secrets arrive as "[redacted]"). */
export type AuditValues = Record<string, unknown>;

export interface AuditEntryRow {
  rowId: BigIntString;
  createdAt: DatetimeString;
  userId: Uuid | null;
  actor: string | null;
  actorId: Uuid | null;
  ipAddress: string | null;
  userAgent: string | null;
  action: string | null;
  tableName: string | null;
  recordId: string | null;
  oldValues: AuditValues | null;
  newValues: AuditValues | null;
  details: AuditValues | null;
}

export type AuditData = AuditEntriesQuery;

export type AuditVariables = AuditEntriesQueryVariables;

export const AUDIT_ENTRIES = typedDocument<AuditData, AuditVariables>(
  'AuditEntries',
  /* GraphQL */ `
  query AuditEntries($first: Int!, $offset: Int!, $action: String, $tableName: String) {
    auditEntries(first: $first, offset: $offset, action: $action, tableName: $tableName) {
      totalCount
      nodes { rowId createdAt userId actor actorId ipAddress userAgent action tableName recordId oldValues newValues details }
    }
  }
`,
);
