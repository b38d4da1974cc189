/**
 * Request limits for /graphql, as one graphile-config plugin. Each limit sits
 * at the earliest V5 hook that has the information it needs:
 *
 * - `grafserv.middleware.processGraphQLRequestBody` (body parsed, nothing
 *   parsed as GraphQL yet): the document length, and its bracket nesting
 *   (`{ [ (`), which bounds the recursion of GraphQL's parser: a 20 kB literal
 *   nested 3,000 deep overflowed the stack. Throwing a SafeError there becomes
 *   a GraphQL-shaped error response with our code and status.
 * - `grafserv.middleware.setPreset`: its event carries the `validationRules`
 *   grafserv passes to `validate()`; we append max depth, max aliases and the
 *   introspection rule (validation results are cached per document).
 * - `grafast.middleware.execute` (grafserv calls grafast's `execute` with the
 *   parsed document, the raw `variableValues` and the request's context, before
 *   grafast plans anything): page sizes and argument values (input-limits.ts),
 *   which depend on variables, and who may introspect, which depends on the
 *   caller. Returning `{ errors }` instead of calling `next()` refuses the
 *   operation before it is planned and before any SQL runs.
 *
 * The planning timeout (preset.ts, `grafast.timeouts.planning`) is the last
 * bound on the synchronous work of one request.
 *
 * (Verified in node_modules/grafserv/dist/middleware/graphql.js and
 * node_modules/grafast/dist/execute.js, grafserv 1.0.2 / grafast 1.1.3.)
 *
 * The request body size itself is capped before grafserv reads it (see
 * body-limit.ts) and again by grafserv's `maxRequestLength` (set in preset.ts).
 */
import { SafeError } from 'postgraphile/grafast';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'postgraphile/graphql';
import type { Config, IntrospectionAccess } from '../config.ts';
import { checkInputs, SIGN_IN_REQUIRED, type InputLimits } from './input-limits.ts';
import { INTROSPECTION_ROOTS, introspectionRule, maxAliasesRule, maxDepthRule, QUERY_TOO_DEEP } from './limit-rules.ts';
import { checkPagination, selectOperation } from './pagination.ts';

export const DOCUMENT_TOO_LARGE = 'DOCUMENT_TOO_LARGE';
export const INTROSPECTION_DISABLED = 'INTROSPECTION_DISABLED';

export interface GraphqlLimits extends InputLimits {
  maxDepth: number;
  maxAliases: number;
  maxPageSize: number;
  /** Longest GraphQL document, in characters. */
  maxDocumentChars: number;
  /** Who may use `__schema` / `__type`. */
  introspection: IntrospectionAccess;
}

/** The request limits of a configuration. */
export function graphqlLimits(
  config: Pick<
    Config,
    | 'graphqlMaxDepth'
    | 'graphqlMaxAliases'
    | 'graphqlMaxPageSize'
    | 'graphqlMaxDocumentChars'
    | 'graphqlMaxInputDepth'
    | 'graphqlMaxInputNodes'
    | 'graphqlMaxFilterRelations'
    | 'graphqlIntrospection'
  >,
): GraphqlLimits {
  return {
    maxDepth: config.graphqlMaxDepth,
    maxAliases: config.graphqlMaxAliases,
    maxPageSize: config.graphqlMaxPageSize,
    maxDocumentChars: config.graphqlMaxDocumentChars,
    maxInputDepth: config.graphqlMaxInputDepth,
    maxInputNodes: config.graphqlMaxInputNodes,
    maxFilterRelations: config.graphqlMaxFilterRelations,
    introspection: config.graphqlIntrospection,
  };
}

/**
 * Deepest bracket nesting a document may have before it is parsed: selections
 * (with inline fragments) twice the depth limit, one argument list, and the
 * input depth limit, with some slack.
 */
export function maxBracketDepth(limits: Pick<GraphqlLimits, 'maxDepth' | 'maxInputDepth'>): number {
  return 2 * limits.maxDepth + limits.maxInputDepth + 8;
}

/**
 * The deepest nesting of `{`, `[` and `(` in a GraphQL document, outside strings
 * and comments; stops counting once above `stopAbove`.
 */
