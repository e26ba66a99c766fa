// Per-ref push lock on S3 conditional writes (DESIGN §3 steps 3–5): created with If-None-Match: *, a stale
// lock taken over with If-Match on its ETag (never delete-then-create, which would let two takers win),
// kept fresh by a heartbeat while held, and released on every exit path.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LockHeldError, LockLostError, NotFoundError, PreconditionFailedError } from './errors.js';
import { onInterrupt } from './interrupt.js';
import { log } from './log.js';
import type { ObjectStore } from './store.js';
import { objectUrl } from './url.js';

export const DEFAULT_LOCK_TTL_MS = 60_000;

export interface LockOptions {
  readonly ttlMs: number;
  /** The ref the lock guards and the remote's URL, for messages. */
  readonly ref: string;
  readonly remoteUrl: string;
}

export interface HeldLock {
  readonly key: string;
  /** Aborted (with a LockLostError) when the heartbeat finds that someone else took the lock. */
  readonly signal: AbortSignal;
  /** Throws LockLostError unless the lock is still ours: call it before committing anything. */
  assertHeld(): void;
  /** Stops the heartbeat and deletes the lock if it is still ours. Never throws. */
  release(): Promise<void>;
}

/** Every lock this process holds, so an interruption can release them all (interrupt.ts). */
const heldLocks = new Set<HeldLock & { readonly interrupt: () => void }>();
let forgetUndo: (() => void) | undefined;

/**
 * Releases every lock this process holds, each through its own release (which leaves a lock holding someone
 * else's body alone). Work still running under one fails its next assertHeld rather than commit unlocked.
 */
export async function releaseHeldLocks(): Promise<void> {
  const locks = [...heldLocks];
  for (const lock of locks) lock.interrupt();
  await Promise.all(locks.map((lock) => lock.release()));
}

export type LockState = { readonly stale: false; readonly ageMs: number } | { readonly stale: true; readonly ageMs: number };

/** Whether an existing lock may be taken over; ages come from the server's clock, not ours. */
export function judgeLock(lastModified: Date, serverTime: Date, ttlMs: number): LockState {
  const ageMs = Math.max(0, serverTime.getTime() - lastModified.getTime());
  return ageMs > ttlMs ? { stale: true, ageMs } : { stale: false, ageMs };
}

/** Every write gets distinct bytes, so two holders' locks never share an ETag. */
function lockBody(): string {
  return `${JSON.stringify({
    tool: 'git-remote-s3 (typescript)',
    host: hostname(),
    pid: process.pid,
    written: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  })}\n`;
}

export async function acquireLock(store: ObjectStore, key: string, options: LockOptions): Promise<HeldLock> {
  const url = objectUrl(store.bucket, key);
  for (let attempt = 0; attempt < 3; attempt++) {
    const body = lockBody();
    try {
      // A create whose answer was lost and whose retry met our own lock comes back as success: the store
      // reads the key back and finds this body's nonce (own-write.ts).
      const { etag } = await store.put(key, body, { ifNoneMatch: '*' });
      log.debug(`lock ${url} acquired`);
      return holdLock(store, key, etag, body, options);
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw await leaveNoOwnLock(store, key, [body], error);
    }
    const existing = await store.head(key);
    if (!existing) continue; // released between our write and our look: try to create it again
    const state = judgeLock(existing.lastModified, existing.serverTime, options.ttlMs);
    const held = () => new LockHeldError(url, options.ref, key, state.ageMs, options.ttlMs);
    if (!state.stale) throw held();
    const takeover = lockBody();
    try {
      const { etag } = await store.put(key, takeover, {
        ifMatch: existing.etag,
      });
      log.warn(`took over the stale lock ${url} (${Math.round(state.ageMs / 1000)}s old)`);
      return holdLock(store, key, etag, takeover, options);
    } catch (error) {
      // A write conditional on a lock that is gone (its holder released it after our look) is answered 404
      // by S3 and MinIO, 412 by SeaweedFS: either way, try to create it again.
      if (error instanceof NotFoundError) continue;
      if (error instanceof PreconditionFailedError) {
        if (!(await store.head(key))) continue;
        throw held(); // another taker won the race
      }
      throw await leaveNoOwnLock(store, key, [takeover], error);
    }
  }
  throw new LockHeldError(url, options.ref, key, 0, options.ttlMs);
}

/**
 * After a lock write failed in a way that hides whether it landed (and reading it back did not tell): deletes
 * the lock if it holds one of `bodies` (ours: each carries a nonce), so no push is refused by a lock nobody
 * holds. Best effort; returns `error` for the caller to throw.
 */
