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
 * The planning timeout (preset.ts, `grafast.timeouts.planning`) is a backstop
 * for the synchronous planning of one request. It does not bound filters:
 * PostGraphile V5 applies filter values while executing (applyInput), which is
 * why their size is limited here, before anything runs.
 *
 * (Verified in node_modules/grafserv/dist/middleware/graphql.js and
 * node_modules/grafast/dist/execute.js, grafserv 1.0.2 / grafast 1.1.3.)
 *
 * The request body size itself is capped before grafserv reads it (see
 * body-limit.ts) and again by grafserv's `maxRequestLength` (set in preset.ts).
 */
import { SafeError } from './safe-error.ts';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'postgraphile/graphql';
import type { Config, IntrospectionAccess } from '../../kernel/config.ts';
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

/** The characters `bracketDepth` stops at; everything between them is skipped natively. */
const BRACKET_STOPS = /[{}[\]()"#]/g;
/** The end of a single-line string: an unescaped quote or the line's end. */
const STRING_END = /\\.|["\n\r]/g;
const LINE_END = /[\n\r]/g;

/**
 * The deepest nesting of `{`, `[` and `(` in a GraphQL document, outside strings
 * and comments; stops counting once above `stopAbove`.
 */
export function bracketDepth(text: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  BRACKET_STOPS.lastIndex = 0;
  for (let match = BRACKET_STOPS.exec(text); match !== null; match = BRACKET_STOPS.exec(text)) {
    const c = match[0];
    const at = match.index;
    if (c === '{' || c === '[' || c === '(') {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === '}' || c === ']' || c === ')') {
      if (depth > 0) depth -= 1;
    } else if (c === '#') {
      // A comment, to the end of the line.
      LINE_END.lastIndex = at + 1;
      const newline = LINE_END.exec(text);
      if (newline === null) break;
      BRACKET_STOPS.lastIndex = newline.index + 1;
    } else if (text.startsWith('"""', at)) {
      // A block string: to the next """ not escaped as \""".
      let close = text.indexOf('"""', at + 3);
      while (close !== -1 && text.charCodeAt(close - 1) === 92) close = text.indexOf('"""', close + 3);
      if (close === -1) break;
      BRACKET_STOPS.lastIndex = close + 3;
    } else {
      // A string: to the next unescaped quote (or the line's end, where the parser refuses it).
      STRING_END.lastIndex = at + 1;
      let end = STRING_END.exec(text);
      while (end !== null && end[0].length === 2) end = STRING_END.exec(text);
      if (end === null) break;
      BRACKET_STOPS.lastIndex = end.index + 1;
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

/** The validation rules added to GraphQL's own (cached per document by grafserv). */
export function limitValidationRules(limits: GraphqlLimits): ValidationRule[] {
  return [maxDepthRule(limits.maxDepth), maxAliasesRule(limits.maxAliases), introspectionRule()];
}

/** Document texts whose bracket nesting passed, per limits (at most 200: at most 4 MB of text). */
const acceptedTextsByLimits = new WeakMap<GraphqlLimits, Set<string>>();
const ACCEPTED_TEXTS_MAX = 200;

/** The checks on the document text, before it is parsed: throws a SafeError. */
export function checkDocumentText(limits: GraphqlLimits, query: unknown): void {
  if (typeof query !== 'string') return;
  if (query.length > limits.maxDocumentChars) {
    throw new SafeError(`The GraphQL document is ${query.length} characters long; the limit is ${limits.maxDocumentChars}.`, {
      code: DOCUMENT_TOO_LARGE,
      statusCode: 413,
    });
  }
  let accepted = acceptedTextsByLimits.get(limits);
  if (accepted?.has(query)) return;
  const limit = maxBracketDepth(limits);
  const depth = bracketDepth(query, limit);
  if (depth > limit) {
    throw new SafeError(`The GraphQL document nests brackets more than ${limit} deep; the limit is ${limit}.`, {
      code: QUERY_TOO_DEEP,
      statusCode: 400,
    });
  }
  // Clients repeat their documents (the dashboard's come back from their ids): scan each text once.
  if (!accepted) {
    accepted = new Set();
    acceptedTextsByLimits.set(limits, accepted);
  }
  if (accepted.size >= ACCEPTED_TEXTS_MAX) accepted.clear();
  accepted.add(query);
}

export interface RequestToCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Readonly<Record<string, unknown>> | null;
  /** Signed in (JWT or API key) or not. */
  anonymous: boolean;
}

/** The per-request checks, just before planning: introspection access, page sizes, argument values (empty: fine). */
export function checkRequest(limits: GraphqlLimits, { schema, document, operationName, variableValues, anonymous }: RequestToCheck): GraphQLError[] {
  const operation = selectOperation(document, operationName);
  if (!operation) return []; // grafast reports a missing or ambiguous operation
  const errors = limits.introspection !== 'anyone' && usesIntrospection(document, operation) ? introspectionErrors(limits.introspection, anonymous, operation) : [];
  errors.push(...checkPagination({ schema, document, operationName, variableValues, maxPageSize: limits.maxPageSize }));
  errors.push(...checkInputs({ schema, document, operation, variableValues, limits, anonymous }));
  return errors;
}

export function makeLimitsPlugin(limits: GraphqlLimits): GraphileConfig.Plugin {
  return {
    name: 'SwitchboardLimitsPlugin',
    description: 'Query depth, alias, page-size, document, argument-value and introspection limits',
    version: '1.0.0',
    grafserv: {
      middleware: {
        setPreset(next, event) {
          event.validationRules.push(...limitValidationRules(limits));
          return next();
        },
        processGraphQLRequestBody(next, event) {
          checkDocumentText(limits, event.body.query);
          return next();
        },
      },
    },
    grafast: {
      middleware: {
        execute(next, event) {
          const { schema, document, operationName, variableValues, contextValue } = event.args;
          const auth = (contextValue as Partial<Grafast.Context> | undefined)?.auth;
          const errors = checkRequest(limits, { schema, document, operationName, variableValues, anonymous: !auth || auth.kind === 'anonymous' });
          return errors.length ? { errors } : next();
        },
      },
    },
  };
}
