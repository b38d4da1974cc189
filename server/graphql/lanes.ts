/**
 * Two lanes for GraphQL reads, so that sums over many calls never make a page wait.
 *
 * A call-log page reads one page of rows (a few ms); its totals sum every call of the
 * filtered set (O(calls in the range)). The dashboard asks for both at once; with one
 * pool and FIFO waiting, every page queued behind the totals of other users' filters.
 * Requests that ask for such sums run on the *background* pool (small: they may wait
 * among themselves), everything else on the *interactive* pool, which they can never
 * fill. The lane travels in the request's settings as `switchboard.lane`, which the pg
 * adaptor (pg-adaptor.ts) reads to pick the pool; PostgreSQL sees it as a harmless
 * custom setting.
 */
import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export type Lane = 'interactive' | 'background';

/** The setting that carries the lane to the pg adaptor. */
export const LANE_SETTING = 'switchboard.lane';

/**
 * Root query fields whose named sub-field sums a whole filtered set: asking for that
 * sub-field puts the request in the background lane.
 */
const BACKGROUND_SELECTIONS: Readonly<Record<string, string>> = {
  callLog: 'totals',
};

function fieldsOf(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...fieldsOf(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...fieldsOf(fragment.selectionSet, fragments, seen));
    }
  }
  return fields;
}

/** The lane of the operation `operationName` (or the document's only operation). */
export function laneOf(document: DocumentNode | undefined, operationName?: string | null): Lane {
  if (!document) return 'interactive';
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== 'query') return 'interactive';
  for (const field of fieldsOf(operation.selectionSet, fragments)) {
    const heavy = BACKGROUND_SELECTIONS[field.name.value];
    // `withTotals: false` written in the document turns the sums off (a variable is not looked at)
    const off = field.arguments?.some((a) => a.name.value === 'withTotals' && a.value.kind === Kind.BOOLEAN && !a.value.value);
    if (heavy && !off && field.selectionSet && fieldsOf(field.selectionSet, fragments).some((sub) => sub.name.value === heavy)) {
      return 'background';
    }
  }
  return 'interactive';
}
