/**
 * GraphQL validation rules for query cost that only need the document:
 * maximum depth and maximum aliases per operation. They run inside grafserv's
 * parse-and-validate step, whose results are cached per document text, so a
 * repeated query costs nothing here.
 *
 * Fragments are followed (a fragment's depth / alias count is computed once and
 * memoised, so even a fragment spread many times costs linear time) and cycles
 * are ignored here (the standard NoFragmentCyclesRule reports them).
 * Introspection (`__schema`, `__type`, `__typename`) does not count: GraphiQL's
 * introspection query is deeper than any sane data query.
 */
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'postgraphile/graphql';

export const QUERY_TOO_DEEP = 'QUERY_TOO_DEEP';
export const TOO_MANY_ALIASES = 'TOO_MANY_ALIASES';

type Measure = (selectionSet: SelectionSetNode) => number;

/**
 * A measure over selection sets where a fragment spread counts as its
 * fragment's measure (memoised; a spread inside its own fragment counts 0).
 */
function makeMeasure(
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  combine: 'max' | 'sum',
  fieldValue: (alias: boolean, child: number, hasChild: boolean) => number,
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
        if (selection.name.value.startsWith('__')) continue; // introspection
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
    const aliases = makeMeasure(fragmentsOf(context), 'sum', (alias, child) => (alias ? 1 : 0) + child);
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
