/** What every section of the insights page receives: the page's range and agent filter. */
import type { Session } from '../../session.ts';

export interface InsightsSectionProps {
  session: Session;
  /** Tenant-local first and last day of the range (inclusive), as YYYY-MM-DD. */
  fromDate: string;
  toDate: string;
  /** One agent, or null for the whole business. */
  agentId: string | null;
}
