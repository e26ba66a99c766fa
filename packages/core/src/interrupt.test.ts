import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { holdsAnything, makeTempDir, onInterrupt, removeTempDir, runInterruptUndos } from './interrupt.js';

describe('runInterruptUndos', () => {
  it('runs each registered undo once and skips one forgotten', async () => {
    const ran: string[] = [];
    onInterrupt(() => ran.push('a'));
    const forget = onInterrupt(() => ran.push('forgotten'));
    onInterrupt(async () => {
      throw new Error('a failing undo does not stop the others');
    });
    forget();
    await runInterruptUndos();
    await runInterruptUndos();
    expect(ran).toStrictEqual(['a']);
  });

  it('gives up on an undo that hangs once the time is up', async () => {
    onInterrupt(() => new Promise(() => {}));
    const started = Date.now();
    await runInterruptUndos(50);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(holdsAnything()).toBe(false);
  });
});

describe('makeTempDir', () => {
  it('is removed by an interruption', async () => {
    const dir = await makeTempDir('git-remote-s3-unit-');
    expect(existsSync(dir)).toBe(true);
    await runInterruptUndos();
    expect(existsSync(dir)).toBe(false);
  });

  it('once removed, is no longer an undo', async () => {
    const dir = await makeTempDir('git-remote-s3-unit-');
    await removeTempDir(dir);
    expect(existsSync(dir)).toBe(false);
    expect(holdsAnything()).toBe(false);
  });
});
