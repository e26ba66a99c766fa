import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockHeldError, LockLostError, NetworkError, NotFoundError, PreconditionFailedError, S3RequestError } from './errors.js';
import { holdsAnything } from './interrupt.js';
import { acquireLock, DEFAULT_LOCK_TTL_MS, judgeLock, releaseHeldLocks } from './lock.js';
import type { ObjectStore } from './store.js';
import { MemoryStore } from './test-support/memory-store.js';

const WRITTEN = new Date('2024-05-01T12:00:00.000Z');
const after = (ms: number) => new Date(WRITTEN.getTime() + ms);

describe('judgeLock', () => {
  it('treats a lock written just now as fresh', () => {
    expect(judgeLock(WRITTEN, WRITTEN, 60_000)).toStrictEqual({ stale: false, ageMs: 0 });
  });

  it('treats a lock younger than the TTL as fresh', () => {
    expect(judgeLock(WRITTEN, after(59_999), 60_000)).toStrictEqual({ stale: false, ageMs: 59_999 });
  });

  it('treats a lock exactly as old as the TTL as fresh', () => {
    expect(judgeLock(WRITTEN, after(60_000), 60_000)).toStrictEqual({ stale: false, ageMs: 60_000 });
  });

  it('treats a lock one millisecond older than the TTL as stale', () => {
    expect(judgeLock(WRITTEN, after(60_001), 60_000)).toStrictEqual({ stale: true, ageMs: 60_001 });
  });

  it('treats a lock far older than the TTL as stale', () => {
    expect(judgeLock(WRITTEN, after(3_600_000), 60_000)).toStrictEqual({ stale: true, ageMs: 3_600_000 });
  });

  it('uses the TTL it is given', () => {
    expect(judgeLock(WRITTEN, after(5_000), 4_000).stale).toBe(true);
    expect(judgeLock(WRITTEN, after(5_000), 6_000).stale).toBe(false);
  });

  it('gives age 0 and keeps the lock when the server clock is behind lastModified', () => {
    expect(judgeLock(WRITTEN, after(-120_000), 60_000)).toStrictEqual({ stale: false, ageMs: 0 });
  });

  it('never calls a lock stale from clock skew even with a zero TTL', () => {
    expect(judgeLock(WRITTEN, after(-1), 0)).toStrictEqual({ stale: false, ageMs: 0 });
  });

  it('has a default TTL of one minute', () => {
    expect(DEFAULT_LOCK_TTL_MS).toBe(60_000);
  });
});

