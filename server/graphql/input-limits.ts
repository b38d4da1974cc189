/**
 * Limits on argument values (filters, JSON inputs, mutation inputs), checked
 * per request before grafast plans the operation (see limits.ts):
 *
 * - depth: nesting of objects and lists in one argument (`{ a: { b: 1 } }` is
 *   2), a variable counted from where it sits in a literal (INPUT_TOO_DEEP);
 * - size: values (object fields, list items, scalars) in all arguments of the
 *   operation, a fragment's counted each time it is spread (INPUT_TOO_LARGE);
 * - relation filters (a connection filter's field that reads another table:
 *   `agent: {...}`, `calls: { some: {...} }`, `contactExists: true`):
 *   at most `maxFilterRelations` per operation for signed-in callers, none for
 *   anonymous ones (TOO_MANY_FILTER_RELATIONS / SIGN_IN_REQUIRED);
 * - no NUL character in any string or JSON key (PostgreSQL cannot store it):
 *   INVALID_CHARACTER.
 *
 * Each relation filter is a correlated subquery, and PostGraphile plans every
 * filter level in the request's (synchronous) planning step: without these
 * limits a few kilobytes of nested `agent.calls.some` blocked the event loop
 * for seconds and held a pool connection until the statement timeout.
 *
 * The literal part of a document (and where its variables sit) is measured once
 * per parsed document and operation; each request then walks only its variable
 * values, stopping as soon as a limit is passed, so the work is bounded by the
 * limits, not by the size of what was sent.
 */
