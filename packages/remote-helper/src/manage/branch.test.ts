import { describe, expect, it } from 'vitest';
import { branchName, branchRef, pickBranch } from './branch.js';

describe('branchName', () => {
  it('takes a branch by its short name or by git’s full refs/heads/ name alike', () => {
    expect(branchName('keep')).toBe('keep');
    expect(branchName('refs/heads/keep')).toBe('keep');
    expect(branchName('refs/heads/release/1.x')).toBe('release/1.x');
    expect(branchRef('refs/heads/keep')).toBe('refs/heads/keep');
    expect(branchRef('keep')).toBe('refs/heads/keep');
  });

  it('refuses refs/heads/ with no branch after it, and other refs than branches by their checked name', () => {
    expect(() => branchName('refs/heads/')).toThrow("'refs/heads/' is not a valid branch name: empty");
    expect(branchName('refs/tags/v1')).toBe('refs/tags/v1');
  });

  it('does not take the same branch named both ways for two branches', () => {
    expect(pickBranch('keep', 'refs/heads/keep')).toBe('keep');
    expect(pickBranch('refs/heads/keep', undefined)).toBe('keep');
  });
});

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