describe('a ref lock on a store that loses the answers of writes it carried out', () => {
  const KEY = 'repo/refs/heads/main/LOCK#.lock';
  const options = (ttlMs = 60_000) => ({ ttlMs, ref: 'refs/heads/main', remoteUrl: 's3://memory/repo' });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds a lock whose create was answered 412 by its own retry, and releases it', async () => {
    const store = new MemoryStore();
    store.loseAnswers('retried');
    const lock = await acquireLock(store, KEY, options());
    expect(store.lostAnswers).toBe(1);
    expect(() => lock.assertHeld()).not.toThrow();
    await lock.release();
    expect(store.keys()).toStrictEqual([]);
  });

  it('holds a lock whose create landed before a 500 or a reset', async () => {
    for (const mode of ['500', 'reset'] as const) {
      const store = new MemoryStore();
      store.loseAnswers(mode);
      const lock = await acquireLock(store, KEY, options());
      await lock.release();
      expect(store.keys()).toStrictEqual([]);
    }
  });

  it("refuses a rival's fresh lock and leaves it in place", async () => {
    const store = new MemoryStore();
    store.plant(KEY, '{"nonce":"rival"}\n');
    await expect(acquireLock(store, KEY, options())).rejects.toBeInstanceOf(LockHeldError);
    expect((await store.getText(KEY))?.text).toBe('{"nonce":"rival"}\n');
  });

  it('holds a stale lock it took over although the takeover answer was lost', async () => {
    const store = new MemoryStore();
    store.plant(KEY, '{"nonce":"dead"}\n', new Date(Date.now() - 120_000));
    store.loseAnswers('retried');
    const lock = await acquireLock(store, KEY, options());
    expect(store.lostAnswers).toBe(1);
    expect((await store.getText(KEY))?.text).not.toContain('dead');
    await lock.release();
    expect(store.keys()).toStrictEqual([]);
  });

  it('leaves no lock behind when a create landed but neither the write nor the read-back could tell', async () => {
    const store = new MemoryStore();
    store.loseAnswers('500');
    store.failReads(1);
    await expect(acquireLock(store, KEY, options())).rejects.toBeInstanceOf(S3RequestError);
    expect(store.keys()).toStrictEqual([]);
  });

  it('keeps the lock through a heartbeat whose answer was lost, then releases it', async () => {
    vi.useFakeTimers();
    const store = new MemoryStore();
    const lock = await acquireLock(store, KEY, options(3000));
    store.loseAnswers('retried');
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.lostAnswers).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(() => lock.assertHeld()).not.toThrow();
    expect(lock.signal.aborted).toBe(false);
    await lock.release();
    expect(store.keys()).toStrictEqual([]);
  });

  it('keeps and releases its lock when a heartbeat landed unheard (its read-back failed too)', async () => {
    vi.useFakeTimers();
    const store = new MemoryStore();
    const lock = await acquireLock(store, KEY, options(3000));
    store.loseAnswers('reset');
    store.failReads(1);
    await vi.advanceTimersByTimeAsync(1000); // lands; its answer and the read-back are lost: old ETag kept
    await vi.advanceTimersByTimeAsync(1000); // 412 on the old ETag, but the lock holds our body: still ours
    expect(lock.signal.aborted).toBe(false);
    expect(() => lock.assertHeld()).not.toThrow();
    await lock.release();
    expect(store.keys()).toStrictEqual([]);
  });

  it('gives up and leaves a lock that another push took over', async () => {
    vi.useFakeTimers();
    const store = new MemoryStore();
    const lock = await acquireLock(store, KEY, options(3000));
    store.plant(KEY, '{"nonce":"taker"}\n');
    await vi.advanceTimersByTimeAsync(1000);
    expect(lock.signal.aborted).toBe(true);
    await lock.release();
    expect((await store.getText(KEY))?.text).toBe('{"nonce":"taker"}\n');
  });
});

/**
 * One lock object in memory, answering conditional writes the way a store does. `missingIfMatch` is what a
 * write conditional on an object that is not there gets: 404 on S3 and MinIO, 412 on SeaweedFS.
 */
function lockStore(missingIfMatch: 'not-found' | 'precondition-failed') {
  let object: { etag: string; lastModified: Date; text: string } | undefined;
  let writes = 0;
  const store = {
    bucket: 'b',
    /** Runs just before a conditional write is judged: a rival's move between our look and our write. */
    beforeWrite: undefined as (() => void) | undefined,
    async head(key: string) {
      return object && { key, size: 1, etag: object.etag, lastModified: object.lastModified, metadata: {}, serverTime: new Date() };
    },
    async getText(_key: string) {
      return object && { text: object.text, etag: object.etag };
    },
    async put(key: string, body: string, options: { ifNoneMatch?: string; ifMatch?: string } = {}) {
      store.beforeWrite?.();
      if (options.ifNoneMatch && object) throw new PreconditionFailedError('b', key, 'If-None-Match: *');
      if (options.ifMatch && !object) {
        throw missingIfMatch === 'not-found' ? new NotFoundError('b', key) : new PreconditionFailedError('b', key, 'If-Match');
      }
      if (options.ifMatch && object?.etag !== options.ifMatch) throw new PreconditionFailedError('b', key, 'If-Match');
      object = { etag: `"${++writes}"`, lastModified: new Date(), text: body };
      return { etag: object.etag };
    },
    async delete() {
      object = undefined;
    },
    plant(lastModified: Date) {
      object = { etag: '"planted"', lastModified, text: '{"nonce":"old holder"}\n' };
    },
    exists: () => object !== undefined,
  };
  return store;
}

const lockOptions = { ttlMs: 3_000, ref: 'refs/heads/main', remoteUrl: 's3://b/r' };

