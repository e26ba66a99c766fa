import { formatInfoRefs, infoRefsKey, type PutOptions, packedRefsKey } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { memoryRemote as remoteOn } from '@git-remote-s3/core/test-support/memory-remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { describe, expect, it } from 'vitest';
import { keepRefStoresInStep } from './loose-refs.js';

const [A, B, C] = ['a', 'b', 'c'].map((c) => c.repeat(40)) as [string, string, string];
const MAIN = 'repo/refs/heads/main';

/** A store that lets a rival act just before one of our writes to `key` lands. */
class RacingStore extends MemoryStore {
  before: { key: string; step: () => void } | undefined;
  override async put(key: string, body: string | Uint8Array, options?: PutOptions): Promise<{ etag: string }> {
    if (this.before?.key === key) {
      const { step } = this.before;
      this.before = undefined;
      step();
    }
    return super.put(key, body, options);
  }
}

function memoryRemote(): { remote: Remote; store: RacingStore } {
  const store = new RacingStore();
  return { store, remote: remoteOn(store) };
}

describe('keeping loose refs in step after a commit', () => {
  it('costs one LIST and the packed-refs write when there are no loose refs', async () => {
    const { remote, store } = memoryRemote();
    const etag = store.plant(infoRefsKey('repo'), formatInfoRefs([{ ref: 'refs/heads/main', sha: A }]));
    await keepRefStoresInStep(remote, { etag, refs: [{ ref: 'refs/heads/main', sha: A }], fullyPeeled: true }, ['refs/heads/main']);
    expect(store.requestCounts()).toEqual({ ListObjectsV2: 1, PutObject: 1 });
    expect(store.keys()).toEqual([infoRefsKey('repo'), packedRefsKey('repo')]);
  });

  it('rewrites an existing loose ref and removes that of a deleted ref, then checks info/refs once', async () => {
    const { remote, store } = memoryRemote();
    const refs = [{ ref: 'refs/heads/main', sha: B }];
    const etag = store.plant(infoRefsKey('repo'), formatInfoRefs(refs));
    store.plant(MAIN, `${A}\n`);
    store.plant('repo/refs/heads/gone', `${A}\n`);
    store.plant('repo/refs/heads/other', `${C}\n`);
    await keepRefStoresInStep(remote, { etag, refs, fullyPeeled: true }, ['refs/heads/main', 'refs/heads/gone']);
    expect((await store.getText(MAIN))?.text).toBe(`${B}\n`);
    expect(await store.getText('repo/refs/heads/gone')).toBeUndefined();
    expect((await store.getText('repo/refs/heads/other'))?.text).toBe(`${C}\n`);
    expect(store.requestCounts().HeadObject).toBe(1);
  });

  it("writes the newer table's value again when a later commit's loose write landed before ours", async () => {
    const { remote, store } = memoryRemote();
    const ours = [{ ref: 'refs/heads/main', sha: B }];
    const etag = store.plant(infoRefsKey('repo'), formatInfoRefs(ours));
    store.plant(MAIN, `${A}\n`);
    store.before = {
      key: MAIN,
      step: () => {
        // Another pusher commits main → C and brings the loose key in step, all before our write of B lands.
        store.plant(infoRefsKey('repo'), formatInfoRefs([{ ref: 'refs/heads/main', sha: C }]));
        store.plant(MAIN, `${C}\n`);
      },
    };
    await keepRefStoresInStep(remote, { etag, refs: ours, fullyPeeled: true }, ['refs/heads/main']);
    expect((await store.getText(MAIN))?.text).toBe(`${C}\n`);
    expect((await store.getText(packedRefsKey('repo')))?.text).toContain(`${C} refs/heads/main`);
  });
});
