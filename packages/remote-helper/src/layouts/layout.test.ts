import { log } from '@git-remote-s3/core/log';
import { describe, expect, it } from 'vitest';
import type { ListedRef } from './layout.js';
import { chooseDefaultBranch, chooseHead } from './layout.js';

const SHA = 'a'.repeat(40);
const refs = (...names: string[]): ListedRef[] => names.map((ref) => ({ sha: SHA, ref }));

// Warnings go to this file's own copy of the process logger (vitest isolates test files), not to stderr.
const written: string[] = [];
log.redirect((text) => written.push(text));

describe('chooseHead', () => {
  it('takes the branch HEAD names when it exists', () => {
    expect(chooseHead('refs/heads/dev\n', refs('refs/heads/dev', 'refs/heads/main'))).toBe('refs/heads/dev');
  });

  it.each<[string, string[], string]>([
    ['main', ['refs/heads/a', 'refs/heads/main', 'refs/heads/master'], 'refs/heads/main'],
    ['master when there is no main', ['refs/heads/a', 'refs/heads/master'], 'refs/heads/master'],
    ['the first branch when there is neither main nor master', ['refs/heads/b', 'refs/heads/c'], 'refs/heads/b'],
  ])('falls back to %s when HEAD names a missing branch', (_name, names, expected) => {
    expect(chooseHead('refs/heads/gone', refs(...names))).toBe(expected);
  });

  it.each<[string, string | undefined, string[], string]>([
    ['no HEAD object', undefined, ['refs/heads/a', 'refs/heads/master'], 'refs/heads/master'],
    ['an empty HEAD object', '', ['refs/heads/a', 'refs/heads/main'], 'refs/heads/main'],
    ['a HEAD object of whitespace', ' \n', ['refs/heads/z'], 'refs/heads/z'],
  ])('falls back the same way for %s', (_name, headText, names, expected) => {
    expect(chooseHead(headText, refs(...names))).toBe(expected);
  });

  it('warns that HEAD names a missing branch and which one it uses instead', () => {
    chooseHead('refs/heads/vanished', refs('refs/heads/main'));
    expect(written).toContain("warning: the remote's HEAD names refs/heads/vanished, which does not exist; using refs/heads/main\n");
  });

  it('chooses nothing when the remote has no refs', () => {
    expect(chooseHead('refs/heads/main', [])).toBeUndefined();
  });

  it('chooses nothing when the remote has only tags', () => {
    expect(chooseHead(undefined, refs('refs/tags/v1', 'refs/tags/v2'))).toBeUndefined();
  });

  it('never chooses a tag, even one HEAD names', () => {
    expect(chooseHead('refs/tags/v1', refs('refs/tags/v1', 'refs/heads/topic'))).toBe('refs/heads/topic');
  });

  it('skips tags listed before the first branch', () => {
    expect(chooseHead(undefined, refs('refs/tags/a', 'refs/heads/z'))).toBe('refs/heads/z');
  });
});

describe('chooseDefaultBranch', () => {
  it('prefers the local current branch when the push set it', () => {
    expect(chooseDefaultBranch(['refs/heads/main', 'refs/heads/dev'], 'refs/heads/dev', ['refs/heads/dev', 'refs/heads/main'])).toBe(
      'refs/heads/dev',
    );
  });

  it('falls back to main, then master, then the first branch pushed', () => {
    const after = (...refs: string[]) => ['refs/heads/a', ...refs];
    expect(chooseDefaultBranch(['refs/heads/x', 'refs/heads/main'], 'refs/heads/other', after('refs/heads/x', 'refs/heads/main'))).toBe(
      'refs/heads/main',
    );
    expect(chooseDefaultBranch(['refs/heads/x', 'refs/heads/master'], undefined, after('refs/heads/x', 'refs/heads/master'))).toBe(
      'refs/heads/master',
    );
    expect(chooseDefaultBranch(['refs/heads/y', 'refs/heads/x'], undefined, after('refs/heads/x', 'refs/heads/y'))).toBe('refs/heads/y');
  });

  it('names a branch pushed after a tag-only first push', () => {
    expect(chooseDefaultBranch(['refs/heads/dev'], 'refs/heads/dev', ['refs/heads/dev', 'refs/tags/v1'])).toBe('refs/heads/dev');
  });

  it("names the remote's main, master or first branch when the push set no branch", () => {
    expect(chooseDefaultBranch(['refs/tags/v2'], 'refs/heads/dev', ['refs/heads/dev', 'refs/heads/main', 'refs/tags/v2'])).toBe(
      'refs/heads/main',
    );
    expect(chooseDefaultBranch([], 'refs/heads/z', ['refs/heads/b', 'refs/heads/master'])).toBe('refs/heads/master');
    expect(chooseDefaultBranch([], undefined, ['refs/heads/c', 'refs/heads/b'])).toBe('refs/heads/b');
  });

  it('never names a tag, nor a branch the remote no longer has', () => {
    expect(chooseDefaultBranch(['refs/tags/v1'], 'refs/heads/gone', ['refs/tags/v1'])).toBeUndefined();
    expect(chooseDefaultBranch(['refs/heads/gone'], 'refs/heads/gone', ['refs/heads/kept'])).toBe('refs/heads/kept');
  });

  it('names nothing when the remote is left without a branch', () => {
    expect(chooseDefaultBranch([], 'refs/heads/main', [])).toBeUndefined();
  });
});