describe.each(['not-found', 'precondition-failed'] as const)('a lock on a store answering If-Match on a missing key with %s', (answer) => {
  afterEach(() => vi.useRealTimers());

  it('is lost at the next heartbeat once someone deleted it, not only after the TTL', async () => {
    vi.useFakeTimers();
    const store = lockStore(answer);
    const lock = await acquireLock(store as unknown as ObjectStore, 'r/LOCK#.lock', lockOptions);
    await store.delete();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lock.signal.aborted).toBe(true);
    expect(lock.signal.reason).toBeInstanceOf(LockLostError);
    await lock.release();
  });

  it('is created afresh when a stale lock is released between the look and the takeover', async () => {
    const store = lockStore(answer);
    store.plant(new Date(Date.now() - 60_000));
    let looked = false;
    store.beforeWrite = () => {
      // the takeover's If-Match write comes after the create-only write and the look: the old holder lets go
      if (looked) store.delete();
      looked = true;
    };
    const lock = await acquireLock(store as unknown as ObjectStore, 'r/LOCK#.lock', lockOptions);
    store.beforeWrite = undefined;
    expect(lock.signal.aborted).toBe(false);
    expect(store.exists()).toBe(true);
    await lock.release();
    expect(store.exists()).toBe(false);
  });
});

describe('releaseHeldLocks (what an interruption releases)', () => {
  const options = { ttlMs: 60_000, ref: 'refs/heads/main', remoteUrl: 's3://memory/repo' };

  it('releases every lock the process holds, each with one delete, and stops work under them', async () => {
    const store = new MemoryStore();
    const main = await acquireLock(store, 'repo/refs/heads/main/LOCK#.lock', options);
    const dev = await acquireLock(store, 'repo/refs/heads/dev/LOCK#.lock', options);
    await releaseHeldLocks();
    expect(store.keys()).toStrictEqual([]);
    expect(store.requestCounts().DeleteObject).toBe(2);
    expect(() => main.assertHeld()).toThrow(LockLostError);
    await Promise.all([main.release(), dev.release(), releaseHeldLocks()]);
    expect(store.requestCounts().DeleteObject).toBe(2);
  });

  it('leaves alone a lock another push took over, and still releases the others', async () => {
    const store = new MemoryStore();
    await acquireLock(store, 'repo/refs/heads/main/LOCK#.lock', options);
    await acquireLock(store, 'repo/refs/heads/dev/LOCK#.lock', options);
    store.plant('repo/refs/heads/main/LOCK#.lock', '{"nonce":"another push"}\n');
    await releaseHeldLocks();
    expect(store.keys()).toStrictEqual(['repo/refs/heads/main/LOCK#.lock']);
    expect((await store.getText('repo/refs/heads/main/LOCK#.lock'))?.text).toBe('{"nonce":"another push"}\n');
  });

  it('waits for a release its holder already started rather than finish first', async () => {
    const store = new MemoryStore();
    const lock = await acquireLock(store, KEY_FOR_WAIT, options);
    const byHolder = lock.release();
    await releaseHeldLocks();
    expect(store.keys()).toStrictEqual([]);
    await byHolder;
  });

  it('registers an undo only while a lock is held', async () => {
    const store = new MemoryStore();
    expect(holdsAnything()).toBe(false);
    const lock = await acquireLock(store, KEY_FOR_WAIT, options);
    expect(holdsAnything()).toBe(true);
    await lock.release();
    expect(holdsAnything()).toBe(false);
  });
});

const KEY_FOR_WAIT = 'repo/refs/heads/wait/LOCK#.lock';

