import { formatPushLogEntry, type PushLogEntry, pushLogKey, UsageError } from '@git-remote-s3/core';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { describe, expect, it, vi } from 'vitest';
import { memoryRemote } from '../layouts/test-repo.fixture.js';
import { jsonLines, logRef, numberUpdates, readPushLog, reflogLine, type StoredEntry } from './push-log.js';

const A = 'a1'.repeat(20);
const B = 'b2'.repeat(20);
const C = 'c3'.repeat(20);
const pusher = { name: 'A U Thor', email: 'author@example.com' };

function entry(time: string, updates: PushLogEntry['updates']): PushLogEntry {
  return { version: 1, kind: 'push', time, pusher, tool: 'git-remote-s3/0.2.0', updates };
}
const first = entry('2026-11-30T06:00:00.000Z', [{ ref: 'refs/heads/main', old: null, new: A, forced: false, deleted: false }]);
const second = entry('2026-11-30T07:00:00.000Z', [
  { ref: 'refs/heads/main', old: A, new: B, forced: false, deleted: false },
  { ref: 'refs/heads/topic', old: null, new: B, forced: false, deleted: false },
]);
const third = entry('2026-11-30T08:00:00.000Z', [{ ref: 'refs/heads/main', old: B, new: C, forced: true, deleted: false }]);
const fourth = entry('2026-11-30T09:30:05.000Z', [{ ref: 'refs/heads/topic', old: B, new: null, forced: false, deleted: true }]);

async function storeWith(entries: readonly PushLogEntry[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const [i, e] of entries.entries()) await store.put(pushLogKey('repo', new Date(e.time), `0000000${i}`), formatPushLogEntry(e));
  return store;
}

describe('readPushLog', () => {
  it('reads every entry newest first with one LIST and a GET each, ignoring other keys under logs/', async () => {
    const store = await storeWith([third, first, fourth, second]);
    await store.put('repo/logs/HEAD', 'a reflog git wrote\n');
    const before = store.requestCounts();
    const read = await readPushLog(memoryRemote(store));
    expect(read.map((s) => s.entry)).toStrictEqual([fourth, third, second, first]);
    const after = store.requestCounts();
    expect((after.ListObjectsV2 ?? 0) - (before.ListObjectsV2 ?? 0)).toBe(1);
    expect((after.GetObject ?? 0) - (before.GetObject ?? 0)).toBe(4);
  });

  it('skips a damaged entry with a warning and shows the rest', async () => {
    const store = await storeWith([first, second]);
    await store.put(pushLogKey('repo', new Date('2026-11-30T06:30:00.000Z'), 'ffffffff'), '{"version":1,"kind":"push"');
    const { log } = await import('@git-remote-s3/core');
    const warn = vi.spyOn(log, 'warn').mockImplementation(() => {});
    const read = await readPushLog(memoryRemote(store));
    expect(read.map((s) => s.entry)).toStrictEqual([second, first]);
    expect(warn.mock.calls.map((c) => c[0])).toStrictEqual([
      'skipped a push log entry: s3://memory/repo/logs/20261130T063000.000Z-ffffffff.json is corrupt: not a push log entry (not JSON); delete it; the push log is a record, the refs are unaffected',
    ]);
    warn.mockRestore();
  });

  it('reads an empty log as no entries', async () => {
    expect(await readPushLog(memoryRemote(new MemoryStore()))).toStrictEqual([]);
  });
});

const stored: StoredEntry[] = [fourth, third, second, first].map((e, i) => ({ key: `repo/logs/${i}.json`, entry: e }));

describe('reflog lines', () => {
  it('numbers each ref from its newest update, as git reflog does', () => {
    expect(numberUpdates(stored).map(reflogLine)).toStrictEqual([
      '0000000 refs/heads/topic@{0}: push (deleted) by A U Thor <author@example.com>, 2026-11-30 09:30:05 +0000',
      'c3c3c3c refs/heads/main@{0}: push (forced) by A U Thor <author@example.com>, 2026-11-30 08:00:00 +0000',
      'b2b2b2b refs/heads/main@{1}: push by A U Thor <author@example.com>, 2026-11-30 07:00:00 +0000',
      'b2b2b2b refs/heads/topic@{1}: push (created) by A U Thor <author@example.com>, 2026-11-30 07:00:00 +0000',
      'a1a1a1a refs/heads/main@{2}: push (created) by A U Thor <author@example.com>, 2026-11-30 06:00:00 +0000',
    ]);
  });

  it("shows one ref's history alone, numbered the same", () => {
    expect(numberUpdates(stored, 'refs/heads/main').map((u) => `${u.update.ref}@{${u.n}}`)).toStrictEqual([
      'refs/heads/main@{0}',
      'refs/heads/main@{1}',
      'refs/heads/main@{2}',
    ]);
  });

  it('prints an entry per JSON line with its key and each update numbered', () => {
    const lines = jsonLines(stored, 'refs/heads/topic').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toStrictEqual({ key: 'repo/logs/0.json', ...fourth, updates: [{ ...fourth.updates[0], n: 0 }] });
    expect(lines[1].updates).toStrictEqual([{ ...second.updates[1], n: 1 }]);
  });
});

describe('logRef', () => {
  it('resolves a short name as git does among the logged refs, a branch by default', () => {
    expect(logRef('topic', stored)).toBe('refs/heads/topic');
    expect(logRef('refs/heads/main', stored)).toBe('refs/heads/main');
    expect(logRef('v9', stored)).toBe('refs/heads/v9');
    const tagged: StoredEntry[] = [
      { key: 'k', entry: entry(first.time, [{ ...first.updates[0], ref: 'refs/tags/v1' }] as PushLogEntry['updates']) },
    ];
    expect(logRef('v1', tagged)).toBe('refs/tags/v1');
  });

  it('refuses a name git would refuse', () => {
    expect(() => logRef('a..b', stored)).toThrow(UsageError);
  });
});
