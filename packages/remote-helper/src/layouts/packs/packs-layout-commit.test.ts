import { CONDITIONAL_ATTEMPTS, formatInfoRefs, formatPacksHead, infoRefsKey, type PutOptions, type RefRecord } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PushRequest, SessionOptions } from '../layout.js';
import { makeTestHistory, memoryRemote, type TestHistory } from '../test-repo.fixture.js';
import { readRefTable } from './info-refs.js';
import { PacksLayout } from './packs-layout.js';

// The retries' back-off is real time in production; here the races are staged, so no waiting is needed.
vi.mock('@git-remote-s3/core', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@git-remote-s3/core')>()),
  backOff: async () => {},
}));

const MAIN = 'refs/heads/main';
const TABLE = infoRefsKey('repo');

/** The in-memory store, with rivals that commit their own ref table right before each of our conditional commits. */
class RivalStore extends MemoryStore {
  /** Our conditional writes of info/refs (each one attempt of the push's commit). */
  commits = 0;
  private rivals: (() => void)[] = [];

  beforeCommits(...steps: (() => void)[]): void {
    this.rivals.push(...steps);
  }

  override async put(key: string, body: string | Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    if (key === TABLE && options.ifMatch) {
      this.commits++;
      this.rivals.shift()?.();
    }
    return super.put(key, body, options);
  }
}

const options: SessionOptions = { progress: false, dryRun: false, atomic: false, verbosity: 0, cas: new Map() };
const request = (dst: string, sha: string): PushRequest => ({ sha, dst, force: false, expect: undefined });

describe('the packs commit retry loop, on the in-memory store', () => {
  let history: TestHistory;
  beforeAll(() => {
    history = makeTestHistory();
  });
  afterAll(() => history.dispose());

  function remoteWith(refs: RefRecord[]): { store: RivalStore; remote: Remote; rival: (next: RefRecord[]) => () => void } {
    const store = new RivalStore();
    store.plant(TABLE, formatInfoRefs(refs));
    const rival = (next: RefRecord[]) => () => {
      store.plant(TABLE, formatInfoRefs(next));
    };
    return { store, remote: memoryRemote(store), rival };
  }

  const push = (remote: Remote, requests: PushRequest[]) => new PacksLayout(remote, formatPacksHead(MAIN)).push(requests, options);
  const refsOf = async (remote: Remote) => (await readRefTable(remote)).refs.map((r) => `${r.ref} ${r.sha}`).sort();

  it("re-decides against a rival's table committed under it, and lands on top of the rival's other ref", async () => {
    const { store, remote, rival } = remoteWith([{ ref: MAIN, sha: history.c1 }]);
    store.beforeCommits(
      rival([
        { ref: MAIN, sha: history.c1 },
        { ref: 'refs/heads/side', sha: history.c3 },
      ]),
    );
    expect(await push(remote, [request(MAIN, history.c2)])).toEqual([{ ref: MAIN, ok: true }]);
    expect(store.commits).toBe(2);
    expect(await refsOf(remote)).toEqual([`${MAIN} ${history.c2}`, `refs/heads/side ${history.c3}`]);
  });

  it('lands a push that is still a fast-forward of the ref a rival moved meanwhile', async () => {
    const { store, remote, rival } = remoteWith([{ ref: 'refs/heads/side', sha: history.c3 }]);
    // The rival creates main at c1; c2 descends from it.
    store.beforeCommits(
      rival([
        { ref: MAIN, sha: history.c1 },
        { ref: 'refs/heads/side', sha: history.c3 },
      ]),
    );
    expect(await push(remote, [request(MAIN, history.c2)])).toEqual([{ ref: MAIN, ok: true }]);
    expect(await refsOf(remote)).toEqual([`${MAIN} ${history.c2}`, `refs/heads/side ${history.c3}`]);
  });

  it("refuses as non-fast-forward a push the rival made one, and keeps the rival's table", async () => {
    const { store, remote, rival } = remoteWith([{ ref: MAIN, sha: history.c1 }]);
    // c1 → c2 was a fast-forward; the rival moved main to c3, which c2 does not descend from.
    store.beforeCommits(rival([{ ref: MAIN, sha: history.c3 }]));
    expect(await push(remote, [request(MAIN, history.c2)])).toEqual([{ ref: MAIN, ok: false, reason: 'non-fast-forward' }]);
    expect(store.commits).toBe(1);
    expect(await refsOf(remote)).toEqual([`${MAIN} ${history.c3}`]);
  });

  it('gives up after the attempt limit when the table changes under every commit, updating nothing', async () => {
    const { store, remote, rival } = remoteWith([{ ref: MAIN, sha: history.c1 }]);
    const sides = Array.from({ length: CONDITIONAL_ATTEMPTS }, (_, i) =>
      rival([
        { ref: MAIN, sha: history.c1 },
        { ref: 'refs/heads/side', sha: i % 2 === 0 ? history.c3 : history.c2 },
      ]),
    );
    store.beforeCommits(...sides);
    expect(await push(remote, [request(MAIN, history.c2)])).toEqual([
      {
        ref: MAIN,
        ok: false,
        reason: 'busy',
        message: `the remote's ref table kept changing under this push (${CONDITIONAL_ATTEMPTS} attempts); nothing was updated, push again`,
      },
    ]);
    expect(store.commits).toBe(CONDITIONAL_ATTEMPTS);
    expect(await refsOf(remote)).toEqual([
      `${MAIN} ${history.c1}`,
      `refs/heads/side ${CONDITIONAL_ATTEMPTS % 2 === 0 ? history.c2 : history.c3}`,
    ]);
  });
});
