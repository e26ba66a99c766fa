import { describe, expect, it } from 'vitest';
import { formatRefList, lockNote } from './list.js';
import { NOW, listed as object, SHA_A, SHA_B, remoteState as state } from './remote-state.fixture.js';

const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

describe('formatRefList', () => {
  it('names HEAD first, then one aligned row per ref sorted by name with short sha, size and age', () => {
    const lines = formatRefList(
      state(
        [object(`repo/refs/tags/v1/${SHA_B}.bundle`, 3725, 2048), object(`repo/refs/heads/main/${SHA_A}.bundle`, 12, 300)],
        'refs/heads/main',
      ),
      60_000,
      's3://b/repo',
    );
    expect(lines).toEqual([
      'HEAD: refs/heads/main',
      'aaaaaaa  refs/heads/main  300 bytes  12s ago',
      'bbbbbbb  refs/tags/v1     2.00 KiB   1h02m ago',
    ]);
  });

  it('marks protected branches, extra bundles, live and stale locks', () => {
    const lines = formatRefList(
      state(
        [
          object(`repo/refs/heads/main/${SHA_A}.bundle`, 5),
          object(`repo/refs/heads/main/${SHA_B}.bundle`, 50),
          object('repo/refs/heads/main/PROTECTED#', 500, 0),
          object('repo/refs/heads/main/LOCK#.lock', 12, 10),
          object(`repo/refs/heads/old/${SHA_B}.bundle`, 400),
          object('repo/refs/heads/old/LOCK#.lock', 184, 10),
        ],
        'refs/heads/main',
      ),
      60_000,
      's3://b/repo',
    );
    expect(lines[1]).toBe('aaaaaaa  refs/heads/main  100 bytes  5s ago     protected, 2 bundles, locked 12s');
    expect(lines[2]).toBe('bbbbbbb  refs/heads/old   100 bytes  6m40s ago  stale lock 3m04s');
  });

  it('shows a ref that has a marker or lock but no bundle with dashes', () => {
    const lines = formatRefList(state([object('repo/refs/heads/next/PROTECTED#', 1, 0)], null), 60_000, 's3://b/repo');
    expect(lines).toEqual(['HEAD: missing', '-  refs/heads/next  -  -  protected']);
  });

  it('says when HEAD names a branch that does not exist', () => {
    const lines = formatRefList(state([object(`repo/refs/heads/main/${SHA_A}.bundle`, 1)], 'refs/heads/gone'), 60_000, 's3://b/repo');
    expect(lines[0]).toBe('HEAD: refs/heads/gone, which does not exist');
  });

  it('says that an empty remote has no refs', () => {
    expect(formatRefList(state([], null), 60_000, 's3://b/repo')).toEqual(['no refs on s3://b/repo']);
  });
});

describe('lockNote', () => {
  it('calls a lock as old as the TTL live and an older one stale', () => {
    expect(lockNote(ago(60), NOW, 60_000)).toBe('locked 1m00s');
    expect(lockNote(ago(61), NOW, 60_000)).toBe('stale lock 1m01s');
  });
});
