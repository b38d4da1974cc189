/**
 * GraphQL validation rules for query cost that only need the document:
 * maximum depth and maximum aliases per operation. They run inside grafserv's
 * parse-and-validate step, whose results are cached per document text, so a
 * repeated query costs nothing here.
 *
 * Fragments are followed (a fragment's depth / alias count is computed once and
 * memoised, so even a fragment spread many times costs linear time) and cycles
 * are ignored here (the standard NoFragmentCyclesRule reports them).
 *
 * Introspection (`__schema`, `__type`) is left out of the depth limit (GraphiQL's
 * introspection query is 15 levels deep) and has its own rule instead: one
 * `__schema` per operation, at most 20 levels, and at most 2 list fields
 * (`types`, `fields`, `inputFields`, ...) on any path, which is what the
 * standard introspection query needs; `types { fields { type { fields { ... } } } }`
 * would otherwise multiply the answer by the schema's size at each level.
 * Aliases count everywhere, introspection included: 200 aliased `__schema`
 * selections were 173 MB of answer.
 */
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'postgraphile/graphql';

export const QUERY_TOO_DEEP = 'QUERY_TOO_DEEP';
export const TOO_MANY_ALIASES = 'TOO_MANY_ALIASES';
export const INTROSPECTION_TOO_LARGE = 'INTROSPECTION_TOO_LARGE';

/** Deepest introspection selection (the standard introspection query is 15). */
export const INTROSPECTION_MAX_DEPTH = 20;
/**
 * Lists of types or their members on one introspection path: the standard query has
 * `__schema.types.fields` (then `args`, which only leads on through `type`, so it multiplies
 * nothing by itself and is not counted).
 */
export const INTROSPECTION_MAX_LISTS = 2;
const INTROSPECTION_LISTS = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'directives']);
/** The introspection entry points (`__typename` is harmless and answered everywhere). */
export const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

type Measure = (selectionSet: SelectionSetNode) => number;

/**
 * A measure over selection sets where a fragment spread counts as its
 * fragment's measure (memoised; a spread inside its own fragment counts 0).
 */
function makeMeasure(
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  combine: 'max' | 'sum',
  fieldValue: (alias: boolean, child: number, hasChild: boolean) => number,
  countIntrospection = false,
): Measure {
  const memo = new Map<string, number>();
  const inProgress = new Set<string>();

  const fragmentMeasure = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return 0;
    inProgress.add(name);
    const value = measure(fragment.selectionSet);
    inProgress.delete(name);
    memo.set(name, value);
    return value;
  };

  const measure: Measure = (selectionSet) => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      let value: number;
      if (selection.kind === Kind.FIELD) {
        if (!countIntrospection && selection.name.value.startsWith('__')) continue; // introspection
        const child = selection.selectionSet ? measure(selection.selectionSet) : 0;
        value = fieldValue(selection.alias !== undefined, child, selection.selectionSet !== undefined);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        value = measure(selection.selectionSet);
      } else {
        value = fragmentMeasure(selection.name.value);
      }
      total = combine === 'max' ? Math.max(total, value) : total + value;
    }
    return total;
  };
  return measure;
}

function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function operationLabel(name: string | undefined): string {
  return name ? `Operation '${name}'` : 'The operation';
}

/** Field nesting depth (`{ a { b } }` is 2) must not exceed `maxDepth`. */
export function maxDepthRule(maxDepth: number): ValidationRule {
  return (context): ASTVisitor => {
    const depth = makeMeasure(fragmentsOf(context), 'max', (_alias, child) => 1 + child);
    return {
      OperationDefinition(operation) {
        const found = depth(operation.selectionSet);
        if (found > maxDepth) {
          context.reportError(
            new GraphQLError(`${operationLabel(operation.name?.value)} is nested ${found} levels deep; the limit is ${maxDepth}.`, {
              nodes: [operation],
              extensions: { code: QUERY_TOO_DEEP, depth: found, limit: maxDepth },
            }),
          );
        }
        return false; // fragments were followed already
      },
    };
  };
}

