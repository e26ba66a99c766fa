import { WrongLayoutError } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { memoryRemote as remoteOn } from '@git-remote-s3/core/test-support/memory-remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { describe, expect, it } from 'vitest';
import { openManagedRemote } from './managed-remote.js';

const SHA = 'a'.repeat(40);
const GC = { graceMs: 3_600_000, dryRun: true, progress: false };

function memoryRemote(url: string): { remote: Remote; store: MemoryStore } {
  const store = new MemoryStore();
  return { store, remote: remoteOn(store, url) };
}

describe('openManagedRemote', () => {
  it('protects a branch of a bundle remote with its PROTECTED# marker, and of a packs remote in info/s3-protected', async () => {
    const bundle = memoryRemote('s3://memory/repo');
    bundle.store.plant('repo/HEAD', 'refs/heads/main');
    expect(await (await openManagedRemote(bundle.remote)).setProtection('main', true)).toBe(true);
    expect(bundle.store.keys()).toContain('repo/refs/heads/main/PROTECTED#');

    const packs = memoryRemote('s3://memory/repo');
    packs.store.plant('repo/HEAD', 'ref: refs/heads/main\n');
    const managed = await openManagedRemote(packs.remote);
    expect(await managed.setProtection('refs/heads/main', true)).toBe(true);
    expect(await managed.setProtection('main', true)).toBe(false);
    expect((await packs.store.getText('repo/info/s3-protected'))?.text).toContain('refs/heads/main');
    expect(packs.store.keys().filter((k) => k.startsWith('repo/refs/'))).toEqual([]);
  });

  it('lists an empty remote as having no refs, whichever layout its first push would create', async () => {
    for (const url of ['s3://memory/repo', 'amazon-s3://memory/repo']) {
      const { remote } = memoryRemote(url);
      expect(await (await openManagedRemote(remote)).list()).toEqual([`no refs on ${url}`]);
    }
  });

  it('lists a packs remote from its ref table', async () => {
    const { remote, store } = memoryRemote('s3://memory/repo');
    store.plant('repo/HEAD', 'ref: refs/heads/main\n');
    store.plant('repo/info/refs', `${SHA}\trefs/heads/main\n`);
    expect(await (await openManagedRemote(remote)).list()).toEqual([
      'HEAD: refs/heads/main',
      `${SHA.slice(0, 7)}  refs/heads/main`,
      '0 packs (packs layout)',
    ]);
  });

  it('refuses gc on a bundle remote as the wrong layout for it, and has nothing to do on an empty one', async () => {
    const bundle = memoryRemote('s3://memory/repo');
    bundle.store.plant(`repo/refs/heads/main/${SHA}.bundle`, 'bundle');
    const refusal = (await openManagedRemote(bundle.remote)).gc(GC);
    await expect(refusal).rejects.toBeInstanceOf(WrongLayoutError);
    await expect(refusal).rejects.toThrow(
      'gc is for the packs layout, and s3://memory/repo uses the bundle layout, which keeps one self-contained bundle per ref: there is nothing to consolidate',
    );
    for (const url of ['s3://memory/repo', 'amazon-s3://memory/repo']) {
      const { remote } = memoryRemote(url);
      expect(await (await openManagedRemote(remote)).gc(GC)).toBeUndefined();
    }
  });
});