import {
  GraphQLError,
  GraphQLInputObjectType,
  Kind,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  typeFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'postgraphile/graphql';

export const INPUT_TOO_DEEP = 'INPUT_TOO_DEEP';
export const INPUT_TOO_LARGE = 'INPUT_TOO_LARGE';
export const TOO_MANY_FILTER_RELATIONS = 'TOO_MANY_FILTER_RELATIONS';
export const SIGN_IN_REQUIRED = 'SIGN_IN_REQUIRED';
export const INVALID_CHARACTER = 'INVALID_CHARACTER';

export interface InputLimits {
  maxInputDepth: number;
  maxInputNodes: number;
  /** Relation filters per operation for signed-in callers (anonymous callers: none). */
  maxFilterRelations: number;
}

/** What was found; `depth` is the deepest argument, the rest are totals. */
interface Counts {
  depth: number;
  nodes: number;
  relations: number;
  nul: boolean;
}

const emptyCounts = (): Counts => ({ depth: 0, nodes: 0, relations: 0, nul: false });

/**
 * A variable used in the operation: its declared type, the deepest literal position it sits at, how
 * often it is used, and what its default value (a literal) counts if it has one.
 */
interface VariableUse {
  type: GraphQLInputType;
  offset: number;
  uses: number;
  defaultCounts: Counts | undefined;
}

interface Measured {
  counts: Counts;
  variables: Map<string, { offset: number; uses: number }>;
}

// ---------------------------------------------------------------------------
// Relation fields of connection-filter input types

const LOGICAL = new Set(['and', 'or', 'not']);

/** A table's filter type (`CallFilter`): the connection-filter plugin gives it `and`, `or` and `not` of itself. */
function isTableFilter(type: GraphQLNamedType): type is GraphQLInputObjectType {
  if (!isInputObjectType(type)) return false;
  const not = type.getFields().not;
  return not !== undefined && getNamedType(not.type) === type;
}

/** A to-many relation filter (`CallToManyLeadAnalyticFilter`): `some`/`every`/`none` of a table filter. */
function isToManyFilter(type: GraphQLNamedType): boolean {
  if (!isInputObjectType(type)) return false;
  const fields = type.getFields();
  return ['some', 'every', 'none'].some((name) => {
    const field = fields[name];
    return field !== undefined && isTableFilter(getNamedType(field.type));
  });
}

const relationFieldsBySchema = new WeakMap<GraphQLSchema, Map<GraphQLInputObjectType, ReadonlySet<string>>>();

/** The fields of an input type that filter on a relation (empty for anything but a table filter). */
function relationFields(schema: GraphQLSchema, type: GraphQLInputObjectType): ReadonlySet<string> {
  let bySchema = relationFieldsBySchema.get(schema);
  if (!bySchema) {
    bySchema = new Map();
    relationFieldsBySchema.set(schema, bySchema);
  }
  const known = bySchema.get(type);
  if (known) return known;
  const relations = new Set<string>();
  if (isTableFilter(type)) {
    const fields = type.getFields();
    for (const [name, field] of Object.entries(fields)) {
      if (LOGICAL.has(name)) continue;
      const named = getNamedType(field.type);
      if (isTableFilter(named) || isToManyFilter(named)) relations.add(name);
    }
    // `contactExists` / `creditTransactionsExist` test a relation too.
    for (const name of Object.keys(fields)) {
      const base = /^(.+?)Exists?$/.exec(name)?.[1];
      if (base !== undefined && relations.has(base)) relations.add(name);
    }
  }
  bySchema.set(type, relations);
  return relations;
}

// ---------------------------------------------------------------------------
// Walking values

interface Walker {
  schema: GraphQLSchema;
  limits: InputLimits;
  counts: Counts;
  /** Set once a limit is passed: the answer is known, stop walking. */
  done: boolean;
}

function over(walker: Walker): boolean {
  const { counts, limits } = walker;
  walker.done ||= counts.depth > limits.maxInputDepth || counts.nodes > limits.maxInputNodes || counts.nul;
  return walker.done;
}

/** The input type of a list's items or an object's field; undefined when unknown (a JSON scalar, a wrong field). */
function itemType(type: GraphQLInputType | undefined): GraphQLInputType | undefined {
  if (!type) return undefined;
  const nullable = getNullableType(type);
  return isListType(nullable) ? (nullable.ofType as GraphQLInputType) : undefined;
}

function objectType(type: GraphQLInputType | undefined): GraphQLInputObjectType | undefined {
  if (!type) return undefined;
  const nullable = getNullableType(type);
  return isInputObjectType(nullable) ? nullable : undefined;
}

function fieldEntered(walker: Walker, object: GraphQLInputObjectType | undefined, name: string): GraphQLInputType | undefined {
  if (!object) return undefined;
  if (relationFields(walker.schema, object).has(name)) walker.counts.relations += 1;
  return object.getFields()[name]?.type;
}

/** A plain (JSON) value: a variable's value, or a JSON scalar's content. */
function walkValue(walker: Walker, value: unknown, type: GraphQLInputType | undefined, depth: number): void {
  if (walker.done) return;
  walker.counts.nodes += 1;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) walker.counts.nul = true;
    over(walker);
    return;
  }
  if (typeof value !== 'object' || value === null) {
    over(walker);
    return;
  }
  const inner = depth + 1;
  if (inner > walker.counts.depth) walker.counts.depth = inner;
  if (over(walker)) return;
  if (Array.isArray(value)) {
    // (A list where an object is expected is refused by coercion; walking it as objects is harmless.)
    const element = itemType(type) ?? (objectType(type) ? type : undefined);
    for (const entry of value) {
      walkValue(walker, entry, element, inner);
      if (walker.done) return;
    }
    return;
  }
  const object = objectType(type);
  for (const [key, entry] of Object.entries(value)) {
    if (key.includes('\u0000')) walker.counts.nul = true;
    walkValue(walker, entry, fieldEntered(walker, object, key), inner);
    if (walker.done) return;
  }
}

