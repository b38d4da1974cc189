/**
 * Ordered graceful shutdown. Steps run last-registered first (register them in
 * start-up order: database, pool, worker, HTTP) and each failure is logged, not
 * fatal. SIGINT/SIGTERM start it and exit 0; a second signal forces exit 1.
 *
 * One terminal Ctrl-C usually arrives more than once: the terminal signals the
 * whole process group, and `npm run` and `tsx` also forward it to their child.
 * So a repeat within `repeatWindowMs` of the first counts as the same signal.
 */
import type { Logger } from './log.ts';

export type ShutdownStep = () => Promise<void>;

export interface Shutdown {
  /** Registers a step; steps run in reverse order of registration. */
  add(name: string, step: ShutdownStep): void;
  /** Runs the steps once, then exits the process with `code`. */
  exit(reason: string, code: number): Promise<never>;
}

export interface ShutdownOptions {
  /** Give up on the steps after this long and exit 1 (default 30 s). */
  timeoutMs?: number;
  /** Signals this soon after the first are duplicates, not a second request (default 1 s). */
  repeatWindowMs?: number;
}

export function installShutdown(log: Logger, { timeoutMs = 30_000, repeatWindowMs = 1_000 }: ShutdownOptions = {}): Shutdown {
  const steps: Array<{ name: string; step: ShutdownStep }> = [];
  let started = false;
  let firstSignalAt = 0;

  const runSteps = async (): Promise<void> => {
    for (const { name, step } of [...steps].reverse()) {
      try {
        await step();
      } catch (error) {
        log.error(`shutdown step '${name}' failed`, { error });
      }
    }
  };

  const exit = async (reason: string, code: number): Promise<never> => {
    if (!started) {
      started = true;
      log.info(`shutting down (${reason})`);
      const timer = setTimeout(() => {
        log.error(`shutdown took longer than ${timeoutMs} ms; forcing exit`);
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      await runSteps();
      log.info('bye');
      process.exit(code);
    }
    // Already shutting down: wait for the first call to exit the process.
    return new Promise<never>(() => {});
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (!firstSignalAt) {
      firstSignalAt = Date.now();
      void exit(signal, 0);
    } else if (Date.now() - firstSignalAt > repeatWindowMs) {
      log.warn(`${signal} again: forcing exit`);
      process.exit(1);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return {
    add: (name, step) => {
      steps.push({ name, step });
    },
    exit,
  };
}
