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
});
