/**
 * Grafast's SafeError (an error whose message and extensions users may see),
 * imported from here by our GraphQL code so that server/errors.ts learns to
 * recognise it whenever one can exist. server/errors.ts itself does not load
 * grafast: it is imported by every process (webhooks, worker, CLIs, benchmark
 * clients), and loading grafast there cost start-up time and printed grafast's
 * GRAPHILE_ENV notice in processes that never serve GraphQL.
 */
import { isSafeError, SafeError } from 'postgraphile/grafast';
import { recognizeSafeErrors } from '../errors.ts';

recognizeSafeErrors(isSafeError);

export { isSafeError, SafeError };
