import { describe, expect, it } from 'vitest';
import { parseLockTtl } from './doctor.js';

describe('parseLockTtl', () => {
  it('reads seconds, fractions included, as milliseconds', () => {
    expect(parseLockTtl('60')).toBe(60_000);
    expect(parseLockTtl('1')).toBe(1000);
    expect(parseLockTtl('0.5')).toBe(500);
  });

  it.each(['0', '-3', 'abc', '', '86401', '10s'])('refuses %j, with a range that does not include it', (text) => {
    expect(() => parseLockTtl(text)).toThrow(`--lock-ttl expects a number of seconds above 0 and at most 86400 (a day), not '${text}'`);
  });

  it('takes the ends of its range', () => {
    expect(parseLockTtl('0.001')).toBe(1);
    expect(parseLockTtl('86400')).toBe(86_400_000);
  });
});
