import { describe, expect, it } from 'vitest';
import {
  condense,
  createProgress,
  formatBytes,
  formatCounters,
  formatCounts,
  formatThroughput,
  humaniseBytes,
  humaniseRate,
  progressDelayMs,
  shareTerminal,
} from './progress.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('formatBytes', () => {
  it.each<[number, string]>([
    [0, '0 bytes'],
    [1, '1 bytes'],
    [1023, '1023 bytes'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * KiB, '10.0 KiB'],
    [1023 * KiB, '1023.0 KiB'],
    [MiB, '1.00 MiB'],
    [12.3 * MiB, '12.3 MiB'],
    [8.1 * MiB, '8.10 MiB'],
    [27 * MiB, '27.0 MiB'],
    [5 * GiB, '5.00 GiB'],
    [2 * 1024 * GiB, '2.00 TiB'],
    [2048 * 1024 * GiB, '2048.0 TiB'],
  ])('shows %d as %j', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

// Expected strings were checked against git's own C (strbuf.c humanise_bytes, progress.c) run by hand.
describe('humaniseBytes (git humanise_bytes)', () => {
  it.each<[number, string]>([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1024 bytes'],
    [1025, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * KiB, '10.00 KiB'],
    [MiB, '1024.00 KiB'],
    [27 * MiB, '27.00 MiB'],
    [12.3 * MiB, '12.30 MiB'],
    [GiB, '1024.00 MiB'],
    [5 * GiB, '5.00 GiB'],
  ])('shows %d as %j', (n, text) => {
    expect(humaniseBytes(n)).toBe(text);
  });

  it('adds /s for a rate, singular for one byte', () => {
    expect(humaniseRate(16.8 * MiB)).toBe('16.80 MiB/s');
    expect(humaniseRate(1)).toBe('1 byte/s');
    expect(humaniseRate(100)).toBe('100 bytes/s');
  });
});

describe('formatCounts', () => {
  it('counts in MiB when the total holds at least ten', () => {
    expect(formatCounts(27 * MiB, 60 * MiB)).toBe('(27/60 MiB)');
  });

  it('rounds both counts down, so they meet only at the end', () => {
    expect(formatCounts(59.9 * MiB, 60.5 * MiB)).toBe('(59/60 MiB)');
    expect(formatCounts(60.5 * MiB, 60.5 * MiB)).toBe('(60/60 MiB)');
  });

  it('falls to a smaller unit for a total under ten of the larger', () => {
    expect(formatCounts(MiB, 8 * MiB)).toBe('(1024/8192 KiB)');
    expect(formatCounts(3 * GiB, 12 * GiB)).toBe('(3/12 GiB)');
    expect(formatCounts(5, 700)).toBe('(5/700 bytes)');
  });
});

describe('formatThroughput (git throughput_string)', () => {
  it('shows bytes done and the rate after a comma and a bar', () => {
    expect(formatThroughput(60 * MiB, 3572)).toBe(', 60.00 MiB | 16.80 MiB/s');
    expect(formatThroughput(4 * MiB, 2000)).toBe(', 4.00 MiB | 2.00 MiB/s');
  });
});

describe('formatCounters', () => {
  it('shows a percentage padded to three columns, the counts and the throughput when the total is known', () => {
    expect(formatCounters(27 * MiB, 60 * MiB, ', 27.00 MiB | 16.80 MiB/s')).toBe(' 45% (27/60 MiB), 27.00 MiB | 16.80 MiB/s');
    expect(formatCounters(3, 100, '')).toBe('  3% (3/100 bytes)');
    expect(formatCounters(60 * MiB, 60 * MiB, '')).toBe('100% (60/60 MiB)');
  });

  it('rounds the percentage down', () => {
    expect(formatCounters(999, 1000, '')).toBe(' 99% (999/1000 bytes)');
  });

  it('shows no percentage when the total is unknown or zero: the throughput, else the bytes', () => {
    expect(formatCounters(27 * MiB, undefined, ', 27.00 MiB | 16.80 MiB/s')).toBe('27.00 MiB | 16.80 MiB/s');
    expect(formatCounters(27 * MiB, undefined, '')).toBe('27.00 MiB');
    expect(formatCounters(512, 0, '')).toBe('512 bytes');
  });
});

describe('progressDelayMs', () => {
  it("takes git's GIT_PROGRESS_DELAY in seconds, 1 s otherwise", () => {
    expect(progressDelayMs({})).toBe(1000);
    expect(progressDelayMs({ GIT_PROGRESS_DELAY: '0' })).toBe(0);
    expect(progressDelayMs({ GIT_PROGRESS_DELAY: '3' })).toBe(3000);
    expect(progressDelayMs({ GIT_PROGRESS_DELAY: 'soon' })).toBe(1000);
  });
});

/** A clock the test moves by hand; starts far from zero like Date.now(). */
function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('createProgress', () => {
  function setup(options: { enabled?: boolean; total?: number | null; delayMs?: number; columns?: number } = {}) {
    const clock = fakeClock();
    const written: string[] = [];
    const total = options.total === null ? undefined : (options.total ?? 60 * MiB);
    const progress = createProgress({
      title: 'Uploading objects',
      ...(total !== undefined ? { total } : {}),
      enabled: options.enabled ?? true,
      delayMs: options.delayMs ?? 1000,
      columns: options.columns ?? 80,
      now: clock.now,
      write: (text) => written.push(text),
    });
    return { clock, written, progress };
  }

  it('writes nothing before the delay has passed', () => {
    const { clock, written, progress } = setup();
    progress.update(MiB);
    clock.advance(999);
    progress.update(2 * MiB);
    expect(written).toStrictEqual([]);
  });

  it("writes git's line, ending in a carriage return, once the delay has passed", () => {
    const { clock, written, progress } = setup();
    clock.advance(1000);
    progress.update(16 * MiB);
    expect(written).toStrictEqual(['Uploading objects:  26% (16/60 MiB), 16.00 MiB | 16.02 MiB/s\r']);
    // 16.02, not 16.00: git counts time in 1024ths of a second and the rate in whole KiB, and so do we.
  });

  it('redraws when the percentage changes, or after a second when it does not', () => {
    const { clock, written, progress } = setup({ total: 100 * MiB });
    clock.advance(1000);
    progress.update(10 * MiB);
    clock.advance(100);
    progress.update(10 * MiB + 5);
    expect(written).toHaveLength(1);
    progress.update(11 * MiB);
    expect(written).toHaveLength(2);
    clock.advance(999);
    progress.update(11 * MiB + 5);
    expect(written).toHaveLength(2);
    clock.advance(1);
    progress.update(11 * MiB + 10);
    expect(written).toHaveLength(3);
  });

  it('writes the final line with the whole transfer average and ", done."', () => {
    const { clock, written, progress } = setup();
    clock.advance(1000);
    progress.update(27 * MiB);
    clock.advance(2572);
    progress.update(60 * MiB);
    progress.finish();
    expect(written.at(-1)).toBe('Uploading objects: 100% (60/60 MiB), 60.00 MiB | 16.80 MiB/s, done.\n');
  });

  it('shows bytes and rate without a percentage when the total is unknown', () => {
    const { clock, written, progress } = setup({ total: null });
    clock.advance(2000);
    progress.update(4 * MiB);
    progress.finish();
    expect(written).toStrictEqual(['Uploading objects: 4.00 MiB | 2.00 MiB/s\r', 'Uploading objects: 4.00 MiB | 2.00 MiB/s, done.\n']);
  });

  it('shows the percentage from the moment the total becomes known', () => {
    const { clock, written, progress } = setup({ total: null });
    clock.advance(2000);
    progress.update(4 * MiB);
    progress.setTotal(4 * MiB);
    progress.finish();
    expect(written.at(-1)).toBe('Uploading objects: 100% (4096/4096 KiB), 4.00 MiB | 2.00 MiB/s, done.\n');
  });

  it('blanks what a longer previous line left behind', () => {
    const { clock, written, progress } = setup({ total: 1000 * MiB });
    clock.advance(1000);
    progress.update(100 * MiB);
    clock.advance(10_000);
    progress.update(101 * MiB);
    expect(written).toStrictEqual([
      'Uploading objects:  10% (100/1000 MiB), 100.00 MiB | 100.10 MiB/s\r',
      'Uploading objects:  10% (101/1000 MiB), 101.00 MiB | 9.18 MiB/s  \r',
    ]);
  });

  it('puts the counters on their own indented line when the terminal is too narrow, as git does', () => {
    const { clock, written, progress } = setup({ columns: 40 });
    clock.advance(1000);
    progress.update(30 * MiB);
    clock.advance(1000);
    progress.finish();
    expect(written[0]).toBe(`Uploading objects:${' '.repeat(22)}\n   50% (30/60 MiB), 30.00 MiB | 30.03 MiB/s\r`);
    expect(written[1]).toBe('   50% (30/60 MiB), 30.00 MiB | 15.01 MiB/s, done.\n');
  });

  it('writes nothing on finish when the transfer ended before the delay', () => {
    const { clock, written, progress } = setup();
    progress.update(60 * MiB);
    clock.advance(500);
    progress.finish();
    expect(written).toStrictEqual([]);
  });

  it('writes nothing at all when disabled', () => {
    const { clock, written, progress } = setup({ enabled: false });
    clock.advance(5000);
    progress.update(MiB);
    clock.advance(5000);
    progress.update(60 * MiB);
    progress.finish();
    expect(written).toStrictEqual([]);
  });

  it('shows at once with no delay', () => {
    const { written, progress } = setup({ delayMs: 0 });
    progress.update(MiB);
    expect(written).toStrictEqual(['Uploading objects:   1% (1/60 MiB)\r']);
  });
});

describe('condense', () => {
  it('keeps finished lines and the latest meter of the open line', () => {
    expect(condense('A: 1%\rA: 2%\rA: 100%, done.\nB: 1%\rB: 2%\rB: 3')).toBe('A: 100%, done.\nB: 2%\rB: 3');
    expect(condense('plain\n')).toBe('plain\n');
    expect(condense('')).toBe('');
  });
});

describe('shareTerminal', () => {
  it("shows the first writer live and a later one's finished lines and meter when the first has closed", () => {
    const out: string[] = [];
    const terminal = shareTerminal((t) => out.push(t));
    const a = terminal.open();
    const b = terminal.open();
    a.write('Receiving objects:  50% (1/2)\r');
    b.write('Receiving objects:  10% (1/10)\rReceiving objects: 100% (10/10), done.\nResolving deltas:  20% (1/5)\r');
    expect(out.join('')).toBe('Receiving objects:  50% (1/2)\r');
    a.write('Receiving objects: 100% (2/2), done.\n');
    a.close();
    expect(out.join('')).toBe(
      'Receiving objects:  50% (1/2)\rReceiving objects: 100% (2/2), done.\nReceiving objects: 100% (10/10), done.\nResolving deltas:  20% (1/5)\r',
    );
    b.write('Resolving deltas: 100% (5/5), done.\n');
    expect(out.at(-1)).toBe('Resolving deltas: 100% (5/5), done.\n');
  });

  it('shows a writer that closed while waiting as soon as the ones before it close', () => {
    const out: string[] = [];
    const terminal = shareTerminal((t) => out.push(t));
    const a = terminal.open();
    const b = terminal.open();
    const c = terminal.open();
    c.write('c done\n');
    c.close();
    b.write('b done\n');
    b.close();
    expect(out).toStrictEqual([]);
    a.close();
    expect(out.join('')).toBe('b done\nc done\n');
    terminal.open().write('d\n');
    expect(out.at(-1)).toBe('d\n');
  });
});
