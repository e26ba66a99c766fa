import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes, formatProgressLine } from './progress.js';

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

describe('formatProgressLine', () => {
  it('shows percent, bytes done of the total and the rate', () => {
    expect(formatProgressLine('Uploading', 12 * MiB, 27 * MiB, 1500)).toBe('Uploading:  44% (12.0 MiB/27.0 MiB), 8.00 MiB/s');
  });

  it('pads the percentage to three columns', () => {
    expect(formatProgressLine('Downloading', 5, 100, 0)).toBe('Downloading:   5% (5 bytes/100 bytes)');
    expect(formatProgressLine('Downloading', 100, 100, 0)).toBe('Downloading: 100% (100 bytes/100 bytes)');
  });

  it('rounds the percentage down', () => {
    expect(formatProgressLine('Uploading', 999, 1000, 0)).toBe('Uploading:  99% (999 bytes/1000 bytes)');
  });

  it('caps the percentage at 100 when more than the total is done', () => {
    expect(formatProgressLine('Uploading', 2 * MiB, MiB, 0)).toBe('Uploading: 100% (2.00 MiB/1.00 MiB)');
  });

  it('leaves the rate out when no time has passed', () => {
    expect(formatProgressLine('Uploading', MiB, 2 * MiB, 0)).toBe('Uploading:  50% (1.00 MiB/2.00 MiB)');
  });

  it('shows bytes and rate only when the total is unknown', () => {
    expect(formatProgressLine('Downloading', 3 * MiB, undefined, 2000)).toBe('Downloading: 3.00 MiB, 1.50 MiB/s');
  });

  it('shows bytes and rate only when the total is zero', () => {
    expect(formatProgressLine('Downloading', 512, 0, 1000)).toBe('Downloading: 512 bytes, 512 bytes/s');
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
  function setup(options: { enabled?: boolean; total?: number; delayMs?: number } = {}) {
    const clock = fakeClock();
    const written: string[] = [];
    const progress = createProgress({
      title: 'Uploading',
      total: options.total ?? 4 * MiB,
      enabled: options.enabled ?? true,
      delayMs: options.delayMs ?? 1000,
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

  it('writes a line ending in a carriage return once the delay has passed', () => {
    const { clock, written, progress } = setup();
    clock.advance(1000);
    progress.update(2 * MiB);
    expect(written).toStrictEqual(['Uploading:  50% (2.00 MiB/4.00 MiB), 2.00 MiB/s\r']);
  });

  it('redraws at most every 100 ms', () => {
    const { clock, written, progress } = setup();
    clock.advance(1000);
    progress.update(MiB);
    clock.advance(50);
    progress.update(2 * MiB);
    expect(written).toHaveLength(1);
    clock.advance(50);
    progress.update(3 * MiB);
    expect(written).toHaveLength(2);
    expect(written[1]).toMatch(/^Uploading: {2}75% \(3\.00 MiB\/4\.00 MiB\), .*\r$/);
  });

  it('writes the final line with ", done." when a line was shown', () => {
    const { clock, written, progress } = setup();
    clock.advance(2000);
    progress.update(MiB);
    progress.update(4 * MiB);
    progress.finish();
    expect(written.at(-1)).toBe('Uploading: 100% (4.00 MiB/4.00 MiB), 2.00 MiB/s, done.\n');
    expect(written).toHaveLength(2);
  });

  it('writes nothing on finish when the transfer ended before the delay', () => {
    const { clock, written, progress } = setup();
    progress.update(4 * MiB);
    clock.advance(500);
    progress.finish();
    expect(written).toStrictEqual([]);
  });

  it('writes nothing on finish when no update came after the delay', () => {
    const { clock, written, progress } = setup();
    clock.advance(5000);
    progress.finish();
    expect(written).toStrictEqual([]);
  });

  it('writes nothing at all when disabled', () => {
    const { clock, written, progress } = setup({ enabled: false });
    clock.advance(5000);
    progress.update(MiB);
    clock.advance(5000);
    progress.update(4 * MiB);
    progress.finish();
    expect(written).toStrictEqual([]);
  });

  it('uses the delay it is given', () => {
    const { clock, written, progress } = setup({ delayMs: 200 });
    clock.advance(200);
    progress.update(MiB);
    expect(written).toHaveLength(1);
  });

  it('waits about a second by default', () => {
    const clock = fakeClock();
    const written: string[] = [];
    const progress = createProgress({ title: 'Downloading', enabled: true, now: clock.now, write: (t) => written.push(t) });
    clock.advance(999);
    progress.update(10);
    expect(written).toStrictEqual([]);
    clock.advance(1);
    progress.update(20);
    expect(written).toStrictEqual(['Downloading: 20 bytes, 20 bytes/s\r']);
  });
});
