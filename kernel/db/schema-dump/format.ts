/** Text helpers for the schema dump: literals, comments, grants. */

export interface AclEntry {
  grantee: string;
  granteeOid: number;
  privilege: string;
  grantable: boolean;
  /** Set for column privileges. */
  column?: string;
}

/** A SQL string literal. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `comment on <target> is '...';`, or nothing without a comment. */
export function commentOn(target: string, comment: string | null | undefined): string[] {
  return comment == null ? [] : [`comment on ${target} is ${literal(comment)};`];
}

/** PostgreSQL's order of privileges (as `\dp` shows them). */
const PRIVILEGE_ORDER = ['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'maintain',
  'usage', 'create', 'execute', 'connect', 'temporary'];

function privilegeRank(privilege: string): number {
  const rank = PRIVILEGE_ORDER.indexOf(privilege);
  return rank < 0 ? PRIVILEGE_ORDER.length : rank;
}

/** Groups entries by (grantee, grant option), keeping first-seen order of the groups. */
function byGrantee(entries: AclEntry[]): Map<string, AclEntry[]> {
  const groups = new Map<string, AclEntry[]>();
  for (const entry of entries) {
    const key = `${entry.grantee}\u0000${entry.grantable ? 'g' : ''}`;
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  return groups;
}

/**
 * `grant <privileges> on <target> to <grantee>;` lines, one per grantee (and
 * grant option). Column entries become `select (a, b)`.
 */
export function grantLines(target: string, entries: AclEntry[] | null | undefined): string[] {
  if (!entries?.length) return [];
  const lines: string[] = [];
  for (const group of byGrantee(entries).values()) {
    const first = group[0];
    if (!first) continue;
    const columns = new Map<string, string[]>();
    for (const entry of group) {
      const list = columns.get(entry.privilege) ?? [];
      if (entry.column) list.push(entry.column);
      columns.set(entry.privilege, list);
    }
    const privileges = [...columns.entries()]
      .sort(([a], [b]) => privilegeRank(a) - privilegeRank(b))
      .map(([privilege, cols]) => (cols.length ? `${privilege} (${cols.join(', ')})` : privilege));
    lines.push(`grant ${privileges.join(', ')} on ${target} to ${first.grantee}${first.grantable ? ' with grant option' : ''};`);
  }
  return lines;
}

/** A section banner. */
export function banner(title: string): string {
  const rule = '-'.repeat(78);
  return `${rule}\n-- ${title}\n${rule}`;
}

/** A sub-heading inside a schema. */
export function heading(title: string): string {
  return `-- ${title} ${'-'.repeat(Math.max(3, 74 - title.length))}`;
}

/** Statement text ending in exactly one semicolon. */
export function statement(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed.endsWith(';') ? trimmed : `${trimmed};`;
}

/** `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table ...` (pg_get_indexdef): the schema-qualified index name. */
export function indexName(def: string): string {
  const match = /^CREATE (?:UNIQUE )?INDEX (\S+) ON (?:ONLY )?(\S+?)\./.exec(def);
  return match ? `${match[2]}.${match[1]}` : def;
}
