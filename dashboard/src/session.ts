/** What every signed-in page gets from the shell. */
export interface Session {
  tenantName: string;
  timeZone: string;
  isAdmin: boolean;
  agents: ReadonlyArray<{ id: string; name: string; isActive: boolean }>;
}
