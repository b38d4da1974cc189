/**
 * GraphQL scalars as they arrive in JSON (PostGraphile V5): BigInt and BigFloat
 * as decimal strings (exact; never parsed for arithmetic), Date as YYYY-MM-DD,
 * Datetime as ISO 8601 with offset, UUID as text.
 */
export type BigIntString = string;
export type BigFloatString = string;
export type DateString = string;
export type DatetimeString = string;
export type Uuid = string;

/**
 * A GraphQL document with the types of its result and variables attached
 * (phantom fields, never set at run time).
 */
export interface TypedDocument<TData, TVariables extends Record<string, unknown>> {
  /** The operation name (for logs and the schema test). */
  readonly name: string;
  readonly query: string;
  readonly __data?: TData;
  readonly __variables?: TVariables;
}


export function typedDocument<TData, TVariables extends Record<string, unknown>>(
  name: string,
  query: string,
): TypedDocument<TData, TVariables> {
  return { name, query };
}
