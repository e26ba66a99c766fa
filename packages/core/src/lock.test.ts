import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockLostError, NotFoundError, PreconditionFailedError } from './errors.js';
import { acquireLock, DEFAULT_LOCK_TTL_MS, judgeLock } from './lock.js';
import type { ObjectStore } from './store.js';

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

/**
 * One lock object in memory, answering conditional writes the way a store does. `missingIfMatch` is what a
 * write conditional on an object that is not there gets: 404 on S3 and MinIO, 412 on SeaweedFS.
 */
function lockStore(missingIfMatch: 'not-found' | 'precondition-failed') {
  let object: { etag: string; lastModified: Date } | undefined;
  let writes = 0;
  const store = {
    bucket: 'b',
    /** Runs just before a conditional write is judged: a rival's move between our look and our write. */
    beforeWrite: undefined as (() => void) | undefined,
    async head(key: string) {
      return object && { key, size: 1, etag: object.etag, lastModified: object.lastModified, metadata: {}, serverTime: new Date() };
    },
    async put(key: string, _body: string, options: { ifNoneMatch?: string; ifMatch?: string } = {}) {
      store.beforeWrite?.();
      if (options.ifNoneMatch && object) throw new PreconditionFailedError('b', key, 'If-None-Match: *');
      if (options.ifMatch && !object) {
        throw missingIfMatch === 'not-found' ? new NotFoundError('b', key) : new PreconditionFailedError('b', key, 'If-Match');
      }
      if (options.ifMatch && object?.etag !== options.ifMatch) throw new PreconditionFailedError('b', key, 'If-Match');
      object = { etag: `"${++writes}"`, lastModified: new Date() };
      return { etag: object.etag };
    },
    async delete() {
      object = undefined;
    },
    plant(lastModified: Date) {
      object = { etag: '"planted"', lastModified };
    },
    exists: () => object !== undefined,
  };
  return store;
}

const options = { ttlMs: 3_000, ref: 'refs/heads/main', remoteUrl: 's3://b/r' };

describe.each(['not-found', 'precondition-failed'] as const)('a lock on a store answering If-Match on a missing key with %s', (answer) => {
  afterEach(() => vi.useRealTimers());

  it('is lost at the next heartbeat once someone deleted it, not only after the TTL', async () => {
    vi.useFakeTimers();
    const store = lockStore(answer);
    const lock = await acquireLock(store as unknown as ObjectStore, 'r/LOCK#.lock', options);
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
    const lock = await acquireLock(store as unknown as ObjectStore, 'r/LOCK#.lock', options);
    store.beforeWrite = undefined;
    expect(lock.signal.aborted).toBe(false);
    expect(store.exists()).toBe(true);
    await lock.release();
    expect(store.exists()).toBe(false);
  });
});
