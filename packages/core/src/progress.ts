// Progress meters on stderr in git's own layout (git's progress.c), counted in bytes:
// `Uploading objects:  45% (27/60 MiB), 27.00 MiB | 16.80 MiB/s`, ended by `…, done.`; shown only when asked
// for, after git's delay (GIT_PROGRESS_DELAY seconds, 1 by default). Also: one terminal shared by git processes.
import { StringDecoder } from 'node:string_decoder';

export interface ProgressOptions {
  readonly title: string;
  /** Total bytes when known; without it the meter shows bytes and rate only (`setTotal` can add it later). */
  readonly total?: number;
  readonly enabled: boolean;
  readonly write?: (text: string) => void;
  /** Nothing is shown before this many ms have passed (default: GIT_PROGRESS_DELAY seconds, else 1 s). */
  readonly delayMs?: number;
  readonly now?: () => number;
  /** The terminal's width (default: COLUMNS, else stderr's width, else 80): a longer line is split as git splits it. */
  readonly columns?: number;
}

export interface Progress {
  /** Sets the number of bytes done so far. */
  update(done: number): void;
  /** Makes the total known (a stream whose size is known only once it has been written). */
  setTotal(total: number): void;
  /** Prints the final line (if anything was shown). */
  finish(): void;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const pad2 = (n: number) => String(n).padStart(2, '0');

/** git's humanise_bytes: `1.50 KiB`, `27.00 MiB`, `1 byte`; `rate` adds `/s`. */
function humanise(bytes: number, rate: boolean): string {
  const per = rate ? '/s' : '';
  const n = Math.max(0, Math.floor(bytes));
  if (n > GiB) return `${Math.floor(n / GiB)}.${pad2(Math.floor((n % GiB) / 10737419))} GiB${per}`;
  if (n > MiB) {
    const x = n + 5243; // git's rounding
    return `${Math.floor(x / MiB)}.${pad2(Math.floor(((x % MiB) * 100) / MiB))} MiB${per}`;
  }
  if (n > KiB) {
    const x = n + 5;
    return `${Math.floor(x / KiB)}.${pad2(Math.floor(((x % KiB) * 100) / KiB))} KiB${per}`;
  }
  return `${n} ${n === 1 ? 'byte' : 'bytes'}${per}`;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Sizes in reports (`git s3 list`, doctor, gc, migrate): `12.3 MiB`, `8.10 MiB`. Meters use git's humaniseBytes. */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

export const humaniseBytes = (bytes: number): string => humanise(bytes, false);
export const humaniseRate = (bytesPerSecond: number): string => humanise(bytesPerSecond, true);

/**
 * git counts objects (`(27/60)`); bytes are counted in the largest unit the total holds at least ten of, so the
 * counter moves in steps of at most a tenth: `(27/60 MiB)`, `(512/2048 KiB)`, `(5/700 bytes)`.
 */
export function formatCounts(done: number, total: number): string {
  const unit = [GiB, MiB, KiB].find((u) => total >= 10 * u) ?? 1;
  const name = unit === GiB ? 'GiB' : unit === MiB ? 'MiB' : unit === KiB ? 'KiB' : 'bytes';
  return `(${Math.floor(done / unit)}/${Math.floor(total / unit)} ${name})`;
}

/** git's throughput text, `, 27.00 MiB | 16.80 MiB/s`: git keeps the rate in whole KiB per 1024th of a second. */
export function formatThroughput(bytes: number, elapsedMs: number): string {
  return `, ${humaniseBytes(bytes)} | ${humaniseRate(kibRate(bytes, elapsedMs) * KiB)}`;
}

// git's `misecs` (1024ths of a second, as (ns * 4398) >> 32) and its whole KiB per misec.
const kibRate = (bytes: number, elapsedMs: number) => Math.floor(bytes / Math.max(1, Math.floor((elapsedMs * 1e6 * 4398) / 2 ** 32)));

/**
 * The text after the title: `NN% (a/b unit)` and the throughput when the total is known, as git; else the
 * throughput alone (`27.00 MiB | 16.80 MiB/s`), git's count of objects being the byte count here.
 */
export function formatCounters(done: number, total: number | undefined, throughput: string): string {
  if (total !== undefined && total > 0) {
    const percent = Math.floor((done * 100) / total);
    return `${String(percent).padStart(3)}% ${formatCounts(done, total)}${throughput}`;
  }
  return throughput ? throughput.slice(2) : humaniseBytes(done);
}

/** git's GIT_PROGRESS_DELAY (whole seconds), 1 s when unset or not a number. */
export function progressDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.GIT_PROGRESS_DELAY?.trim();
  return value && /^\d+$/.test(value) ? Number(value) * 1000 : 1000;
}

function terminalColumns(): number {
  const env = Number(process.env.COLUMNS);
  if (Number.isInteger(env) && env > 0) return env;
  return process.stderr.columns || 80;
}

/** Samples at least this far apart feed the rate; git keeps the last eight. */
const SAMPLE_MS = 500;
const SAMPLES = 8;

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => Date.now());
  const write = options.write ?? ((t: string) => process.stderr.write(t));
  const started = now();
  const delay = options.delayMs ?? progressDelayMs();
  const columns = options.columns ?? terminalColumns();
  let total = options.total;
  let done = 0;
  let shown = false;
  let lastDraw = started;
  let lastPercent = -1;
  let lastLength = 0;
  let split = false;
  // The rate over the last few seconds (git's throughput window); '' until the first sample.
  const tp = { prevBytes: 0, prevT: started, avgBytes: 0, avgMs: 0, bytes: [] as number[], ms: [] as number[], text: '' };

  const sample = (t: number) => {
    if (t - tp.prevT <= SAMPLE_MS) return;
    tp.bytes.push(done - tp.prevBytes);
    tp.ms.push(t - tp.prevT);
    if (tp.bytes.length > SAMPLES) {
      tp.bytes.shift();
      tp.ms.shift();
    }
    tp.prevBytes = done;
    tp.prevT = t;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    tp.text = `, ${humaniseBytes(done)} | ${humaniseRate(kibRate(sum(tp.bytes), sum(tp.ms)) * KiB)}`;
  };

  // git's display(): the counters, spaces over what a longer previous line left, the end of line; a line wider
  // than the terminal puts its counters on a line of their own, indented, from then on.
  const draw = (eol: string) => {
    const counters = formatCounters(done, total, tp.text);
    const clear = counters.length < lastLength ? lastLength - counters.length + 1 : 0;
    const end = eol.padStart(clear);
    if (split) write(`  ${counters}${end}`);
    else if (eol === '\r' && columns < options.title.length + counters.length + 2) {
      const blank = options.title.length + 1 < columns ? columns - options.title.length - 1 : 0;
      write(`${options.title}:${' '.repeat(blank)}\n  ${counters}${eol}`);
      split = true;
    } else write(`${options.title}: ${counters}${end}`);
    lastLength = counters.length;
    shown = true;
  };

  return {
    update(value) {
      done = value;
      if (!options.enabled) return;
      const t = now();
      sample(t);
      if (!shown && t - started < delay) return;
      // git redraws when the percentage changes or its one-second timer has fired.
      const percent = total ? Math.floor((done * 100) / total) : -1;
      if (shown && percent === lastPercent && t - lastDraw < 1000) return;
      lastPercent = percent;
      lastDraw = t;
      draw('\r');
    },
    setTotal(value) {
      total = value;
    },
    finish() {
      if (!options.enabled || !shown) return;
      tp.text = formatThroughput(done, now() - started);
      draw(', done.\n');
    },
  };
}

