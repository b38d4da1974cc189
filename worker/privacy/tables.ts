/**
 * What a business export holds: one JSON-lines file per table, in the order an
 * import loads them (parents before children), and the manifest that lists
 * them with row counts and SHA-256 checksums.
 *
 * Every table of the tenant is here except what must never leave the database
 * or is derived: password hashes (app_private.user_secrets), API key hashes
 * (app_private.api_key_secrets), provider credentials (encrypted secrets,
 * token hashes), the rollups and pending rollup deltas (rebuilt from the calls
 * by the triggers on import) and the login attempts (security log, by email).
 */

/** Version of the archive layout (bump when a file's meaning changes). */
export const ARCHIVE_FORMAT = 'switchboard-business-export';
export const ARCHIVE_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

export interface ExportTable {
  /** File stem (`tables/<name>.jsonl`) and the key in the manifest. */
  name: string;
  /** The table it is read from and written back into. */
  table: string;
  /** Selects `row` (jsonb) for tenant `$1`. */
  select: string;
  /** Loaded again by the importer (false: exported for the business to read, not restorable). */
  importable: boolean;
  /** Plain words for the manifest. */
  description: string;
}

const own = (table: string, alias: string, extra = ''): string =>
  `select to_jsonb(${alias})${extra} as row from ${table} ${alias} where ${alias}.user_id = $1`;

export const EXPORT_TABLES: readonly ExportTable[] = [
  {
    name: 'users',
    table: 'app_public.users',
    select: 'select to_jsonb(u) as row from app_public.users u where u.id = $1',
    importable: true,
    description: 'The account (no password hash: it never leaves the database).',
  },
  { name: 'agents', table: 'app_public.agents', select: own('app_public.agents', 'a'), importable: true, description: 'AI agents.' },
  { name: 'phone_numbers', table: 'app_public.phone_numbers', select: own('app_public.phone_numbers', 'p'), importable: true, description: 'Phone numbers.' },
  { name: 'contacts', table: 'app_public.contacts', select: own('app_public.contacts', 'c'), importable: true, description: 'Contacts.' },
  { name: 'calls', table: 'app_public.calls', select: own('app_public.calls', 'c'), importable: true, description: 'Calls (derived columns included for reading; recomputed on import).' },
  { name: 'transcripts', table: 'app_public.transcripts', select: own('app_public.transcripts', 't'), importable: true, description: 'Call transcripts.' },
  {
    name: 'lead_analytics',
    table: 'app_public.lead_analytics',
    select: own('app_public.lead_analytics', 'l'),
    importable: true,
    description: 'Lead analyses (individual per call, complete per phone number) and their notifications (smart_notification, is_read).',
  },
  {
    name: 'credit_transactions',
    table: 'app_public.credit_transactions',
    select: own('app_public.credit_transactions', 't'),
    importable: true,
    description: 'The credit ledger, posted balances included.',
  },
  { name: 'follow_ups', table: 'app_public.follow_ups', select: own('app_public.follow_ups', 'f'), importable: true, description: 'Follow-ups.' },
  { name: 'customers', table: 'app_public.customers', select: own('app_public.customers', 'c'), importable: true, description: 'Customers.' },
  {
    name: 'appointments',
    table: 'app_public.appointments',
    select: own('app_public.appointments', 'p'),
    // Not restored: an import re-creates the ones analyses booked (the analysis trigger), and the rest would collide with them.
    importable: false,
    description: 'Appointments booked by calls, the API or calendar tools, with their status.',
  },
  { name: 'agent_targets', table: 'app_public.agent_targets', select: own('app_public.agent_targets', 't'), importable: true, description: 'Agent targets.' },
  { name: 'usage_alerts', table: 'app_public.usage_alerts', select: own('app_public.usage_alerts', 'a'), importable: true, description: 'Usage alerts.' },
  {
    name: 'api_keys',
    table: 'app_public.api_keys',
    select: own('app_public.api_keys', 'k'),
    importable: false,
    description: 'API key metadata (name, prefix, scopes, dates); never the key or its hash, so keys cannot be restored.',
  },
  {
    name: 'retention',
    table: 'app_private.tenant_retention',
    select: own('app_private.tenant_retention', 'r'),
    importable: true,
    description: 'Retention chosen by the business per data type.',
  },
  {
    name: 'privacy_requests',
    table: 'app_public.privacy_requests',
    select: own('app_public.privacy_requests', 'r'),
    importable: false,
    description: 'Exports and erasures requested (erased numbers only as a keyed hash).',
  },
  {
    name: 'webhook_events',
    table: 'app_private.webhook_events',
    select: own('app_private.webhook_events', 'w', " - 'headers'"),
    importable: false,
    description: 'Raw provider deliveries still kept (payloads; request headers left out: they carry signatures).',
  },
  {
    name: 'analysis_versions',
    table: 'app_public.analysis_versions',
    select: own('app_public.analysis_versions', 'h'),
    importable: false,
    description: 'Every analysis ever recorded (score history, re-scoring results); the current ones are in lead_analytics, whose import records them again.',
  },
  {
    name: 'rescoring_runs',
    table: 'app_public.rescoring_runs',
    select: own('app_public.rescoring_runs', 'r'),
    importable: false,
    description: 'Re-scoring runs: range, status, progress and estimated cost.',
  },
  {
    name: 'purged_rollups',
    table: 'app_hidden.purged_rollups',
    select: own('app_hidden.purged_rollups', 'p'),
    importable: true,
    description: 'KPI contributions of calls that retention removed (the history the rollups keep).',
  },
  {
    name: 'credit_charges',
    table: 'app_hidden.credit_charges',
    select: own('app_hidden.credit_charges', 'c'),
    importable: true,
    description: 'Call charges not yet posted to the ledger.',
  },
  {
    name: 'customer_reference_counters',
    table: 'app_private.customer_reference_counters',
    select: own('app_private.customer_reference_counters', 'c'),
    importable: true,
    description: 'The last CUST-YYYY-NNNN number used per year.',
  },
];

