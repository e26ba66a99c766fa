import { describe, expect, it } from 'vitest';
import { joinNegativeValues } from './negative-values.js';

describe('joinNegativeValues', () => {
  it('joins a negative number to the long option before it', () => {
    expect(joinNegativeValues(['doctor', '--lock-ttl', '-5', 'origin'])).toEqual(['doctor', '--lock-ttl=-5', 'origin']);
    expect(joinNegativeValues(['gc', '--grace', '-.5', 'origin'])).toEqual(['gc', '--grace=-.5', 'origin']);
  });

  it('leaves options, short flags and values that are no negative number alone', () => {
    const args = ['doctor', '--lock-ttl', '5', '-d', '--delete-stale-locks', '--set-head', 'main', '-q', 'origin'];
    expect(joinNegativeValues(args)).toEqual(args);
    expect(joinNegativeValues(['doctor', '--lock-ttl=-5', 'origin'])).toEqual(['doctor', '--lock-ttl=-5', 'origin']);
    expect(joinNegativeValues(['doctor', '--lock-ttl', '-x'])).toEqual(['doctor', '--lock-ttl', '-x']);
  });

  it('stops at --, after which every word is an argument', () => {
    expect(joinNegativeValues(['list', '--', '--weird', '-5'])).toEqual(['list', '--', '--weird', '-5']);
  });
});