/** One writer's share of a terminal: see shareTerminal. */
export interface TerminalTurn {
  write(chunk: Buffer | string): void;
  /** This writer has finished: the next one gets the terminal. */
  close(): void;
}

export interface SharedTerminal {
  /** A turn for one more writer, shown after those opened before it. */
  open(): TerminalTurn;
}

/**
 * Lets git processes that run side by side (index-pack of several packs) print their meters on one terminal
 * without drawing over each other: the oldest open writer is shown live; the others keep only their
 * finished lines and latest meter, shown when their turn comes (as if they had run one after another).
 */
export function shareTerminal(write: (text: string) => void = (t) => process.stderr.write(t)): SharedTerminal {
  interface Turn {
    decoder: StringDecoder;
    held: string;
    closed: boolean;
  }
  const queue: Turn[] = [];
  const advance = () => {
    while (queue[0]?.closed) {
      queue.shift();
      const next = queue[0];
      if (next?.held) write(next.held);
      if (next) next.held = '';
    }
  };
  return {
    open() {
      const turn: Turn = { decoder: new StringDecoder('utf8'), held: '', closed: false };
      queue.push(turn);
      return {
        write(chunk) {
          const text = typeof chunk === 'string' ? chunk : turn.decoder.write(chunk);
          if (queue[0] === turn) write(text);
          else turn.held = condense(turn.held + text);
        },
        close() {
          if (turn.closed) return;
          const rest = turn.decoder.end();
          if (rest) this.write(rest);
          turn.closed = true;
          advance();
        },
      };
    },
  };
}

/** Meter output reduced to what a terminal would still show: finished lines, the latest meter and any partial text. */
export function condense(text: string): string {
  const lines = text.split('\n');
  const open = lines.pop() ?? '';
  const finished = lines.map((line) => line.slice(line.lastIndexOf('\r') + 1));
  const frames = open.split('\r');
  const partial = frames.pop() ?? '';
  const meter = frames.length > 0 ? `${frames.at(-1)}\r` : '';
  return `${finished.map((l) => `${l}\n`).join('')}${meter}${partial}`;
}