export function bracketDepth(text: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  const length = text.length;
  for (let i = 0; i < length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91 || c === 40) {
      // { [ (
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 125 || c === 93 || c === 41) {
      depth = Math.max(0, depth - 1);
    } else if (c === 35) {
      // # comment: to the end of the line
      while (i < length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i += 1;
    } else if (c === 34) {
      // "string" or """block string"""
      if (text.startsWith('"""', i)) {
        const end = text.indexOf('"""', i + 3);
        let close = end;
        while (close !== -1 && text.charCodeAt(close - 1) === 92) close = text.indexOf('"""', close + 3); // \"""
        i = close === -1 ? length : close + 2;
      } else {
        i += 1;
        while (i < length) {
          const d = text.charCodeAt(i);
          if (d === 92) i += 2;
          else if (d === 34 || d === 10 || d === 13) break;
          else i += 1;
        }
      }
    }
  }
  return deepest;
}

/** Whether the operation selects `__schema` or `__type` (through fragments), per parsed document. */
const introspects = new WeakMap<OperationDefinitionNode, boolean>();

function usesIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const known = introspects.get(operation);
  if (known !== undefined) return known;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const seen = new Set<string>();
  const search = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return INTROSPECTION_ROOTS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return search(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(selection.name.value)) return false;
      seen.add(selection.name.value);
      return search(fragment.selectionSet);
    });
  const found = search(operation.selectionSet);
  introspects.set(operation, found);
  return found;
}

function introspectionErrors(access: IntrospectionAccess, anonymous: boolean, operation: OperationDefinitionNode): GraphQLError[] {
  if (access === 'off') {
    return [new GraphQLError('Introspection is turned off on this server.', { nodes: [operation], extensions: { code: INTROSPECTION_DISABLED } })];
  }
  if (access === 'signed-in' && anonymous) {
    return [new GraphQLError('Sign in (or use an API key) to introspect the schema.', { nodes: [operation], extensions: { code: SIGN_IN_REQUIRED } })];
  }
  return [];
}

export function makeLimitsPlugin(limits: GraphqlLimits): GraphileConfig.Plugin {
  return {
    name: 'SwitchboardLimitsPlugin',
    description: 'Query depth, alias, page-size and document-length limits',
    version: '1.0.0',
    grafserv: {
      middleware: {
        setPreset(next, event) {
          event.validationRules.push(maxDepthRule(limits.maxDepth), maxAliasesRule(limits.maxAliases), introspectionRule());
          return next();
        },
        processGraphQLRequestBody(next, event) {
          const { query } = event.body;
          if (typeof query === 'string' && query.length > limits.maxDocumentChars) {
            throw new SafeError(
              `The GraphQL document is ${query.length} characters long; the limit is ${limits.maxDocumentChars}.`,
              { code: DOCUMENT_TOO_LARGE, statusCode: 413 },
            );
          }
          if (typeof query === 'string') {
            const limit = maxBracketDepth(limits);
            const depth = bracketDepth(query, limit);
            if (depth > limit) {
              throw new SafeError(`The GraphQL document nests brackets more than ${limit} deep; the limit is ${limit}.`, {
                code: QUERY_TOO_DEEP,
                statusCode: 400,
              });
            }
          }
          return next();
        },
      },
    },
    grafast: {
      middleware: {
        execute(next, event) {
          const { schema, document, operationName, variableValues, contextValue } = event.args;
          const operation = selectOperation(document, operationName);
          if (!operation) return next(); // grafast reports a missing or ambiguous operation
          const auth = (contextValue as Partial<Grafast.Context> | undefined)?.auth;
          const anonymous = !auth || auth.kind === 'anonymous';
          const errors = [
            ...(limits.introspection !== 'anyone' && usesIntrospection(document, operation) ? introspectionErrors(limits.introspection, anonymous, operation) : []),
            ...checkPagination({ schema, document, operationName, variableValues, maxPageSize: limits.maxPageSize }),
            ...checkInputs({ schema, document, operation, variableValues, limits, anonymous }),
          ];
          return errors.length ? { errors } : next();
        },
      },
    },
  };
}
