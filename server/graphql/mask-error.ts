/**
 * `grafserv.maskError`: what a GraphQL client sees of an error.
 *
 * - GraphQL's own errors (parse, validation, our limits, coercion) have no
 *   `originalError`, or a GraphQLError one: shown as they are.
 * - Grafast SafeErrors with a code (ours: INVALID_CREDENTIALS, ...) are meant
 *   for users: shown with their extensions. Grafast's own (the planning
 *   timeout) have none: server/errors.ts gives them one.
 * - Everything else (above all PostgreSQL errors) goes through server/errors.ts:
 *   known SQLSTATEs get a code and a clean message; anything else becomes
 *   INTERNAL_ERROR with a reference that is logged with the full error.
 */
import { GraphQLError, type GraphQLFormattedError } from 'postgraphile/graphql';
import { isSafeError } from './safe-error.ts';
import { toApiError, type ErrorContext } from '../errors.ts';
import type { Logger } from '../../kernel/log.ts';

export function makeMaskError(log: Logger, context: ErrorContext = {}): (error: GraphQLError) => GraphQLError | GraphQLFormattedError {
  return (error) => {
    const original = error.originalError;
    if (!original || original instanceof GraphQLError) return error;
    const keep = { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: original };
    if (isSafeError(original) && typeof original.extensions?.code === 'string') {
      return new GraphQLError(original.message, { ...keep, extensions: { ...original.extensions } });
    }
    const api = toApiError(original, log, context);
    return new GraphQLError(api.message, { ...keep, extensions: { code: api.code, ...api.details } });
  };
}
