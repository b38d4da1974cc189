/**
 * The API settings the benchmarks run with (GraphQL load and dashboard): production limits, a long
 * statement timeout, and a rate limiter that stays in the path (its cost is part of a request) but
 * never trips.
 */
export const BENCH_GRAPHQL_CONFIG = {
  graphiql: false,
  graphqlStatementTimeoutMs: 30_000,
  graphqlMaxDepth: 10,
  graphqlMaxAliases: 30,
  graphqlMaxPageSize: 500,
  graphqlMaxBodyBytes: 100_000,
  graphqlMaxDocumentChars: 100_000,
  graphqlMaxInputDepth: 20,
  graphqlMaxInputNodes: 1000,
  graphqlMaxFilterRelations: 5,
  graphqlPlanningTimeoutMs: 2000,
  graphqlIntrospection: 'signed-in',
  rateLimitPerMinute: 1_000_000_000,
  rateLimitBurst: 1_000_000_000,
  rateLimitTenantPerMinute: 1_000_000_000,
  rateLimitTenantBurst: 1_000_000_000,
  httpBodyTimeoutMs: 15_000,
} as const;