/** Aliased fields in an operation (fragments expanded, so a spread counts each time) must not exceed `maxAliases`. */
export function maxAliasesRule(maxAliases: number): ValidationRule {
  return (context): ASTVisitor => {
    const aliases = makeMeasure(fragmentsOf(context), 'sum', (alias, child) => (alias ? 1 : 0) + child, true);
    return {
      OperationDefinition(operation) {
        const found = aliases(operation.selectionSet);
        if (found > maxAliases) {
          context.reportError(
            new GraphQLError(`${operationLabel(operation.name?.value)} uses ${found} aliases; the limit is ${maxAliases}.`, {
              nodes: [operation],
              extensions: { code: TOO_MANY_ALIASES, aliases: found, limit: maxAliases },
            }),
          );
        }
        return false;
      },
    };
  };
}

interface IntrospectionShape {
  depth: number;
  lists: number;
}

/**
 * Introspection size: at most one `__schema` selection per operation, and inside
 * `__schema` / `__type` at most INTROSPECTION_MAX_DEPTH levels and
 * INTROSPECTION_MAX_LISTS list fields on any path.
 */
export function introspectionRule(): ValidationRule {
  return (context): ASTVisitor => {
    const fragments = fragmentsOf(context);
    const memo = new Map<string, IntrospectionShape>();
    const inProgress = new Set<string>();

    /** The shape below a selection set inside introspection. */
    const shape = (selectionSet: SelectionSetNode): IntrospectionShape => {
      let depth = 0;
      let lists = 0;
      for (const selection of selectionSet.selections) {
        let found: IntrospectionShape;
        if (selection.kind === Kind.FIELD) {
          const child = selection.selectionSet ? shape(selection.selectionSet) : { depth: 0, lists: 0 };
          found = { depth: 1 + child.depth, lists: (INTROSPECTION_LISTS.has(selection.name.value) ? 1 : 0) + child.lists };
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          found = shape(selection.selectionSet);
        } else {
          const name = selection.name.value;
          const known = memo.get(name);
          const fragment = fragments.get(name);
          if (known) found = known;
          else if (!fragment || inProgress.has(name)) found = { depth: 0, lists: 0 };
          else {
            inProgress.add(name);
            found = shape(fragment.selectionSet);
            inProgress.delete(name);
            memo.set(name, found);
          }
        }
        depth = Math.max(depth, found.depth);
        lists = Math.max(lists, found.lists);
      }
      return { depth, lists };
    };

    /** Introspection roots of an operation's selection set (through fragments, each once). */
    const roots = (selectionSet: SelectionSetNode, seen: Set<string>, found: Array<{ key: string; field: FieldNode }>): void => {
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (INTROSPECTION_ROOTS.has(selection.name.value)) found.push({ key: selection.alias?.value ?? selection.name.value, field: selection });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          roots(selection.selectionSet, seen, found);
        } else {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || seen.has(selection.name.value)) continue;
          seen.add(selection.name.value);
          roots(fragment.selectionSet, seen, found);
        }
      }
    };

    return {
      OperationDefinition(operation) {
        const found: Array<{ key: string; field: FieldNode }> = [];
        roots(operation.selectionSet, new Set(), found);
        if (found.length === 0) return false;
        const label = operationLabel(operation.name?.value);
        const schemaKeys = new Set(found.filter(({ field }) => field.name.value === '__schema').map(({ key }) => key));
        if (schemaKeys.size > 1) {
          context.reportError(
            new GraphQLError(`${label} selects __schema ${schemaKeys.size} times; once is the limit.`, {
              nodes: [operation],
              extensions: { code: INTROSPECTION_TOO_LARGE },
            }),
          );
        }
        let depth = 0;
        let lists = 0;
        for (const { field } of found) {
          const below = field.selectionSet ? shape(field.selectionSet) : { depth: 0, lists: 0 };
          depth = Math.max(depth, 1 + below.depth);
          lists = Math.max(lists, below.lists);
        }
        if (depth > INTROSPECTION_MAX_DEPTH || lists > INTROSPECTION_MAX_LISTS) {
          context.reportError(
            new GraphQLError(
              `${label} introspects too deeply (${depth} levels, ${lists} nested lists); the limits are ${INTROSPECTION_MAX_DEPTH} levels and ${INTROSPECTION_MAX_LISTS} nested lists.`,
              { nodes: [operation], extensions: { code: INTROSPECTION_TOO_LARGE, depth, lists } },
            ),
          );
        }
        return false;
      },
    };
  };
}