export interface ManifestFile {
  name: string;
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
  importable: boolean;
  description: string;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  formatVersion: number;
  /** The last database migration applied where the archive was made. */
  schemaVersion: string | null;
  userId: string;
  exportedAt: string;
  files: ManifestFile[];
}

export function tablePath(name: string): string {
  return `tables/${name}.jsonl`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed manifest's shape (the archive comes from outside). */
export function parseManifest(value: unknown): Manifest {
  if (!isRecord(value) || value.format !== ARCHIVE_FORMAT) throw new Error('not a Switchboard business export (manifest format)');
  if (value.formatVersion !== ARCHIVE_FORMAT_VERSION) throw new Error(`unsupported export format version ${String(value.formatVersion)}`);
  if (typeof value.userId !== 'string' || typeof value.exportedAt !== 'string' || !Array.isArray(value.files)) {
    throw new Error('malformed manifest');
  }
  const files = value.files.map((file: unknown): ManifestFile => {
    if (
      !isRecord(file) ||
      typeof file.name !== 'string' ||
      typeof file.path !== 'string' ||
      typeof file.rows !== 'number' ||
      typeof file.bytes !== 'number' ||
      typeof file.sha256 !== 'string' ||
      typeof file.importable !== 'boolean'
    ) {
      throw new Error('malformed manifest file entry');
    }
    return {
      name: file.name,
      path: file.path,
      rows: file.rows,
      bytes: file.bytes,
      sha256: file.sha256,
      importable: file.importable,
      description: typeof file.description === 'string' ? file.description : '',
    };
  });
  return {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    schemaVersion: typeof value.schemaVersion === 'string' ? value.schemaVersion : null,
    userId: value.userId,
    exportedAt: value.exportedAt,
    files,
  };
}
