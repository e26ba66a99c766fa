import type { ObjectInfo } from '@git-remote-s3/core';
import { describe, expect, it } from 'vitest';
import { ambiguityError, type BundleObject, buildRefTable, type RefEntry, resolveRef } from './ref-table.js';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const TTL = 60_000;
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const SHA_C = 'c'.repeat(40);

const object = (key: string, secondsAgo: number, size = 100): ObjectInfo => ({
  key,
  size,
  etag: `"${key.length}"`,
  lastModified: new Date(NOW.getTime() - secondsAgo * 1000),
});

const bundleOf = (info: ObjectInfo, sha: string): BundleObject => ({
  sha,
  key: info.key,
  size: info.size,
  lastModified: info.lastModified,
});

/** The entry of `ref` in a table built from `objects` listed under `repo/refs/`. */
function entryOf(objects: readonly ObjectInfo[], ref = 'refs/heads/main'): RefEntry | undefined {
  return buildRefTable('repo', objects, NOW).refs.get(ref);
}

describe('buildRefTable', () => {
  const older = object(`repo/refs/heads/main/${SHA_A}.bundle`, 300, 10);
  const newer = object(`repo/refs/heads/main/${SHA_B}.bundle`, 30, 20);
  const newest = object(`repo/refs/heads/main/${SHA_C}.bundle`, 3, 30);
  const lock = object('repo/refs/heads/main/LOCK#.lock', 5, 12);
  const marker = object('repo/refs/heads/main/PROTECTED#', 500, 0);
  const zip = object('repo/refs/heads/main/repo.zip', 40, 4096);
  const tag = object(`repo/refs/tags/v1.0/${SHA_A}.bundle`, 1000, 7);

  it('groups bundles, lock, protection marker and zip under their ref, newest bundle first', () => {
    const table = buildRefTable('repo', [older, lock, newest, tag, marker, zip, newer], NOW);
    expect([...table.refs.keys()].sort()).toStrictEqual(['refs/heads/main', 'refs/tags/v1.0']);
    expect(table.refs.get('refs/heads/main')).toStrictEqual({
      ref: 'refs/heads/main',
      bundles: [bundleOf(newest, SHA_C), bundleOf(newer, SHA_B), bundleOf(older, SHA_A)],
      lock,
      protected: true,
      zip,
    });
    expect(table.refs.get('refs/tags/v1.0')).toStrictEqual({
      ref: 'refs/tags/v1.0',
      bundles: [bundleOf(tag, SHA_A)],
      lock: undefined,
      protected: false,
      zip: undefined,
    });
    expect(table.invalid).toStrictEqual([]);
    expect(table.serverTime).toBe(NOW);
  });

  it('keeps a ref that has only a lock, with no bundles', () => {
    const table = buildRefTable('repo', [lock], NOW);
    expect(table.refs.get('refs/heads/main')).toStrictEqual({
      ref: 'refs/heads/main',
      bundles: [],
      lock,
      protected: false,
      zip: undefined,
    });
  });

  it('keeps refs apart whose names share a prefix', () => {
    const table = buildRefTable(
      'repo',
      [object(`repo/refs/heads/a/${SHA_A}.bundle`, 1), object(`repo/refs/heads/ab/${SHA_B}.bundle`, 1)],
      NOW,
    );
    expect(table.refs.get('refs/heads/a')?.bundles.map((b) => b.sha)).toStrictEqual([SHA_A]);
    expect(table.refs.get('refs/heads/ab')?.bundles.map((b) => b.sha)).toStrictEqual([SHA_B]);
  });

  it('lists keys it does not understand with the reason and makes no ref of them', () => {
    const keys = [
      'repo/refs/heads/main/notes.txt',
      'repo/refs/heads/a..b/x.bundle',
      `repo/refs/heads/main/${SHA_A.slice(1)}.bundle`,
      'repo/refs/tags/v1/PROTECTED#',
      'other/refs/heads/main/LOCK#.lock',
      'repo/HEAD',
    ];
    const table = buildRefTable(
      'repo',
      keys.map((key) => object(key, 1)),
      NOW,
    );
    expect(table.refs.size).toBe(0);
    expect(table.invalid).toStrictEqual([
      { key: 'repo/refs/heads/main/notes.txt', reason: "unknown object 'notes.txt'" },
      { key: 'repo/refs/heads/a..b/x.bundle', reason: "'refs/heads/a..b' contains '..'" },
      { key: `repo/refs/heads/main/${SHA_A.slice(1)}.bundle`, reason: `'${SHA_A.slice(1)}' is not an object id` },
      { key: 'repo/refs/tags/v1/PROTECTED#', reason: 'protection marker outside refs/heads/' },
      { key: 'other/refs/heads/main/LOCK#.lock', reason: 'outside the repository prefix' },
      { key: 'repo/HEAD', reason: 'not under refs/' },
    ]);
  });

  it('gives an empty table for an empty listing', () => {
    const table = buildRefTable('repo', [], NOW);
    expect(table.refs.size).toBe(0);
    expect(table.invalid).toStrictEqual([]);
  });
});

