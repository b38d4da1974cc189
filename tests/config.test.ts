import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultGraphqlPoolSize, readConfig } from '../server/config.ts';

describe('configuration', () => {
  it('sizes the GraphQL pool from the CPU cores unless GRAPHQL_POOL_SIZE says otherwise', () => {
    expect(defaultGraphqlPoolSize(1)).toBe(3);
    expect(defaultGraphqlPoolSize(2)).toBe(5);
    expect(defaultGraphqlPoolSize(8)).toBe(17);
    expect(readConfig({}).graphqlPoolSize).toBe(2 * os.availableParallelism() + 1);
    expect(readConfig({ GRAPHQL_POOL_SIZE: '12' }).graphqlPoolSize).toBe(12);
  });

  it('refuses a pool size that is not a positive integer, naming the variable', () => {
    expect(() => readConfig({ GRAPHQL_POOL_SIZE: '0' })).toThrow(/GRAPHQL_POOL_SIZE must be an integer between 1 and 1000, got '0'/);
    expect(() => readConfig({ GRAPHQL_POOL_SIZE: 'lots' })).toThrow(/GRAPHQL_POOL_SIZE/);
  });

  it('lets anyone introspect in development and only signed-in callers in production, unless GRAPHQL_INTROSPECTION says otherwise', () => {
    expect(readConfig({}).graphqlIntrospection).toBe('anyone');
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).graphqlIntrospection).toBe('signed-in');
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GRAPHQL_INTROSPECTION: 'anyone' }).graphqlIntrospection).toBe('anyone');
    expect(readConfig({ GRAPHQL_INTROSPECTION: 'OFF' }).graphqlIntrospection).toBe('off');
    expect(() => readConfig({ GRAPHQL_INTROSPECTION: 'admins' })).toThrow(/GRAPHQL_INTROSPECTION must be one of anyone, signed-in, off/);
  });

  it('reads the input limits', () => {
    const defaults = readConfig({});
    expect([defaults.graphqlMaxInputDepth, defaults.graphqlMaxInputNodes, defaults.graphqlMaxFilterRelations]).toEqual([20, 1000, 5]);
    expect(defaults.graphqlPlanningTimeoutMs).toBe(2000);
    expect(readConfig({ GRAPHQL_MAX_FILTER_RELATIONS: '0' }).graphqlMaxFilterRelations).toBe(0);
    expect(() => readConfig({ GRAPHQL_MAX_INPUT_DEPTH: '1' })).toThrow(/GRAPHQL_MAX_INPUT_DEPTH must be an integer between 2 and 1000/);
  });
});
