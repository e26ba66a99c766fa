import { describe, expect, it } from 'vitest';
import { branchRef, pickBranch } from './branch.js';

describe('branchRef', () => {
  it('turns a branch name into its full ref', () => {
    expect(branchRef('main')).toBe('refs/heads/main');
    expect(branchRef('release/1.x')).toBe('refs/heads/release/1.x');
  });

  it.each([
    ['', 'empty'],
    ['a..b', "contains '..'"],
    ['topic.lock', "ending with '.lock'"],
    ['with space', 'contains a space'],
    ['trailing/', "ends with '/'"],
  ])('refuses %j (%s)', (branch, why) => {
    expect(() => branchRef(branch)).toThrow(`is not a valid branch name: `);
    expect(() => branchRef(branch)).toThrow(why);
  });
});

describe('pickBranch', () => {
  it('takes the branch from the argument or from -b', () => {
    expect(pickBranch('feature', undefined)).toBe('feature');
    expect(pickBranch(undefined, 'feature')).toBe('feature');
    expect(pickBranch('feature', 'feature')).toBe('feature');
  });

  it('refuses two different branches and none at all', () => {
    expect(() => pickBranch('a', 'b')).toThrow("two branches named ('a' and 'b')");
    expect(() => pickBranch(undefined, undefined)).toThrow('name the branch to delete');
  });
});