describe('resolveRef', () => {
  const older = object(`repo/refs/heads/main/${SHA_A}.bundle`, 300);
  const newer = object(`repo/refs/heads/main/${SHA_B}.bundle`, 30);
  const newest = object(`repo/refs/heads/main/${SHA_C}.bundle`, 3);
  const sameAgeAsNewer = object(`repo/refs/heads/main/${SHA_C}.bundle`, 30);
  const liveLock = object('repo/refs/heads/main/LOCK#.lock', 10);
  const staleLock = object('repo/refs/heads/main/LOCK#.lock', 120);

  it('finds nothing for a ref the listing does not hold', () => {
    expect(resolveRef(undefined, TTL, NOW)).toStrictEqual({ kind: 'none' });
  });

  it('finds nothing for a ref with a lock and no bundle', () => {
    expect(resolveRef(entryOf([liveLock]), TTL, NOW)).toStrictEqual({ kind: 'none' });
  });

  it('takes the only bundle', () => {
    expect(resolveRef(entryOf([older]), TTL, NOW)).toStrictEqual({ kind: 'one', bundle: bundleOf(older, SHA_A), stale: [] });
  });

  it('takes the only bundle even while a push holds the lock', () => {
    expect(resolveRef(entryOf([older, liveLock]), TTL, NOW)).toStrictEqual({ kind: 'one', bundle: bundleOf(older, SHA_A), stale: [] });
  });

  it('takes the newest of two bundles without a lock and calls the other stale', () => {
    expect(resolveRef(entryOf([older, newer]), TTL, NOW)).toStrictEqual({
      kind: 'one',
      bundle: bundleOf(newer, SHA_B),
      stale: [bundleOf(older, SHA_A)],
    });
  });

  it('calls every bundle but the newest stale, newest first', () => {
    expect(resolveRef(entryOf([newer, older, newest]), TTL, NOW)).toStrictEqual({
      kind: 'one',
      bundle: bundleOf(newest, SHA_C),
      stale: [bundleOf(newer, SHA_B), bundleOf(older, SHA_A)],
    });
  });

  it('is ambiguous while a live lock shows a push in progress', () => {
    expect(resolveRef(entryOf([older, newer, liveLock]), TTL, NOW)).toStrictEqual({ kind: 'ambiguous', why: 'push in progress' });
  });

  it('takes the newest under a live lock that is our own', () => {
    expect(resolveRef(entryOf([older, newer, liveLock]), TTL, NOW, true)).toStrictEqual({
      kind: 'one',
      bundle: bundleOf(newer, SHA_B),
      stale: [bundleOf(older, SHA_A)],
    });
  });

  it('takes the newest when the lock is older than the TTL', () => {
    expect(resolveRef(entryOf([older, newer, staleLock]), TTL, NOW)).toStrictEqual({
      kind: 'one',
      bundle: bundleOf(newer, SHA_B),
      stale: [bundleOf(older, SHA_A)],
    });
  });

  it('judges the lock by the TTL it is given', () => {
    expect(resolveRef(entryOf([older, newer, staleLock]), 600_000, NOW)).toStrictEqual({ kind: 'ambiguous', why: 'push in progress' });
  });

  it('is ambiguous when the two newest bundles have the same Last-Modified', () => {
    expect(resolveRef(entryOf([older, newer, sameAgeAsNewer]), TTL, NOW)).toStrictEqual({ kind: 'ambiguous', why: 'same age' });
  });

  it('is ambiguous for bundles of the same age even under our own lock', () => {
    expect(resolveRef(entryOf([newer, sameAgeAsNewer, liveLock]), TTL, NOW, true)).toStrictEqual({ kind: 'ambiguous', why: 'same age' });
  });
});

describe('ambiguityError', () => {
  it('asks to retry while a push holds the lock, naming the lock and its age', () => {
    const entry = entryOf([
      object(`repo/refs/heads/main/${SHA_A}.bundle`, 30),
      object(`repo/refs/heads/main/${SHA_B}.bundle`, 2),
      object('repo/refs/heads/main/LOCK#.lock', 5),
    ]);
    if (!entry) throw new Error('no entry');
    const error = ambiguityError(entry, 'push in progress', NOW, 'b', 's3://b/repo');
    expect(error.message).toBe(
      "ref refs/heads/main is being pushed right now (2 bundles while s3://b/repo/refs/heads/main/LOCK#.lock is 5s old); retry in a moment, or run 'git s3 doctor s3://b/repo' if it persists",
    );
  });

  it('names doctor when the bundles cannot be told apart', () => {
    const entry = entryOf([object(`repo/refs/heads/main/${SHA_A}.bundle`, 2), object(`repo/refs/heads/main/${SHA_B}.bundle`, 2)]);
    if (!entry) throw new Error('no entry');
    expect(ambiguityError(entry, 'same age', NOW, 'b', 's3://b/repo').message).toMatch(
      /^ref refs\/heads\/main has 2 bundles \(.*\); run 'git s3 doctor s3:\/\/b\/repo' to inspect and repair$/,
    );
  });
});
