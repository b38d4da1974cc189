/** The bench's loggers: progress lines at info, and quiet ones for the libraries it drives. */
import { createLogger, type Logger } from '../kernel/log.ts';

export const log = createLogger('bench');

/** Passes on warnings and errors only (postgres, migrations and the worker are chatty at info). */
export function quietLogger(scope: string): Logger {
  const inner = createLogger(scope);
  return {
    scope,
    debug: () => {},
    info: () => {},
    warn: inner.warn,
    error: inner.error,
    child: (name) => quietLogger(`${scope}:${name}`),
  };
}
