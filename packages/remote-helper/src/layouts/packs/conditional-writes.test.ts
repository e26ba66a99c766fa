import { formatInfoRefs, infoRefsKey, NetworkError, PreconditionFailedError, packListKey } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { memoryRemote as remoteOn } from '@git-remote-s3/core/test-support/memory-remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { describe, expect, it } from 'vitest';
import { commitRefTable, readRefTable } from './info-refs.js';
import { readPackList, updatePackList } from './pack-list.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const PACK_1 = `pack-${'1'.repeat(40)}`;
const PACK_2 = `pack-${'2'.repeat(40)}`;

function memoryRemote(): { remote: Remote; store: MemoryStore } {
  const store = new MemoryStore();
  return { store, remote: remoteOn(store) };
}

describe('packs-layout commits on a store that loses the answers of writes it carried out', () => {
  it('commits the ref table once when the answer to the commit was lost', async () => {
    const { remote, store } = memoryRemote();
    await commitRefTable(remote, { refs: [], etag: undefined }, [{ ref: 'refs/heads/main', sha: A }]);
    const table = await readRefTable(remote);
    store.loseAnswers('retried');
    await commitRefTable(remote, table, [{ ref: 'refs/heads/main', sha: B }]);
    expect(store.lostAnswers).toBe(1);
    expect((await store.getText(infoRefsKey('repo')))?.text).toBe(formatInfoRefs([{ ref: 'refs/heads/main', sha: B }]));
  });

  it("still refuses a commit over a rival's table", async () => {
    const { remote, store } = memoryRemote();
    await commitRefTable(remote, { refs: [], etag: undefined }, [{ ref: 'refs/heads/main', sha: A }]);
    const table = await readRefTable(remote);
    store.plant(infoRefsKey('repo'), formatInfoRefs([{ ref: 'refs/heads/other', sha: A }]));
    store.loseAnswers('retried');
    await expect(commitRefTable(remote, table, [{ ref: 'refs/heads/main', sha: B }])).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('lists a pack once when the answers to the pack-list writes were lost', async () => {
    const { remote, store } = memoryRemote();
    store.loseAnswers('reset', 'retried');
    await updatePackList(remote, (names) => [...names, PACK_1]);
    await updatePackList(remote, (names) => (names.includes(PACK_2) ? [...names] : [...names, PACK_2]));
    expect(store.lostAnswers).toBe(2);
    expect((await readPackList(remote)).names).toStrictEqual([PACK_1, PACK_2]);
    expect(store.keys()).toStrictEqual([packListKey('repo')]);
  });

  it('does not take a write that never reached the store for landed', async () => {
    const { remote, store } = memoryRemote();
    store.failWrites(new NetworkError('memory://', 'ECONNRESET'));
    await expect(commitRefTable(remote, { refs: [], etag: undefined }, [{ ref: 'refs/heads/main', sha: A }])).rejects.toBeInstanceOf(
      NetworkError,
    );
    expect(store.keys()).toStrictEqual([]);
  });
});