/** A literal in the document; variables inside it are recorded with their position's depth. */
function walkLiteral(
  walker: Walker,
  variables: Map<string, { offset: number; uses: number }>,
  value: ValueNode,
  type: GraphQLInputType | undefined,
  depth: number,
): void {
  if (walker.done) return;
  switch (value.kind) {
    case Kind.VARIABLE: {
      const name = value.name.value;
      const known = variables.get(name);
      if (known) {
        known.uses += 1;
        known.offset = Math.max(known.offset, depth);
      } else variables.set(name, { offset: depth, uses: 1 });
      return;
    }
    case Kind.LIST:
    case Kind.OBJECT: {
      walker.counts.nodes += 1;
      const inner = depth + 1;
      if (inner > walker.counts.depth) walker.counts.depth = inner;
      if (over(walker)) return;
      if (value.kind === Kind.LIST) {
        const element = itemType(type) ?? (objectType(type) ? type : undefined);
        for (const entry of value.values) walkLiteral(walker, variables, entry, element, inner);
      } else {
        const object = objectType(type);
        for (const field of value.fields) {
          if (field.name.value.includes('\u0000')) walker.counts.nul = true;
          walkLiteral(walker, variables, field.value, fieldEntered(walker, object, field.name.value), inner);
        }
      }
      return;
    }
    case Kind.STRING:
      walker.counts.nodes += 1;
      if (value.value.includes('\u0000')) walker.counts.nul = true;
      over(walker);
      return;
    default:
      walker.counts.nodes += 1;
      over(walker);
  }
}

// ---------------------------------------------------------------------------
// Measuring a document's literals (once per document and operation)

function addInto(target: Measured, source: Measured): void {
  target.counts.depth = Math.max(target.counts.depth, source.counts.depth);
  target.counts.nodes += source.counts.nodes;
  target.counts.relations += source.counts.relations;
  target.counts.nul ||= source.counts.nul;
  for (const [name, use] of source.variables) {
    const known = target.variables.get(name);
    if (known) {
      known.uses += use.uses;
      known.offset = Math.max(known.offset, use.offset);
    } else target.variables.set(name, { ...use });
  }
}

interface DocumentWalk {
  schema: GraphQLSchema;
  limits: InputLimits;
  fragments: Map<string, FragmentDefinitionNode>;
  memo: Map<string, Measured>;
  inProgress: Set<string>;
}

function measureSelections(walk: DocumentWalk, selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): Measured {
  const result: Measured = { counts: emptyCounts(), variables: new Map() };
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[selection.name.value] : undefined;
      if (selection.arguments?.length) {
        for (const argument of selection.arguments) {
          const argType = field?.args.find((arg) => arg.name === argument.name.value)?.type;
          const walker: Walker = { schema: walk.schema, limits: walk.limits, counts: emptyCounts(), done: false };
          const variables = new Map<string, { offset: number; uses: number }>();
          walkLiteral(walker, variables, argument.value, argType, 0);
          addInto(result, { counts: walker.counts, variables });
        }
      }
      if (selection.selectionSet) {
        addInto(result, measureSelections(walk, selection.selectionSet, field ? getNamedType(field.type) : undefined));
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      addInto(result, measureSelections(walk, selection.selectionSet, condition ?? undefined));
    } else {
      addInto(result, measureFragment(walk, selection.name.value));
    }
  }
  return result;
}

function measureFragment(walk: DocumentWalk, name: string): Measured {
  const known = walk.memo.get(name);
  if (known) return known;
  const fragment = walk.fragments.get(name);
  if (!fragment || walk.inProgress.has(name)) return { counts: emptyCounts(), variables: new Map() };
  walk.inProgress.add(name);
  const measured = measureSelections(walk, fragment.selectionSet, walk.schema.getType(fragment.typeCondition.name.value) ?? undefined);
  walk.inProgress.delete(name);
  walk.memo.set(name, measured);
  return measured;
}

interface OperationInputs {
  schema: GraphQLSchema;
  literals: Counts;
  variables: Map<string, VariableUse>;
}

const measuredDocuments = new WeakMap<DocumentNode, Map<string, OperationInputs>>();

