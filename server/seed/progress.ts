/**
 * A one-line progress bar for the seed CLI: rewritten in place with `\r` on a
 * terminal (rows/s and ETA), one plain line every few seconds otherwise.
 */

export interface ProgressBar {
  update(done: number, total: number): void;
  /** Replaces the bar with a status text (e.g. a phase without progress figures). */
  status(text: string): void;
  /** Ends the line. */
  stop(): void;
}

const WIDTH = 30;

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr, unit = 'rows'): ProgressBar {
  const started = performance.now();
  const tty = stream.isTTY === true;
  let lastPlain = 0;
  let shown = false;

  const write = (line: string): void => {
    if (tty) {
      stream.write(`\r${line}\x1b[K`);
      shown = true;
    } else {
      stream.write(`${line}\n`);
    }
  };

  return {
    update(done, total) {
      const now = performance.now();
      if (!tty && done < total && now - lastPlain < 5_000) return;
      lastPlain = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const share = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(share * WIDTH);
      const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
      write(
        `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ` +
          `${formatCount(done)}/${formatCount(total)} ${unit}  ${formatCount(rate)} ${unit}/s  ETA ${formatSeconds(eta)}`,
      );
    },
    status(text) {
      write(text);
    },
    stop() {
      if (tty && shown) stream.write('\n');
      shown = false;
    },
  };
}
