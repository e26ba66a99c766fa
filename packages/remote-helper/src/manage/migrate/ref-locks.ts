// The bundle layout's push locks of many refs, held at once the way a bundle pusher holds one: while they
// are held, a push to any of these refs is refused with the usual "locked" message, and each lock is kept
// fresh by its own heartbeat however long the migration takes.
import { acquireLock, type HeldLock, lockKey, log, mapConcurrent } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';

/** Locks taken or released at once: each is one conditional request. */
const LOCK_CONCURRENCY = 8;

export class RefLocks {
  private constructor(private readonly held: ReadonlyMap<string, HeldLock>) {}

  /**
   * Takes the lock of every ref, or none: if one is refused (LockHeldError), those already taken are
   * released before the error is thrown. Every attempt is awaited first, so no lock is taken afterwards.
   */
  static async acquire(remote: Remote, refs: readonly string[]): Promise<RefLocks> {
    const held = new Map<string, HeldLock>();
    const failures: unknown[] = [];
    const options = (ref: string) => ({ ttlMs: remote.settings.lockTtlMs, ref, remoteUrl: remote.display });
    await mapConcurrent(refs, LOCK_CONCURRENCY, async (ref) => {
      try {
        held.set(ref, await acquireLock(remote.store, lockKey(remote.url.prefix, ref), options(ref)));
      } catch (error) {
        failures.push(error);
      }
    });
    const locks = new RefLocks(held);
    if (failures.length > 0) {
      await locks.release();
      throw failures[0];
    }
    return locks;
  }

  get size(): number {
    return this.held.size;
  }

  /** The lock keys held: a listing shows them, and they are ours, not a push's. */
  keys(): Set<string> {
    return new Set([...this.held.values()].map((l) => l.key));
  }

  /** Aborted when the ref's lock is lost (taken over): an upload under it stops. */
  signal(ref: string): AbortSignal {
    const lock = this.held.get(ref);
    if (!lock) throw new Error(`no lock held for ${ref}`);
    return lock.signal;
  }

  /** Throws LockLostError when any lock is no longer ours: nothing may be committed then. */
  assertHeld(): void {
    for (const lock of this.held.values()) lock.assertHeld();
  }

  async release(): Promise<void> {
    await mapConcurrent([...this.held.values()], LOCK_CONCURRENCY, (lock) => lock.release());
    log.debug(`released ${this.held.size} ref locks`);
  }
}