function operationInputs(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, limits: InputLimits): OperationInputs {
  const key = operation.name?.value ?? '';
  let byOperation = measuredDocuments.get(document);
  const known = byOperation?.get(key);
  if (known && known.schema === schema) return known;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walk: DocumentWalk = { schema, limits, fragments, memo: new Map(), inProgress: new Set() };
  const root = schema.getRootType(operation.operation) ?? undefined;
  const measured = measureSelections(walk, operation.selectionSet, root);
  // Variable defaults are literals too.
  const variables = new Map<string, VariableUse>();
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    const use = measured.variables.get(definition.variable.name.value);
    if (!type || !use) continue; // an unknown type or an unused variable: validation reports it
    let defaultCounts: Counts | undefined;
    if (definition.defaultValue) {
      const walker: Walker = { schema, limits, counts: emptyCounts(), done: false };
      walkLiteral(walker, new Map(), definition.defaultValue, type, use.offset);
      defaultCounts = { ...walker.counts, nodes: walker.counts.nodes * use.uses, relations: walker.counts.relations * use.uses };
    }
    variables.set(definition.variable.name.value, { type, offset: use.offset, uses: use.uses, defaultCounts });
  }
  const result: OperationInputs = { schema, literals: measured.counts, variables };
  byOperation ??= new Map();
  byOperation.set(key, result);
  measuredDocuments.set(document, byOperation);
  return result;
}

// ---------------------------------------------------------------------------
// Per request

export interface InputCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variableValues?: Readonly<Record<string, unknown>> | null;
  limits: InputLimits;
  anonymous: boolean;
}

function operationLabel(operation: OperationDefinitionNode): string {
  return operation.name ? `Operation '${operation.name.value}'` : 'The operation';
}

/** The input problems of the operation that will run (empty: fine). */
export function checkInputs({ schema, document, operation, variableValues, limits, anonymous }: InputCheck): GraphQLError[] {
  const inputs = operationInputs(schema, document, operation, limits);
  const counts: Counts = { ...inputs.literals };
  const walker: Walker = { schema, limits, counts, done: over({ schema, limits, counts, done: false }) };
  for (const [name, use] of inputs.variables) {
    if (walker.done) break;
    if (!variableValues || !Object.hasOwn(variableValues, name)) {
      if (use.defaultCounts) {
        counts.depth = Math.max(counts.depth, use.defaultCounts.depth);
        counts.nodes += use.defaultCounts.nodes;
        counts.relations += use.defaultCounts.relations;
        counts.nul ||= use.defaultCounts.nul;
        over(walker);
      }
      continue;
    }
    const value = variableValues[name];
    // Walked once, counted `uses` times (nodes and relations), from its deepest position.
    const before = { nodes: counts.nodes, relations: counts.relations };
    walkValue(walker, value, use.type, use.offset);
    counts.nodes = before.nodes + (counts.nodes - before.nodes) * use.uses;
    counts.relations = before.relations + (counts.relations - before.relations) * use.uses;
    over(walker);
  }
  const label = operationLabel(operation);
  const errors: GraphQLError[] = [];
  const refuse = (message: string, extensions: Record<string, unknown>): void => {
    errors.push(new GraphQLError(message, { nodes: [operation], extensions }));
  };
  if (counts.nul) {
    refuse('Text values cannot contain the NUL character (\\u0000).', { code: INVALID_CHARACTER });
  }
  if (counts.depth > limits.maxInputDepth) {
    refuse(`${label} has an argument value nested more than ${limits.maxInputDepth} levels deep; the limit is ${limits.maxInputDepth}.`, {
      code: INPUT_TOO_DEEP,
      limit: limits.maxInputDepth,
    });
  }
  if (counts.nodes > limits.maxInputNodes) {
    refuse(`${label} has more than ${limits.maxInputNodes} values in its arguments; the limit is ${limits.maxInputNodes}.`, {
      code: INPUT_TOO_LARGE,
      limit: limits.maxInputNodes,
    });
  }
  if (errors.length === 0 && counts.relations > 0) {
    if (anonymous) {
      refuse('Sign in to filter on related records.', { code: SIGN_IN_REQUIRED });
    } else if (counts.relations > limits.maxFilterRelations) {
      refuse(`${label} filters on ${counts.relations} relations; the limit is ${limits.maxFilterRelations}.`, {
        code: TOO_MANY_FILTER_RELATIONS,
        relations: counts.relations,
        limit: limits.maxFilterRelations,
      });
    }
  }
  return errors;
}
