import { AccessDeniedError, isPushLogKey, parsePushLogEntry } from '@git-remote-s3/core';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { describe, expect, it, vi } from 'vitest';
import { VERSION } from '../version.js';
import { parseIdent, pushLogEntry, writePushLog } from './push-log.js';
import { memoryRemote } from './test-repo.fixture.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('pushLogEntry', () => {
  it('lists each ref with null for a missing id, deleted when it has no new id, refs in name order', () => {
    const entry = pushLogEntry(
      [
        { ref: 'refs/tags/v1', old: A, new: undefined, forced: false },
        { ref: 'refs/heads/main', old: A, new: B, forced: true },
        { ref: 'refs/heads/new', old: undefined, new: B, forced: false },
      ],
      { name: 'N', email: 'e@x' },
      new Date('2026-11-30T06:31:08.123Z'),
    );
    expect(entry).toStrictEqual({
      version: 1,
      kind: 'push',
      time: '2026-11-30T06:31:08.123Z',
      pusher: { name: 'N', email: 'e@x' },
      tool: `git-remote-s3/${VERSION}`,
      updates: [
        { ref: 'refs/heads/main', old: A, new: B, forced: true, deleted: false },
        { ref: 'refs/heads/new', old: null, new: B, forced: false, deleted: false },
        { ref: 'refs/tags/v1', old: A, new: null, forced: false, deleted: true },
      ],
    });
  });
});

describe('parseIdent', () => {
  it("takes name and email from git's committer identity", () => {
    expect(parseIdent('A U Thor <author@example.com> 1764484268 +0100')).toStrictEqual({ name: 'A U Thor', email: 'author@example.com' });
    expect(parseIdent('<e@x> 1 -0700')).toStrictEqual({ name: '', email: 'e@x' });
    expect(parseIdent('no identity')).toBeUndefined();
  });
});

describe('writePushLog', () => {
  it('writes one readable entry under logs/ with one PUT', async () => {
    const store = new MemoryStore();
    await writePushLog(memoryRemote(store), [{ ref: 'refs/heads/main', old: A, new: B, forced: false }]);
    const { objects } = await store.list('repo/logs/');
    expect(objects).toHaveLength(1);
    const key = objects[0]?.key ?? '';
    expect(isPushLogKey('repo', key)).toBe(true);
    expect(store.requestCounts()).toStrictEqual({ PutObject: 1, ListObjectsV2: 1 });
    const entry = parsePushLogEntry((await store.getText(key))?.text ?? '', key);
    expect(entry.updates).toStrictEqual([{ ref: 'refs/heads/main', old: A, new: B, forced: false, deleted: false }]);
  });

  it('writes nothing when no ref changed', async () => {
    const store = new MemoryStore();
    await writePushLog(memoryRemote(store), []);
    expect((await store.list('repo/')).objects).toHaveLength(0);
  });

  it('only warns when the bucket refuses the entry', async () => {
    const store = new MemoryStore();
    store.failWrites(new AccessDeniedError('PutObject', 'memory', 'repo/logs/x.json', undefined));
    const { log } = await import('@git-remote-s3/core');
    const warn = vi.spyOn(log, 'warn').mockImplementation(() => {});
    await expect(writePushLog(memoryRemote(store), [{ ref: 'refs/heads/main', old: A, new: B, forced: false }])).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toMatch(
      /^the push is done, but its push log entry was not written \(.*access denied.*\); the refs are updated$/i,
    );
    warn.mockRestore();
  });
});
