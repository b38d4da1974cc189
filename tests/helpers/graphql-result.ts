/**
 * Reading GraphQL answers in the API tests (a thin layer over tests/helpers/api.ts):
 *
 *   const data = okData(await api.graphql<{ kpiSummary: unknown }>(QUERY, vars, token));
 *   expect(errorCode(await api.graphql(BAD, vars, token))).toBe('INVALID_DATE_RANGE');
 */
import type { GraphqlBody, HttpResult } from './api.ts';

/** The data of a successful answer (HTTP 200, no errors); throws with the errors otherwise. */
export function okData<TData>(result: HttpResult<GraphqlBody<TData>>): TData {
  const { status, body } = result;
  if (status !== 200 || body.errors?.length || !body.data) {
    throw new Error(`GraphQL request failed (HTTP ${status}): ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

/** The code of the only error of an answer (throws when there is none, or more than one). */
export function errorCode(result: HttpResult<GraphqlBody<unknown>>): string | undefined {
  const errors = result.body.errors ?? [];
  if (errors.length !== 1) throw new Error(`expected one error, got: ${JSON.stringify(result.body)}`);
  return errors[0]?.extensions?.code;
}

/** The only error of an answer (message and extensions). */
export function onlyError(result: HttpResult<GraphqlBody<unknown>>): { code: string | undefined; message: string; extensions: Record<string, unknown> } {
  const errors = result.body.errors ?? [];
  const [error] = errors;
  if (errors.length !== 1 || !error) throw new Error(`expected one error, got: ${JSON.stringify(result.body)}`);
  return { code: error.extensions?.code, message: error.message, extensions: error.extensions ?? {} };
}
