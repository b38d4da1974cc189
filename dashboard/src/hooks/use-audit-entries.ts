/** One page of the audit trail (no polling: a log is read, not watched). */
import { AUDIT_ENTRIES, type AuditData, type AuditVariables } from '../api/operations/audit.ts';
import { useQuery, type QueryState } from './use-query.ts';

export function useAuditEntries(variables: AuditVariables): QueryState<AuditData> {
  return useQuery(AUDIT_ENTRIES, variables);
}
