/**
 * A small scoped logger: one line per message, `debug`/`info` to stdout and
 * `warn`/`error` to stderr. The threshold comes from LOG_LEVEL (read when this
 * module loads) and can be changed with `setLogLevel`.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogMeta = Record<string, unknown>;

export interface Logger {
  readonly scope: string;
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
  /** A logger whose scope is this one's plus `name` (`server:http`). */
  child(name: string): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

let threshold: LogLevel = parseLevel(process.env.LOG_LEVEL);

function parseLevel(raw: string | undefined): LogLevel {
  const value = raw?.trim().toLowerCase();
  return value && isLogLevel(value) ? value : 'info';
}

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function getLogLevel(): LogLevel {
  return threshold;
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function formatMeta(meta: LogMeta | undefined): string {
  if (!meta) return '';
  const parts: string[] = [];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined) continue;
    if (value instanceof Error) errors.push(formatValue(value));
    else parts.push(`${key}=${formatValue(value)}`);
  }
  return (parts.length ? ` ${parts.join(' ')}` : '') + (errors.length ? `\n${errors.join('\n')}` : '');
}

function write(level: Exclude<LogLevel, 'silent'>, scope: string, message: string, meta?: LogMeta): void {
  if (RANK[level] < RANK[threshold]) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${scope}] ${message}${formatMeta(meta)}\n`;
  (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(line);
}

export function createLogger(scope: string): Logger {
  return {
    scope,
    debug: (message, meta) => write('debug', scope, message, meta),
    info: (message, meta) => write('info', scope, message, meta),
    warn: (message, meta) => write('warn', scope, message, meta),
    error: (message, meta) => write('error', scope, message, meta),
    child: (name) => createLogger(`${scope}:${name}`),
  };
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : formatValue(thrown), { cause: thrown });
}
