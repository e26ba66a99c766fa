import { describe, expect, it } from 'vitest';
import { BadKeyError, BadRefError } from '../errors.js';
import {
  bundleKey,
  headKey,
  LOCK_NAME,
  lockKey,
  PROTECTED_NAME,
  parseBundleLayoutKey,
  protectedKey,
  refDirPrefix,
  refsPrefix,
  ZIP_NAME,
  zipKey,
} from './bundle.js';
import { lfsKey } from './lfs.js';

const PREFIX = 'team/a/b/repo';
const SHA1 = '0123456789abcdef0123456789abcdef01234567';
const SHA256 = `${SHA1}89abcdef01234567abcdef01`;

describe('bundle layout keys', () => {
  it('puts HEAD directly under the prefix', () => {
    expect(headKey(PREFIX)).toBe('team/a/b/repo/HEAD');
  });

  it('puts ref state under <prefix>/refs/', () => {
    expect(refsPrefix(PREFIX)).toBe('team/a/b/repo/refs/');
  });

  it('ends the directory of a ref with a slash', () => {
    expect(refDirPrefix(PREFIX, 'refs/heads/feature/x')).toBe('team/a/b/repo/refs/heads/feature/x/');
  });

  it('names a bundle after its commit', () => {
    expect(bundleKey(PREFIX, 'refs/heads/main', SHA1)).toBe(`team/a/b/repo/refs/heads/main/${SHA1}.bundle`);
  });

  it('names the lock of a ref', () => {
    expect(lockKey(PREFIX, 'refs/tags/v1.0')).toBe('team/a/b/repo/refs/tags/v1.0/LOCK#.lock');
  });

  it('names the zip of a ref', () => {
    expect(zipKey(PREFIX, 'refs/heads/main')).toBe('team/a/b/repo/refs/heads/main/repo.zip');
  });

  it('names the protection marker of a branch under refs/heads', () => {
    expect(protectedKey(PREFIX, 'release/1.x')).toBe('team/a/b/repo/refs/heads/release/1.x/PROTECTED#');
  });

  it.each([
    ['refDirPrefix', () => refDirPrefix(PREFIX, 'refs/heads/../x')],
    ['bundleKey', () => bundleKey(PREFIX, 'refs/heads/a b', SHA1)],
    ['lockKey', () => lockKey(PREFIX, 'heads/main')],
    ['zipKey', () => zipKey(PREFIX, 'refs/heads/main.lock')],
    ['protectedKey', () => protectedKey(PREFIX, '../../x')],
  ])('%s refuses an invalid ref name', (_name, build) => {
    expect(build).toThrow(BadRefError);
  });

  it('does not let the directory of branch a prefix-match keys of branch ab', () => {
    const dir = refDirPrefix(PREFIX, 'refs/heads/a');
    const keysOfAb = [bundleKey(PREFIX, 'refs/heads/ab', SHA1), lockKey(PREFIX, 'refs/heads/ab'), zipKey(PREFIX, 'refs/heads/ab')];
    for (const key of keysOfAb) expect(key.startsWith(dir)).toBe(false);
    expect(bundleKey(PREFIX, 'refs/heads/a', SHA1).startsWith(dir)).toBe(true);
  });
});

