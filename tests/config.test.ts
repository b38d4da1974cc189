import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultBackgroundPoolSize, defaultGraphqlPoolSize, readConfig } from '../kernel/config.ts';

describe('configuration', () => {
  it('sizes the GraphQL pool from the CPU cores unless GRAPHQL_POOL_SIZE says otherwise', () => {
    expect(defaultGraphqlPoolSize(1)).toBe(3);
    expect(defaultGraphqlPoolSize(2)).toBe(5);
    expect(defaultGraphqlPoolSize(8)).toBe(17);
    expect(readConfig({}).graphqlPoolSize).toBe(2 * os.availableParallelism() + 1);
    expect(readConfig({ GRAPHQL_POOL_SIZE: '12' }).graphqlPoolSize).toBe(12);
  });

  it('sizes the background lane at one connection per two cores, at least one, unless GRAPHQL_BACKGROUND_POOL_SIZE says otherwise', () => {
    expect(defaultBackgroundPoolSize(1)).toBe(1);
    expect(defaultBackgroundPoolSize(2)).toBe(1);
    expect(defaultBackgroundPoolSize(8)).toBe(4);
    expect(readConfig({ GRAPHQL_BACKGROUND_POOL_SIZE: '3' }).graphqlBackgroundPoolSize).toBe(3);
    expect(() => readConfig({ GRAPHQL_BACKGROUND_POOL_SIZE: '0' })).toThrow(/GRAPHQL_BACKGROUND_POOL_SIZE must be an integer between 1 and 1000, got '0'/);
  });

  it('refuses a pool size that is not a positive integer, naming the variable', () => {
    expect(() => readConfig({ GRAPHQL_POOL_SIZE: '0' })).toThrow(/GRAPHQL_POOL_SIZE must be an integer between 1 and 1000, got '0'/);
    expect(() => readConfig({ GRAPHQL_POOL_SIZE: 'lots' })).toThrow(/GRAPHQL_POOL_SIZE/);
  });

  it('read replica: GRAPHQL_READ_DATABASE_URL unset by default, the wait bounded', () => {
    expect(readConfig({})).toMatchObject({ graphqlReadDatabaseUrl: undefined, graphqlReadMaxWaitMs: 200 });
    expect(readConfig({ GRAPHQL_READ_DATABASE_URL: 'postgres://replica:5432/switchboard', GRAPHQL_READ_MAX_WAIT_MS: '0' }))
      .toMatchObject({ graphqlReadDatabaseUrl: 'postgres://replica:5432/switchboard', graphqlReadMaxWaitMs: 0 });
    expect(() => readConfig({ GRAPHQL_READ_MAX_WAIT_MS: '-1' })).toThrow(/GRAPHQL_READ_MAX_WAIT_MS/);
  });

  it('HTTP timeouts: defaults, and headers may not outlast the whole request', () => {
    expect(readConfig({})).toMatchObject({ httpHeadersTimeoutMs: 15_000, httpRequestTimeoutMs: 30_000, httpBodyTimeoutMs: 15_000 });
    expect(() => readConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS \(40000\) must not exceed HTTP_REQUEST_TIMEOUT_MS/);
  });

  it('the per-tenant rate limit defaults to three callers', () => {
    expect(readConfig({ RATE_LIMIT_PER_MINUTE: '100', RATE_LIMIT_BURST: '10' })).toMatchObject({ rateLimitTenantPerMinute: 300, rateLimitTenantBurst: 30 });
    expect(readConfig({ RATE_LIMIT_TENANT_BURST: '7' }).rateLimitTenantBurst).toBe(7);
  });

  it('logs JSON in production and readable lines elsewhere unless LOG_FORMAT says otherwise', () => {
    expect(readConfig({}).logFormat).toBe('pretty');
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).logFormat).toBe('json');
    expect(readConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => readConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be json or pretty/);
  });

  it('serves no metrics by default; METRICS_PORT listens on 127.0.0.1; METRICS_TOKEN must be long enough', () => {
    expect(readConfig({})).toMatchObject({ metricsPort: undefined, metricsHost: '127.0.0.1', metricsToken: undefined, slowJobMs: 5000 });
    expect(readConfig({ METRICS_PORT: '9464', METRICS_TOKEN: 'a'.repeat(16), SLOW_JOB_MS: '250' })).toMatchObject({
      metricsPort: 9464,
      metricsToken: 'a'.repeat(16),
      slowJobMs: 250,
    });
    expect(() => readConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(() => readConfig({ METRICS_PORT: 'nine' })).toThrow(/METRICS_PORT/);
  });

  it('seeds the demo only for the embedded cluster or when asked, never in production', () => {
    expect(readConfig({}).demoData).toBe(true);
    expect(readConfig({ DATABASE_URL: 'postgres://db.example/switchboard' }).demoData).toBe(false);
    expect(readConfig({ DATABASE_URL: 'postgres://db.example/switchboard', DEMO_DATA: '1' }).demoData).toBe(true);
    expect(readConfig({ DEMO_DATA: '0' }).demoData).toBe(false);
    expect(readConfig({ NODE_ENV: 'production' }).demoData).toBe(false);
    expect(readConfig({ NODE_ENV: 'production', DEMO_DATA: '0' }).demoData).toBe(false);
    expect(() => readConfig({ NODE_ENV: 'production', DEMO_DATA: '1' })).toThrow(
      /DEMO_DATA=1: the demo data is refused with NODE_ENV=production: it creates a platform admin \(admin@switchboard.dev\) whose password is published/,
    );
    expect(() => readConfig({ DEMO_DATA: 'maybe' })).toThrow(/DEMO_DATA must be true or false/);
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
  it('trusts no proxy by default; TRUST_PROXY takes a hop count or addresses, subnets and named ranges', () => {
    expect(readConfig({}).trustProxy).toBe(false);
    expect(readConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(readConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(readConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    expect(() => readConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY: 'everyone' is not a hop count/);
    expect(() => readConfig({ TRUST_PROXY: '10.0.0.0/8/1' })).toThrow(/TRUST_PROXY/);
  });
});
