/**
 * The project's logger interface, backed by pino.
 *
 * - `LOG_FORMAT=json` (the default when NODE_ENV=production): one JSON object
 *   per line on stdout (`time`, `level`, `scope`, `msg`, then the call's meta as
 *   fields; errors serialized with type, message, stack and cause).
 * - `LOG_FORMAT=pretty` (the default otherwise): one readable line per message
 *   through pino-pretty, in-process and synchronous (no transport thread).
 *
 * LOG_LEVEL and LOG_FORMAT are read when this module loads; entry points call
 * `configureLogging` with the parsed configuration (which also reads .env).
 * Loggers are pino children of one root with a `scope` binding (`server:http`);
 * loggers created before `configureLogging` follow the new root. Secrets are redacted by field name (`REDACTED_FIELDS`).
 */
import pino from 'pino';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
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

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

/** Field names whose values never reach a log line, at the top level or one level down. */
export const REDACTED_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'token',
  'secret',
  'apiKey',
  'accessToken',
  'refreshToken',
  'jwt',
  'x-twilio-signature',
  'x-bolna-signature',
] as const;

const REDACT_PATHS = REDACTED_FIELDS.flatMap((field) => [`["${field}"]`, `*["${field}"]`]);

/** `LOG_FORMAT`, else json in production and pretty elsewhere. */
export function defaultLogFormat(env: Record<string, string | undefined> = process.env): LogFormat {
  const raw = env.LOG_FORMAT?.trim().toLowerCase();
  if (raw && isLogFormat(raw)) return raw;
  return env.NODE_ENV?.trim() === 'production' ? 'json' : 'pretty';
}

function parseLevel(raw: string | undefined): LogLevel {
  const value = raw?.trim().toLowerCase();
  return value && isLogLevel(value) ? value : 'info';
}

export interface LoggingOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go (default stdout). */
  destination?: NodeJS.WritableStream;
}

function buildRoot({ level, format, destination }: Required<Pick<LoggingOptions, 'level' | 'format'>> & LoggingOptions): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { error: pino.stdSerializers.errWithCause, err: pino.stdSerializers.errWithCause },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (format === 'pretty') {
    const stream = pretty({
      sync: true,
      destination: destination ?? process.stdout,
      colorize: destination === undefined && process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,scope',
      messageFormat: '[{scope}] {msg}',
      singleLine: true,
    });
    return pino(options, stream);
  }
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}

let current = { level: parseLevel(process.env.LOG_LEVEL), format: defaultLogFormat() };
let root = buildRoot(current);
/** Bumped when the root is rebuilt, so existing loggers re-derive their child. */
let generation = 0;

/** Rebuilds the root logger; what is not given is kept (the destination goes back to stdout). */
export function configureLogging(options: LoggingOptions): void {
  current = { level: options.level ?? current.level, format: options.format ?? current.format };
  root = buildRoot({ ...current, destination: options.destination });
  generation += 1;
}

/** Error values anywhere in the meta (not only under `error`) become serialized errors. */
function fields(meta: LogMeta): LogMeta {
  let out: LogMeta | undefined;
  for (const [key, value] of Object.entries(meta)) {
    if (value instanceof Error && key !== 'error' && key !== 'err') {
      out ??= { ...meta };
      out[key] = pino.stdSerializers.errWithCause(value);
    }
  }
  return out ?? meta;
}

export function createLogger(scope: string): Logger {
  let child: pino.Logger | undefined;
  let childGeneration = -1;
  // Every logger is a direct child of the root (never a child of a child), so `scope` is bound once.
  const target = (): pino.Logger => {
    if (!child || childGeneration !== generation) {
      child = root.child({ scope });
      childGeneration = generation;
    }
    return child;
  };
  const emit =
    (level: Exclude<LogLevel, 'silent'>) =>
    (message: string, meta?: LogMeta): void => {
      const logger = target();
      if (!logger.isLevelEnabled(level)) return;
      if (meta) logger[level](fields(meta), message);
      else logger[level](message);
    };
  return {
    scope,
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (name) => createLogger(`${scope}:${name}`),
  };
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  let text: string;
  try {
    text = typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown));
  } catch {
    text = String(thrown);
  }
  return new Error(text, { cause: thrown });
}
