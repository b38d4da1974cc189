/** What every signed-in page gets from the shell. */

/**
 * The signed-in login's role in its business. PostgreSQL enforces it (grants,
 * RLS, read-only transactions); the dashboard only uses it to hide controls the
 * API would refuse.
 */
export type MemberRole = 'owner' | 'manager' | 'viewer';

export interface Session {
  tenantName: string;
  timeZone: string;
  isAdmin: boolean;
  role: MemberRole;
  agents: ReadonlyArray<{ id: string; name: string; isActive: boolean }>;
}

/** Managers and owners change data; viewers only read. */
export function canWrite(session: Pick<Session, 'role'>): boolean {
  return session.role !== 'viewer';
}

/** Only owners manage members, API keys and provider secrets. */
export function isOwner(session: Pick<Session, 'role'>): boolean {
  return session.role === 'owner';
}