describe('parseBundleLayoutKey', () => {
  it.each([
    [
      'a bundle with a SHA-1',
      bundleKey(PREFIX, 'refs/heads/feature/x-1', SHA1),
      { kind: 'bundle', ref: 'refs/heads/feature/x-1', sha: SHA1 },
    ],
    ['a bundle with a SHA-256', bundleKey(PREFIX, 'refs/tags/v1.0', SHA256), { kind: 'bundle', ref: 'refs/tags/v1.0', sha: SHA256 }],
    ['a lock', lockKey(PREFIX, 'refs/heads/main'), { kind: 'lock', ref: 'refs/heads/main' }],
    ['a zip', zipKey(PREFIX, 'refs/heads/a#b'), { kind: 'zip', ref: 'refs/heads/a#b' }],
    ['a protection marker', protectedKey(PREFIX, 'main'), { kind: 'protected', ref: 'refs/heads/main' }],
  ])('reads back %s', (_name, key, expected) => {
    expect(parseBundleLayoutKey(PREFIX, key)).toStrictEqual(expected);
  });

  it.each<[string, string, string]>([
    ['a key outside the prefix', `other/refs/heads/main/${SHA1}.bundle`, 'outside the repository prefix'],
    ['a key of a sibling prefix that shares the same start', `${PREFIX}2/refs/heads/main/${SHA1}.bundle`, 'outside the repository prefix'],
    ['the prefix itself without a slash', PREFIX, 'outside the repository prefix'],
    ['a key directly under the prefix', `${PREFIX}/HEAD`, 'not under refs/'],
    ['a key whose ref is not under refs/', `${PREFIX}/heads/main/${SHA1}.bundle`, "does not start with 'refs/'"],
    ['a ref with a .. component', `${PREFIX}/refs/heads/../x/${SHA1}.bundle`, "contains '..'"],
    ['a ref with a control character', `${PREFIX}/refs/heads/a\u001bb/${SHA1}.bundle`, 'a control character'],
    ['a ref with a newline', `${PREFIX}/refs/heads/a\nb/${LOCK_NAME}`, 'a control character'],
    ['a ref with a double slash', `${PREFIX}/refs/heads//main/${ZIP_NAME}`, "contains '//'"],
    ['a bundle named with uppercase hex', `${PREFIX}/refs/heads/main/${SHA1.toUpperCase()}.bundle`, 'is not an object id'],
    ['a bundle named with an abbreviated sha', `${PREFIX}/refs/heads/main/0123abc.bundle`, "'0123abc' is not an object id"],
    ['a bundle named with non-hex text', `${PREFIX}/refs/heads/main/${'z'.repeat(40)}.bundle`, 'is not an object id'],
    ['a bundle with an empty name', `${PREFIX}/refs/heads/main/.bundle`, 'is not an object id'],
    ['an unknown file name', `${PREFIX}/refs/heads/main/notes.txt`, "unknown object 'notes.txt'"],
    ['a lock file with another name', `${PREFIX}/refs/heads/main/LOCK.lock`, "unknown object 'LOCK.lock'"],
    ['a key ending with a slash', `${PREFIX}/refs/heads/main/`, "unknown object ''"],
    ['a protection marker on a tag', `${PREFIX}/refs/tags/v1/${PROTECTED_NAME}`, 'protection marker outside refs/heads/'],
    ['a protection marker on a note ref', `${PREFIX}/refs/notes/commits/${PROTECTED_NAME}`, 'protection marker outside refs/heads/'],
  ])('rejects %s', (_name, key, reason) => {
    const parsed = parseBundleLayoutKey(PREFIX, key);
    expect(parsed.kind).toBe('invalid');
    if (parsed.kind !== 'invalid') return;
    expect(parsed.key).toBe(key);
    expect(parsed.reason).toContain(reason);
  });
});

describe('lfsKey', () => {
  it('puts an object under <prefix>/lfs/', () => {
    expect(lfsKey(PREFIX, SHA256)).toBe(`team/a/b/repo/lfs/${SHA256}`);
  });

  it.each([
    ['a path traversal', '../x'],
    ['a traversal padded to 64 characters', `../../${'a'.repeat(58)}`],
    ['a SHA-1', SHA1],
    ['uppercase hex', SHA256.toUpperCase()],
    ['an oid with a slash', `${SHA256.slice(0, 32)}/${SHA256.slice(33)}`],
    ['an empty string', ''],
  ])('rejects %s', (_name, oid) => {
    expect(() => lfsKey(PREFIX, oid)).toThrow(BadKeyError);
    expect(() => lfsKey(PREFIX, oid)).toThrow('an LFS oid must be 64 lowercase hex characters');
  });
});

describe('bundleKey', () => {
  it('refuses a sha that is not a full object id, so a key can never leave the ref directory', () => {
    expect(() => bundleKey('repo', 'refs/heads/main', '../../HEAD')).toThrow(BadKeyError);
    expect(() => bundleKey('repo', 'refs/heads/main', 'ABCDEF')).toThrow(/a bundle is named by a full object id/);
  });
});
