import { describe, expect, it } from 'vitest';
import { conflictingRefPairs, objectFormatMismatch, refNameConflicts } from './push-rules.js';

const A = 'a'.repeat(40);

describe('refNameConflicts', () => {
  it('refuses a new ref below an existing one, in git words', () => {
    expect(refNameConflicts(['refs/heads/feature'], [{ ref: 'refs/heads/feature/login', sha: A }])).toEqual(
      new Map([
        [
          'refs/heads/feature/login',
          "cannot lock ref 'refs/heads/feature/login': 'refs/heads/feature' exists; cannot create 'refs/heads/feature/login'",
        ],
      ]),
    );
  });

  it('refuses a new ref that existing refs lie below, however deep', () => {
    expect(refNameConflicts(['refs/heads/a/b/c'], [{ ref: 'refs/heads/a', sha: A }]).get('refs/heads/a')).toBe(
      "cannot lock ref 'refs/heads/a': 'refs/heads/a/b/c' exists; cannot create 'refs/heads/a'",
    );
  });

  it("judges after the push's own deletions, both ways round", () => {
    const rename = [
      { ref: 'refs/heads/feature', sha: undefined },
      { ref: 'refs/heads/feature/login', sha: A },
    ];
    expect(refNameConflicts(['refs/heads/feature'], rename).size).toBe(0);
    const back = [
      { ref: 'refs/heads/a/b', sha: undefined },
      { ref: 'refs/heads/a', sha: A },
    ];
    expect(refNameConflicts(['refs/heads/a/b'], back).size).toBe(0);
  });

  it('refuses both of two new refs that conflict with each other', () => {
    const reasons = refNameConflicts(
      [],
      [
        { ref: 'refs/heads/x/y', sha: A },
        { ref: 'refs/heads/x', sha: A },
      ],
    );
    expect([...reasons.values()]).toEqual([
      "cannot process 'refs/heads/x' and 'refs/heads/x/y' at the same time",
      "cannot process 'refs/heads/x' and 'refs/heads/x/y' at the same time",
    ]);
  });

  it('never refuses an update of a ref the remote already holds, nor names that only share a beginning', () => {
    const existing = ['refs/heads/a', 'refs/heads/a/b', 'refs/heads/feature'];
    expect(
      refNameConflicts(existing, [
        { ref: 'refs/heads/a', sha: A },
        { ref: 'refs/heads/feature-2', sha: A },
        { ref: 'refs/tags/feature/x', sha: A },
      ]).size,
    ).toBe(0);
  });
});

describe('conflictingRefPairs', () => {
  it('names each ref with the ref it is a path prefix of', () => {
    expect(conflictingRefPairs(['refs/heads/a/b', 'refs/heads/a', 'refs/heads/ab', 'refs/heads/a/b/c'])).toEqual([
      ['refs/heads/a', 'refs/heads/a/b'],
      ['refs/heads/a', 'refs/heads/a/b/c'],
      ['refs/heads/a/b', 'refs/heads/a/b/c'],
    ]);
  });
});

describe('objectFormatMismatch', () => {
  it('refuses objects of another algorithm than a non-empty remote holds, naming both', () => {
    expect(objectFormatMismatch('sha256', 'sha1')).toBe(
      'mismatched algorithms: client sha256; server sha1; push from a sha1 repository, or push this one to a new, empty remote',
    );
    expect(objectFormatMismatch('sha1', 'sha256')).toContain('client sha1; server sha256');
  });

  it('lets a matching or empty remote through', () => {
    expect(objectFormatMismatch('sha1', 'sha1')).toBeUndefined();
    expect(objectFormatMismatch('sha256', undefined)).toBeUndefined();
  });
});
