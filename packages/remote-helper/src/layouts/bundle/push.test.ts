import { bundleKey, isPushLogKey, lockKey, type PutOptions, parsePushLogEntry, protectedKey, refDirPrefix } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushRequest, SessionOptions } from '../layout.js';
import { makeTestHistory, memoryRemote, type TestHistory } from '../test-repo.fixture.js';
import { BundleLayout } from './bundle-layout.js';
import { pushRef } from './push.js';
import { type BundleRefTable, buildRefTable } from './ref-table.js';

const MAIN = 'refs/heads/main';

/** The in-memory store, with a rival that acts once, right before our lock is written (after our pre-check). */
class RivalStore extends MemoryStore {
  private rival: (() => void) | undefined;
  private failList: { readonly prefix: string | undefined; readonly error: Error } | undefined;

  beforeLock(step: () => void): void {
    this.rival = step;
  }

  /** The next listing (of `prefix`, when given) fails with `error` (an unexpected failure, not one of ours). */
  failNextList(error: Error, prefix?: string): void {
    this.failList = { prefix, error };
  }

  override async put(key: string, body: string | Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    if (key === lockKey('repo', MAIN) && this.rival) {
      const step = this.rival;
      this.rival = undefined;
      step();
    }
    return super.put(key, body, options);
  }

  override async list(prefix: string, delimiter?: string) {
    const failing = this.failList;
    if (failing && (failing.prefix === undefined || failing.prefix === prefix)) {
      this.failList = undefined;
      throw failing.error;
    }
    return super.list(prefix, delimiter);
  }
}

const options: SessionOptions = { progress: false, dryRun: false, atomic: false, verbosity: 0, cas: new Map() };
const request = (sha: string | undefined, extra: Partial<PushRequest> = {}): PushRequest => ({
  sha,
  dst: MAIN,
  force: false,
  expect: undefined,
  ...extra,
});

async function readTable(remote: Remote): Promise<BundleRefTable> {
  const listing = await remote.store.list('repo/refs/');
  return buildRefTable('repo', listing.objects, listing.serverTime);
}

