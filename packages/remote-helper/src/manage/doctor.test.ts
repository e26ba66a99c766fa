import { describe, expect, it } from 'vitest';
import { parseLockTtl } from './doctor.js';

describe('parseLockTtl', () => {
  it('reads seconds, fractions included, as milliseconds', () => {
    expect(parseLockTtl('60')).toBe(60_000);
    expect(parseLockTtl('1')).toBe(1000);
    expect(parseLockTtl('0.5')).toBe(500);
  });

  it.each(['0', '-3', 'abc', '', '86401', '10s'])('refuses %j', (text) => {
    expect(() => parseLockTtl(text)).toThrow('--lock-ttl expects a number of seconds between 0 and 86400');
  });
});
