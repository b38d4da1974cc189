/**
 * Request limits for /graphql, as one graphile-config plugin. Each limit sits
 * at the earliest V5 hook that has the information it needs:
 *
 * - `grafserv.middleware.processGraphQLRequestBody` (body parsed, nothing
 *   parsed as GraphQL yet): the document length. Throwing a SafeError there
 *   becomes a GraphQL-shaped error response with our code and status.
 * - `grafserv.middleware.setPreset`: its event carries the `validationRules`
 *   grafserv passes to `validate()`; we append max depth and max aliases
 *   (validation results are cached per document).
 * - `grafast.middleware.execute` (grafserv calls grafast's `execute` with the
 *   parsed document and the raw `variableValues`): page sizes, which depend on
 *   variables. Returning `{ errors }` instead of calling `next()` refuses the
 *   operation before any SQL runs.
 *
 * (Verified in node_modules/grafserv/dist/middleware/graphql.js and
 * node_modules/grafast/dist/execute.js, grafserv 1.0.2 / grafast 1.1.3.)
 *
 * The request body size itself is capped before grafserv reads it (see
 * body-limit.ts) and again by grafserv's `maxRequestLength` (set in preset.ts).
 */
import { SafeError } from './safe-error.ts';
import { maxAliasesRule, maxDepthRule } from './limit-rules.ts';
import { checkPagination } from './pagination.ts';

export const DOCUMENT_TOO_LARGE = 'DOCUMENT_TOO_LARGE';

export interface GraphqlLimits {
  maxDepth: number;
  maxAliases: number;
  maxPageSize: number;
  /** Longest GraphQL document, in characters. */
  maxDocumentChars: number;
}

export function makeLimitsPlugin(limits: GraphqlLimits): GraphileConfig.Plugin {
  return {
    name: 'SwitchboardLimitsPlugin',
    description: 'Query depth, alias, page-size and document-length limits',
    version: '1.0.0',
    grafserv: {
      middleware: {
        setPreset(next, event) {
          event.validationRules.push(maxDepthRule(limits.maxDepth), maxAliasesRule(limits.maxAliases));
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
          return next();
        },
      },
    },
    grafast: {
      middleware: {
        execute(next, event) {
          const { schema, document, operationName, variableValues } = event.args;
          const errors = checkPagination({ schema, document, operationName, variableValues, maxPageSize: limits.maxPageSize });
          return errors.length ? { errors } : next();
        },
      },
    },
  };
}