describe('the bundle push under its lock, on the in-memory store', () => {
  let history: TestHistory;
  beforeAll(() => {
    history = makeTestHistory();
  });
  afterAll(() => history.dispose());

  /** A remote whose main is at `sha` (default c1), and the table a push read before deciding. */
  async function remoteAt(sha = history.c1): Promise<{ store: RivalStore; remote: Remote; table: BundleRefTable }> {
    const store = new RivalStore();
    store.plant(bundleKey('repo', MAIN, sha), 'bundle', new Date(Date.now() - 60_000));
    const remote = memoryRemote(store);
    return { store, remote, table: await readTable(remote) };
  }

  it('lands a fast-forward: the new bundle replaces the old one and the lock is gone', async () => {
    const { store, remote, table } = await remoteAt();
    expect(await pushRef(remote, table, request(history.c2), options)).toEqual({ ref: MAIN, ok: true });
    expect(store.keys()).toEqual([bundleKey('repo', MAIN, history.c2)]);
  });

  it('refuses with fetch-first a push whose ref a rival moved between the pre-check and the lock, overwriting nothing', async () => {
    const { store, remote, table } = await remoteAt();
    store.beforeLock(() => {
      store.plant(bundleKey('repo', MAIN, history.c3), 'bundle of c3');
      void store.delete(bundleKey('repo', MAIN, history.c1));
    });
    // c1 → c2 is a fast-forward by the table read first; under the lock the ref is at c3.
    expect(await pushRef(remote, table, request(history.c2), options)).toEqual({ ref: MAIN, ok: false, reason: 'fetch-first' });
    expect(store.keys()).toEqual([bundleKey('repo', MAIN, history.c3)]);
    expect((await store.getText(bundleKey('repo', MAIN, history.c3)))?.text).toBe('bundle of c3');
  });

  it('refuses with stale-info a push under a lease whose ref a rival moved before the lock', async () => {
    const { store, remote, table } = await remoteAt();
    store.beforeLock(() => store.plant(bundleKey('repo', MAIN, history.c3), 'bundle of c3'));
    const leased = request(history.c2, { expect: history.c1 });
    expect(await pushRef(remote, table, leased, options)).toEqual({ ref: MAIN, ok: false, reason: 'stale-info' });
    expect(store.keys()).toEqual([bundleKey('repo', MAIN, history.c1), bundleKey('repo', MAIN, history.c3)].sort());
  });

  it('refuses a force push of a branch a rival protected before the lock, with the unprotect command', async () => {
    const { store, remote, table } = await remoteAt(history.c2);
    store.beforeLock(() => store.plant(protectedKey('repo', 'main'), ''));
    // c2 → c3 is not a fast-forward: forced, and allowed by the table read first.
    expect(await pushRef(remote, table, request(history.c3, { force: true }), options)).toEqual({
      ref: MAIN,
      ok: false,
      reason: 'protected',
      message: "branch main is protected: refusing to force push it; run 'git s3 unprotect s3://memory/repo main' first if you mean it",
    });
    expect(store.keys()).toEqual([bundleKey('repo', MAIN, history.c2), protectedKey('repo', 'main')].sort());
  });

  it('refuses a delete under a lease whose ref a rival moved, and lets one without a lease remove what is there', async () => {
    const { store, remote, table } = await remoteAt();
    const moveToC3 = () => {
      store.plant(bundleKey('repo', MAIN, history.c3), 'bundle of c3');
      void store.delete(bundleKey('repo', MAIN, history.c1));
    };
    store.beforeLock(moveToC3);
    expect(await pushRef(remote, table, request(undefined, { expect: history.c1 }), options)).toEqual({
      ref: MAIN,
      ok: false,
      reason: 'stale-info',
    });
    expect(store.keys()).toEqual([bundleKey('repo', MAIN, history.c3)]);

    const again = await remoteAt();
    again.store.beforeLock(() => {
      again.store.plant(bundleKey('repo', MAIN, history.c3), 'bundle of c3');
      void again.store.delete(bundleKey('repo', MAIN, history.c1));
    });
    expect(await pushRef(again.remote, again.table, request(undefined), options)).toEqual({ ref: MAIN, ok: true });
    expect(again.store.keys()).toEqual([]);
  });

  it('refuses a push while another pusher holds the lock, naming the lock, and leaves that lock and the ref alone', async () => {
    const { store, remote, table } = await remoteAt();
    const theirs = store.plant(lockKey('repo', MAIN), '{"tool":"another pusher"}\n');
    const result = await pushRef(remote, table, request(history.c2), options);
    expect(result).toMatchObject({ ref: MAIN, ok: false, reason: 'failed' });
    expect(result.ok ? '' : 'message' in result ? result.message : '').toMatch(
      /^ref refs\/heads\/main is locked by another push \(s3:\/\/memory\/repo\/refs\/heads\/main\/LOCK#\.lock, \d+s old\); retry when it is done \(a lock left by a push that died is stale in [\dm]+s, and the next push then takes it over\)$/,
    );
    expect(store.keys()).toEqual([bundleKey('repo', MAIN, history.c1), lockKey('repo', MAIN)].sort());
    expect((await store.head(lockKey('repo', MAIN)))?.etag).toBe(theirs);
  });

  it('throws an unexpected failure for the one reporter, after releasing its lock', async () => {
    const { store, remote, table } = await remoteAt();
    const bug = new TypeError('cannot read properties of undefined');
    store.beforeLock(() => store.failNextList(bug));
    await expect(pushRef(remote, table, request(history.c2), options)).rejects.toBe(bug);
    expect(store.keys()).toEqual([bundleKey('repo', MAIN, history.c1)]);
  });

  it('throws a bug in one ref only once the push of every other ref has ended and released its lock', async () => {
    const { store, remote } = await remoteAt();
    const bug = new TypeError('cannot read properties of undefined');
    store.failNextList(bug, refDirPrefix('repo', MAIN));
    const layout = new BundleLayout(remote);
    const requests = [request(history.c2), { ...request(history.c3), dst: 'refs/heads/side' }];
    await expect(layout.push(requests, options)).rejects.toBe(bug);
    const [logged, ...rest] = store.keys();
    expect(rest).toEqual([bundleKey('repo', MAIN, history.c1), bundleKey('repo', 'refs/heads/side', history.c3)].sort());
    // The ref that landed is logged all the same, and only it.
    expect(isPushLogKey('repo', logged ?? '')).toBe(true);
    const entry = parsePushLogEntry((await store.getText(logged ?? ''))?.text ?? '', 'log');
    expect(entry.updates).toStrictEqual([{ ref: 'refs/heads/side', old: null, new: history.c3, forced: false, deleted: false }]);
  });
});
