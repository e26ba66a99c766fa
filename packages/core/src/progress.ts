// A git-style progress meter on stderr (`Uploading: 45% (12.3 MiB/27.0 MiB), 8.1 MiB/s`), shown only when
// asked for and only for transfers that last longer than about a second, like git's delayed progress.

export interface ProgressOptions {
  readonly title: string;
  /** Total bytes when known; without it the meter shows bytes and rate only. */
  readonly total?: number;
  readonly enabled: boolean;
  readonly write?: (text: string) => void;
  /** Nothing is shown before this many ms have passed. */
  readonly delayMs?: number;
  readonly now?: () => number;
}

export interface Progress {
  /** Sets the number of bytes done so far. */
  update(done: number): void;
  /** Prints the final line (if anything was shown). */
  finish(): void;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

export function formatProgressLine(title: string, done: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? `, ${formatBytes(Math.round((done * 1000) / elapsedMs))}/s` : '';
  if (total === undefined || total <= 0) return `${title}: ${formatBytes(done)}${rate}`;
  const percent = Math.min(100, Math.floor((done * 100) / total));
  return `${title}: ${String(percent).padStart(3)}% (${formatBytes(done)}/${formatBytes(total)})${rate}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => Date.now());
  const write = options.write ?? ((t: string) => process.stderr.write(t));
  const started = now();
  const delay = options.delayMs ?? 1000;
  let shown = false;
  let lastDraw = 0;
  let done = 0;
  const draw = (end: string) => {
    write(`${formatProgressLine(options.title, done, options.total, now() - started)}${end}`);
    shown = true;
  };
  return {
    update(value) {
      done = value;
      if (!options.enabled) return;
      const t = now();
      if (t - started < delay || t - lastDraw < 100) return;
      lastDraw = t;
      draw('\r');
    },
    finish() {
      if (options.enabled && shown) draw(', done.\n');
    },
  };
}