async function leaveNoOwnLock(store: ObjectStore, key: string, bodies: readonly string[], error: unknown): Promise<unknown> {
  try {
    const now = await store.getText(key);
    if (now && bodies.includes(now.text)) {
      await store.delete(key);
      log.debug(`removed our own lock ${objectUrl(store.bucket, key)} after a failed write`);
    }
  } catch (cleanup) {
    log.debug(`could not check the lock ${objectUrl(store.bucket, key)} after a failed write: ${(cleanup as Error).message}`);
  }
  return error;
}

/** Runs `work` under the lock and releases it whatever happens. */
export async function withLock<T>(store: ObjectStore, key: string, options: LockOptions, work: (lock: HeldLock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(store, key, options);
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}

function holdLock(store: ObjectStore, key: string, initialEtag: string, initialBody: string, options: LockOptions): HeldLock {
  const url = objectUrl(store.bucket, key);
  // Every body this holder wrote (each has its own nonce): a lock holding one of them is still ours, whatever
  // ETag we last heard of, since any other writer's body differs.
  const ownBodies = new Set([initialBody]);
  const controller = new AbortController();
  let etag = initialEtag;
  let lastRefresh = Date.now();
  let refreshing: Promise<void> | undefined;
  let releasing: Promise<void> | undefined;

  const lose = () => {
    if (!controller.signal.aborted) controller.abort(new LockLostError(url));
  };
  const refresh = async (again = true): Promise<void> => {
    const body = lockBody();
    ownBodies.add(body);
    try {
      etag = (await store.put(key, body, { ifMatch: etag })).etag;
      lastRefresh = Date.now();
      log.trace(`lock ${url} refreshed`);
    } catch (error) {
      // Rewritten by a taker (412), or deleted, e.g. by doctor (404 on S3 and MinIO, 412 on SeaweedFS).
      if (error instanceof NotFoundError) return lose();
      if (error instanceof PreconditionFailedError) {
        // An earlier refresh of ours may have landed unheard (its answer lost beyond recognition): the lock
        // then holds our body under an ETag we never saw. Only someone else's body means the lock was lost.
        const now = await store.getText(key).catch(() => undefined);
        if (now && ownBodies.has(now.text)) {
          etag = now.etag;
          return again ? refresh(false) : undefined;
        }
        return lose();
      }
      // A passing failure: keep trying, but once the TTL has gone by without a refresh others may take it.
      log.debug(`refreshing lock ${url} failed: ${(error as Error).message}`);
      if (Date.now() - lastRefresh > options.ttlMs) lose();
    }
  };
  const timer = setInterval(
    () => {
      if (!refreshing && !controller.signal.aborted) refreshing = refresh().finally(() => (refreshing = undefined));
    },
    Math.max(100, Math.floor(options.ttlMs / 3)),
  );
  timer.unref();

  const lock = {
    key,
    signal: controller.signal,
    interrupt: lose,
    assertHeld() {
      if (controller.signal.aborted) throw controller.signal.reason;
      if (Date.now() - lastRefresh > options.ttlMs) {
        lose();
        throw controller.signal.reason;
      }
    },
    release() {
      // Called twice (by its holder and by an interruption), the second call waits for the first.
      releasing ??= releaseOnce();
      return releasing;
    },
  };
  async function releaseOnce(): Promise<void> {
    clearInterval(timer);
    await refreshing;
    try {
      // Conditional deletes are not honoured by every S3-compatible store (MinIO ignores If-Match on
      // DELETE), so look first: a lock holding another's body was taken over and must stay. Judged by the
      // body, not the ETag, so a refresh whose answer was lost cannot make us leave our own lock behind.
      const current = await store.getText(key);
      if (current && !ownBodies.has(current.text)) {
        log.debug(`lock ${url} was taken over by another push; leaving it`);
        return;
      }
      if (current) await store.delete(key);
      log.debug(`lock ${url} released`);
    } catch (error) {
      log.warn(`could not release the lock ${url} (${(error as Error).message}); it expires after ${Math.round(options.ttlMs / 1000)}s`);
    } finally {
      // Held until the delete is done, so an interruption meanwhile waits for it rather than exit first.
      heldLocks.delete(lock);
      if (heldLocks.size === 0) forgetUndo?.();
    }
  }
  heldLocks.add(lock);
  if (heldLocks.size === 1) forgetUndo = onInterrupt(releaseHeldLocks);
  return lock;
}
