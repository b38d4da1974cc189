/**
 * Every setting comes from the environment (see .env.example). A `.env` file in
 * the project root is loaded first if present; variables already set in the
 * environment win over the file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isLogLevel, type LogLevel } from './log.ts';

/** Absolute path of the repository root (where package.json lives). */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

export interface Config {
  /** DATABASE_URL: a PostgreSQL connection string. Unset: start the embedded cluster. */
  databaseUrl: string | undefined;
  /** PORT: HTTP port (default 3000; 0 picks a free one). */
  port: number;
  /** HOST: HTTP bind address (default 127.0.0.1). */
  host: string;
  /** PG_DATA_DIR: embedded cluster data directory, absolute (default .data/postgres). */
  pgDataDir: string;
  /** PG_PORT: embedded cluster port (default 54329). */
  pgPort: number;
  /** WORKER_CONCURRENCY: jobs run at once by the in-process worker (default 4). */
  workerConcurrency: number;
  /** COMPACT_INTERVAL_MS: how often the worker enqueues rollup compaction (default 1000; 0 turns the tick off). */
  compactIntervalMs: number;
  /** LOG_LEVEL: debug | info | warn | error | silent (default info). */
  logLevel: LogLevel;
}

type Env = Record<string, string | undefined>;

let dotEnvLoaded = false;

/** Loads `<root>/.env` into process.env once, if the file exists. */
export function loadDotEnv(file = path.join(PROJECT_ROOT, '.env')): void {
  if (dotEnvLoaded) return;
  dotEnvLoaded = true;
  if (existsSync(file)) process.loadEnvFile(file);
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

function logLevel(env: Env): LogLevel {
  const raw = text(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!isLogLevel(raw)) throw new Error(`LOG_LEVEL must be one of debug, info, warn, error, silent; got '${raw}'`);
  return raw;
}

/** Parses settings from `env` (no side effects; call `loadDotEnv()` first for the .env file). */
export function readConfig(env: Env = process.env): Config {
  return {
    databaseUrl: text(env, 'DATABASE_URL'),
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    pgDataDir: path.resolve(PROJECT_ROOT, text(env, 'PG_DATA_DIR') ?? '.data/postgres'),
    pgPort: integer(env, 'PG_PORT', 54329, 1, 65535),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 4, 1, 64),
    compactIntervalMs: integer(env, 'COMPACT_INTERVAL_MS', 1000, 0, 86_400_000),
    logLevel: logLevel(env),
  };
}

/** `.env` (if any) + process.env → Config. */
export function loadConfig(): Config {
  loadDotEnv();
  return readConfig(process.env);
}
