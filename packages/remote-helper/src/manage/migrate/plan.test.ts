import { UsageError } from '@git-remote-s3/core/errors';
import { describe, expect, it } from 'vitest';
import {
  describeRefs,
  keyChanges,
  lockedRefusal,
  nameRefs,
  newHeadBranch,
  parseTargetLayout,
  refsMissingFrom,
  summaryLine,
} from './plan.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('parseTargetLayout', () => {
  it('takes packs and bundle', () => {
    expect(parseTargetLayout('packs')).toBe('packs');
    expect(parseTargetLayout('bundle')).toBe('bundle');
  });

  it('refuses anything else as a usage error, control characters shown escaped', () => {
    expect(() => parseTargetLayout('Packs')).toThrow(new UsageError("--to expects packs or bundle, not 'Packs'"));
    expect(() => parseTargetLayout('x\u001b')).toThrow("not 'x\\x1b'");
  });
});

describe('newHeadBranch', () => {
  const refs = [{ ref: 'refs/heads/dev' }, { ref: 'refs/heads/master' }, { ref: 'refs/tags/v1' }];

  it('keeps the branch HEAD named, even one that does not exist', () => {
    expect(newHeadBranch('refs/heads/dev', refs)).toBe('refs/heads/dev');
    expect(newHeadBranch('refs/heads/gone', refs)).toBe('refs/heads/gone');
  });

  it('otherwise names main, master or the first branch, and main when there is none', () => {
    expect(newHeadBranch(undefined, refs)).toBe('refs/heads/master');
    expect(newHeadBranch('not a ref', [{ ref: 'refs/heads/b' }, { ref: 'refs/heads/a' }])).toBe('refs/heads/b');
    expect(newHeadBranch('refs/tags/v1', [{ ref: 'refs/tags/v1' }])).toBe('refs/heads/main');
  });
});

describe('lockedRefusal', () => {
  const context = { serverTime: new Date('2024-05-01T12:00:00Z'), ttlMs: 60_000, bucket: 'b', display: 's3://b/r' };
  const lock = (secondsAgo: number) => ({
    ref: 'refs/heads/main',
    key: 'r/refs/heads/main/LOCK#.lock',
    lastModified: new Date(context.serverTime.getTime() - secondsAgo * 1000),
  });

  it('asks to retry after a push in progress', () => {
    const error = lockedRefusal(lock(12), context);
    expect(error.code).toBe('migration-refused');
    expect(error.message).toBe(
      'cannot migrate s3://b/r: ref refs/heads/main is locked by a push in progress (s3://b/r/refs/heads/main/LOCK#.lock, 12s old); retry when it has finished',
    );
  });

  it('sends a stale lock to doctor', () => {
    expect(lockedRefusal(lock(300), context).message).toBe(
      "cannot migrate s3://b/r: ref refs/heads/main has a stale lock (s3://b/r/refs/heads/main/LOCK#.lock, 5m00s old) left by a push that did not finish; run 'git s3 doctor --delete-stale-locks s3://b/r', then retry",
    );
  });
});

describe('keyChanges', () => {
  it('tells the keys that appeared and those that went, sorted', () => {
    expect(keyChanges(['r/a', 'r/b', 'r/c'], ['r/d', 'r/c', 'r/a'])).toEqual({ added: ['r/d'], removed: ['r/b'] });
    expect(keyChanges(['r/a'], ['r/a'])).toEqual({ added: [], removed: [] });
  });
});

describe('refsMissingFrom', () => {
  it('lists the refs the other side lacks or holds at another id', () => {
    const found = [
      { ref: 'refs/heads/main', sha: A },
      { ref: 'refs/heads/dev', sha: A },
      { ref: 'refs/heads/new', sha: B },
    ];
    const kept = [
      { ref: 'refs/heads/main', sha: A },
      { ref: 'refs/heads/dev', sha: B },
    ];
    expect(refsMissingFrom(found, kept)).toEqual([
      { ref: 'refs/heads/dev', sha: A },
      { ref: 'refs/heads/new', sha: B },
    ]);
  });
});

describe('words', () => {
  it('names refs with short ids when known', () => {
    expect(nameRefs([{ ref: 'refs/heads/x', sha: A }, { ref: 'refs/tags/v1' }])).toBe('refs/heads/x (aaaaaaa), refs/tags/v1');
  });

  it('counts refs by kind', () => {
    expect(describeRefs([{ ref: 'refs/heads/a' }, { ref: 'refs/heads/b' }, { ref: 'refs/tags/v1' }, { ref: 'refs/notes/x' }])).toBe(
      '4 refs (2 branches, 1 tag, 1 other ref)',
    );
    expect(describeRefs([{ ref: 'refs/heads/a' }])).toBe('1 ref (1 branch)');
    expect(describeRefs([])).toBe('0 refs');
  });

  it('sums a migration up in one line', () => {
    expect(summaryLine('s3://b/r', 'packs', { refs: 5, bytesWritten: 2048, keysDeleted: 1 })).toBe(
      'migrated 5 refs of s3://b/r to the packs layout: 2.00 KiB written, 1 key of the old layout deleted',
    );
  });
});