describe('a ref lock on the in-memory store, on fake time', () => {
  const KEY = 'repo/refs/heads/main/LOCK#.lock';
  const TTL = 3_000;
  const options = { ttlMs: TTL, ref: 'refs/heads/main', remoteUrl: 's3://memory/repo' };
  const START = new Date('2024-05-01T12:00:00.000Z');

  afterEach(async () => {
    await releaseHeldLocks();
    vi.useRealTimers();
  });

  it('refuses a lock exactly as old as the TTL and takes it over one millisecond later, with If-Match on its ETag', async () => {
    vi.useFakeTimers({ now: START });
    const store = new MemoryStore();
    const deadEtag = store.plant(KEY, '{"nonce":"dead holder"}\n');
    vi.setSystemTime(START.getTime() + TTL);
    const refused = acquireLock(store, KEY, options);
    await expect(refused).rejects.toBeInstanceOf(LockHeldError);
    await expect(refused).rejects.toHaveProperty('data.ageMs', TTL);
    vi.setSystemTime(START.getTime() + TTL + 1);
    const before = store.requestCounts().PutObject ?? 0;
    const lock = await acquireLock(store, KEY, options);
    // one create-only write refused (412), then one takeover conditional on the dead holder's ETag
    expect((store.requestCounts().PutObject ?? 0) - before).toBe(2);
    const now = await store.getText(KEY);
    expect(now?.text).not.toContain('dead holder');
    expect(now?.etag).not.toBe(deadEtag);
    expect(() => lock.assertHeld()).not.toThrow();
    await lock.release();
    expect(store.keys()).toStrictEqual([]);
  });

  it('lets only one of two pushes take over the same stale lock; the other is told it is held', async () => {
    vi.useFakeTimers({ now: START });
    const store = new MemoryStore();
    store.plant(KEY, '{"nonce":"dead holder"}\n');
    vi.setSystemTime(START.getTime() + 2 * TTL);
    const [first, second] = await Promise.allSettled([acquireLock(store, KEY, options), acquireLock(store, KEY, options)]);
    expect([first.status, second.status].sort()).toStrictEqual(['fulfilled', 'rejected']);
    const loser = [first, second].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(LockHeldError);
  });

  it('keeps its lock fresh with heartbeats well past the TTL, so no other push can take it', async () => {
    vi.useFakeTimers({ now: START });
    const store = new MemoryStore();
    const lock = await acquireLock(store, KEY, options);
    const firstEtag = (await store.getText(KEY))?.etag;
    await vi.advanceTimersByTimeAsync(4 * TTL);
    expect(store.requestCounts().PutObject).toBe(1 + (4 * TTL) / (TTL / 3));
    expect((await store.head(KEY))?.lastModified.getTime()).toBe(START.getTime() + 4 * TTL);
    expect((await store.getText(KEY))?.etag).not.toBe(firstEtag);
    expect(() => lock.assertHeld()).not.toThrow();
    await expect(acquireLock(store, KEY, options)).rejects.toBeInstanceOf(LockHeldError);
    expect(lock.signal.aborted).toBe(false);
    await lock.release();
    expect(store.keys()).toStrictEqual([]);
  });

  it('keeps its lock through a heartbeat answered 409 ConditionalRequestConflict', async () => {
    vi.useFakeTimers({ now: START });
    const store = new MemoryStore();
    const lock = await acquireLock(store, KEY, options);
    store.conflictNext(1);
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(lock.signal.aborted).toBe(false);
    expect((await store.head(KEY))?.lastModified.getTime()).toBe(START.getTime() + TTL / 3);
    await lock.release();
  });

  it('is lost to a push that took it over while its process stood still: aborted with LockLostError, and left to the taker', async () => {
    vi.useFakeTimers({ now: START });
    const store = new MemoryStore();
    const stalled = await acquireLock(store, KEY, options);
    // The holder's process is suspended past the TTL: the clock moves, its heartbeat does not run.
    vi.setSystemTime(START.getTime() + TTL + 1);
    const taker = await acquireLock(store, KEY, options);
    await vi.advanceTimersByTimeAsync(TTL / 3); // the holder's next heartbeat meets the taker's ETag
    const takersBody = (await store.getText(KEY))?.text;
    expect(stalled.signal.aborted).toBe(true);
    expect(stalled.signal.reason).toBeInstanceOf(LockLostError);
    expect(() => stalled.assertHeld()).toThrow(
      `lost the lock s3://memory/${KEY} while pushing (another push took it over); nothing was committed, retry`,
    );
    await stalled.release();
    expect((await store.getText(KEY))?.text).toBe(takersBody);
    expect(taker.signal.aborted).toBe(false);
    expect(() => taker.assertHeld()).not.toThrow();
    await taker.release();
    expect(store.keys()).toStrictEqual([]);
  });

  it('gives its lock up once heartbeats have failed for longer than the TTL, before any commit', async () => {
    vi.useFakeTimers({ now: START });
    const store = new MemoryStore();
    const lock = await acquireLock(store, KEY, options);
    const down = () => new NetworkError('memory://', 'ECONNREFUSED');
    store.failWrites(down(), down(), down(), down());
    await vi.advanceTimersByTimeAsync(TTL);
    expect(lock.signal.aborted).toBe(false); // exactly the TTL without a refresh: still ours
    await vi.advanceTimersByTimeAsync(TTL / 3);
    expect(lock.signal.aborted).toBe(true);
    expect(() => lock.assertHeld()).toThrow(LockLostError);
    await lock.release();
  });
});
