/**
 * Page-size rules for connection fields (those with a `first` argument, which
 * PostGraphile gives every connection):
 *
 * - `first` / `last` above `maxPageSize` are refused (PAGE_SIZE_TOO_LARGE);
 * - negative `first`, `last` or `offset` are refused (INVALID_PAGE_ARGUMENT;
 *   PostGraphile would fail on them with an unmapped internal error);
 * - a connection whose selection includes `nodes` or `edges` must say how many
 *   (`first` or `last`), as GitHub's API does (PAGE_SIZE_REQUIRED). Selections
 *   of only `totalCount`, `aggregates`, `groupedAggregates` or `pageInfo` read
 *   no rows into the response and need neither.
 *
 * Unlike depth and aliases this needs the variable values (`first: $n`), which
 * validation rules never see, so it runs per request, just before execution
 * (see limits.ts). Values are the raw JSON variables: a non-integer is left
 * for GraphQL's own coercion to reject.
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'postgraphile/graphql';

export const PAGE_SIZE_REQUIRED = 'PAGE_SIZE_REQUIRED';
export const PAGE_SIZE_TOO_LARGE = 'PAGE_SIZE_TOO_LARGE';
export const INVALID_PAGE_ARGUMENT = 'INVALID_PAGE_ARGUMENT';

const ROW_FIELDS = new Set(['nodes', 'edges']);
const PAGE_ARGS = ['first', 'last'] as const;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  /** Variable values, with the operation's defaults filled in. */
  variables: Record<string, unknown>;
  maxPageSize: number;
  errors: GraphQLError[];
  /** Fragments already checked (their checks do not depend on where they are spread). */
  checkedFragments: Set<string>;
  /** Connection fields seen. */
  connections: number;
}

export function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((operation) => operation.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** A literal's plain value (only what `first`/`last` can be: ints and null). */
function literal(value: ValueNode): unknown {
  if (value.kind === Kind.INT) return Number.parseInt(value.value, 10);
  if (value.kind === Kind.NULL) return null;
  return undefined;
}

function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const argument = field.arguments?.find((arg) => arg.name.value === name);
  if (!argument) return undefined;
  if (argument.value.kind === Kind.VARIABLE) return variables[argument.value.name.value];
  return literal(argument.value);
}

/** Whether `selectionSet` (through fragments) selects any of `names` directly. */
function selectsAny(walk: Walk, selectionSet: SelectionSetNode, names: Set<string>, seen = new Set<string>()): boolean {
  return selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return names.has(selection.name.value);
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsAny(walk, selection.selectionSet, names, seen);
    const name = selection.name.value;
    const fragment = walk.fragments.get(name);
    if (!fragment || seen.has(name)) return false;
    seen.add(name);
    return selectsAny(walk, fragment.selectionSet, names, seen);
  });
}

function fieldDefinition(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function checkConnection(walk: Walk, node: FieldNode): void {
  walk.connections += 1;
  const label = node.alias ? `${node.alias.value} (${node.name.value})` : node.name.value;
  let given = false;
  const offset = argumentValue(node, 'offset', walk.variables);
  if (typeof offset === 'number' && offset < 0) {
    walk.errors.push(
      new GraphQLError(`offset: ${offset} on '${label}' is negative; give 0 or more.`, {
        nodes: [node],
        extensions: { code: INVALID_PAGE_ARGUMENT, argument: 'offset' },
      }),
    );
  }
  for (const name of PAGE_ARGS) {
    const value = argumentValue(node, name, walk.variables);
    if (typeof value !== 'number') continue;
    given = true;
    if (value < 0) {
      walk.errors.push(
        new GraphQLError(`${name}: ${value} on '${label}' is negative; give a page size from 0 to ${walk.maxPageSize}.`, {
          nodes: [node],
          extensions: { code: INVALID_PAGE_ARGUMENT, argument: name, limit: walk.maxPageSize },
        }),
      );
    } else if (value > walk.maxPageSize) {
      walk.errors.push(
        new GraphQLError(`${name}: ${value} on '${label}' is above the maximum page size of ${walk.maxPageSize}.`, {
          nodes: [node],
          extensions: { code: PAGE_SIZE_TOO_LARGE, limit: walk.maxPageSize },
        }),
      );
    }
  }
  if (!given && node.selectionSet && selectsAny(walk, node.selectionSet, ROW_FIELDS)) {
    walk.errors.push(
      new GraphQLError(
        `'${label}' selects nodes or edges: give 'first' or 'last' (at most ${walk.maxPageSize}) to say how many rows you want.`,
        { nodes: [node], extensions: { code: PAGE_SIZE_REQUIRED, limit: walk.maxPageSize } },
      ),
    );
  }
}

function walkSelections(walk: Walk, selectionSet: SelectionSetNode, parent: GraphQLNamedType): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue; // introspection
      const field = fieldDefinition(parent, selection.name.value);
      if (!field) continue; // validation has reported it
      if (field.args.some((arg) => arg.name === 'first')) checkConnection(walk, selection);
      if (selection.selectionSet) walkSelections(walk, selection.selectionSet, getNamedType(field.type));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      if (condition) walkSelections(walk, selection.selectionSet, condition);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.checkedFragments.has(name)) continue;
      walk.checkedFragments.add(name); // before walking: also makes cycles safe
      const condition = walk.schema.getType(fragment.typeCondition.name.value);
      if (condition) walkSelections(walk, fragment.selectionSet, condition);
    }
  }
}

export interface PaginationCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Readonly<Record<string, unknown>> | null;
  maxPageSize: number;
}

/**
 * Operations found to select no connection at all, per parsed document
 * (grafserv reuses the parsed document of a repeated query, so the dashboard's
 * overview is walked once, not on every request).
 */
const withoutConnections = new WeakMap<DocumentNode, Map<string, GraphQLSchema>>();

/** The page-size problems of the operation that will run (empty: fine). */
export function checkPagination({ schema, document, operationName, variableValues, maxPageSize }: PaginationCheck): GraphQLError[] {
  const operation = selectOperation(document, operationName);
  if (!operation) return []; // grafast reports a missing or ambiguous operation
  const root = schema.getRootType(operation.operation);
  if (!root) return [];
  const known = withoutConnections.get(document);
  const key = operation.name?.value ?? '';
  if (known?.get(key) === schema) return [];
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variableValues && Object.hasOwn(variableValues, name)) variables[name] = variableValues[name];
    else if (definition.defaultValue) variables[name] = literal(definition.defaultValue);
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walk: Walk = { schema, fragments, variables, maxPageSize, errors: [], checkedFragments: new Set(), connections: 0 };
  walkSelections(walk, operation.selectionSet, root);
  if (walk.connections === 0) {
    // No connection field: the answer cannot depend on variables.
    const map = known ?? new Map<string, GraphQLSchema>();
    map.set(key, schema);
    withoutConnections.set(document, map);
  }
  return walk.errors;
}
