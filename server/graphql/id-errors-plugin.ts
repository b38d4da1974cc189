/**
 * A malformed UUID argument or variable (`callByRowId(rowId: "nope")`) is
 * refused while GraphQL coerces it, before anything runs; graphql-js reports
 * that without a code (and grafserv does not pass it through maskError). The
 * UUID scalar's parsers rethrow with the INVALID_ID code (server/errors.ts):
 * graphql-js copies an original error's extensions into the error it reports,
 * so clients (the dashboard's "not found" pages) can switch on the code.
 */
import 'postgraphile';
import { GraphQLError, type GraphQLScalarLiteralParser, type GraphQLScalarValueParser } from 'postgraphile/graphql';
import { INVALID_ID } from '../errors.ts';

function coded<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code) throw error;
    throw new GraphQLError(INVALID_ID.message, { extensions: { code: INVALID_ID.code } });
  }
}

export const IdErrorsPlugin: GraphileConfig.Plugin = {
  name: 'SwitchboardIdErrorsPlugin',
  version: '1.0.0',
  schema: {
    hooks: {
      GraphQLScalarType(config) {
        if (config.name !== 'UUID') return config;
        const parseValue: GraphQLScalarValueParser<unknown> | undefined = config.parseValue;
        const parseLiteral: GraphQLScalarLiteralParser<unknown> | undefined = config.parseLiteral;
        return {
          ...config,
          parseValue: parseValue ? (value) => coded(() => parseValue(value)) : undefined,
          parseLiteral: parseLiteral ? (ast, variables) => coded(() => parseLiteral(ast, variables)) : undefined,
        };
      },
    },
  },
};
