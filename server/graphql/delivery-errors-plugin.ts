/**
 * `FailedDelivery.errorCode` and `errorMessage`: a failed provider delivery's
 * error in the words the webhook answered it with (`applyFailure` in
 * server/errors.ts, the one mapping), so the Providers page says the same
 * thing as the 422 the provider got. The SQLSTATE and our SQL's own message
 * (`error_sqlstate`, `error_message`, hidden from the schema) are its input.
 */
import { extendSchema, gql } from 'postgraphile/utils';
import { lambda, type Step } from 'postgraphile/grafast';
import type { PgSelectSingleStep } from 'postgraphile/@dataplan/pg';
import { failedDeliveryError } from '../errors.ts';

function errorOf($row: PgSelectSingleStep): Step<{ code: string; message: string }> {
  const $sqlstate = $row.get('error_sqlstate') as Step<string | null>;
  const $message = $row.get('error_message') as Step<string | null>;
  return lambda([$sqlstate, $message], ([sqlstate, message]) => failedDeliveryError(sqlstate, message), true);
}

export const DeliveryErrorsPlugin: GraphileConfig.Plugin = extendSchema(
  {
    typeDefs: gql`
      extend type FailedDelivery {
        "Why it failed, as the webhook answered (UNKNOWN_AGENT, UNKNOWN_STATUS, APPLY_FAILED...)."
        errorCode: String!
        "The same in plain words, with what to fix before replaying."
        errorMessage: String!
      }
    `,
    objects: {
      FailedDelivery: {
        plans: {
          errorCode($row: PgSelectSingleStep) {
            return lambda(errorOf($row), (error) => error.code, true);
          },
          errorMessage($row: PgSelectSingleStep) {
            return lambda(errorOf($row), (error) => error.message, true);
          },
        },
      },
    },
  },
  'SwitchboardDeliveryErrorsPlugin',
);
