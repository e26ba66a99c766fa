// Branch management on a bundle-layout remote: delete a branch (its bundles and repo.zip, under the ref's
// lock, never a protected one), and set or remove the PROTECTED# marker that refuses force pushes and deletion.
import { headKey, lockKey, PreconditionFailedError, ProtectedBranchError, protectedKey, withLock } from '@git-remote-s3/core';
import { NoSuchBranchError } from '@git-remote-s3/core/errors';
import type { Remote } from '@git-remote-s3/core/remote';
import type { RefEntry } from '../../layouts/bundle/ref-table.js';
import { branchName, branchRef, type DeletedBranch } from '../branch.js';
import { readRef } from './remote-state.js';

export async function deleteBranch(remote: Remote, input: string): Promise<DeletedBranch> {
  const branch = branchName(input);
  const ref = branchRef(branch);
  const { store, url, display, settings } = remote;
  const readEntry = async (): Promise<RefEntry> => {
    const { entry } = await readRef(remote, ref);
    if (entry?.protected) throw new ProtectedBranchError(branch, 'delete', display);
    if (!entry || entry.bundles.length === 0) throw new NoSuchBranchError(branch, display);
    return entry;
  };
  // Refuse before taking the lock, and check again under it: protection may have been added meanwhile.
  await readEntry();
  const deleted = await withLock(store, lockKey(url.prefix, ref), { ttlMs: settings.lockTtlMs, ref, remoteUrl: display }, async (lock) => {
    const entry = await readEntry();
    const keys = [...entry.bundles.map((b) => b.key), ...(entry.zip ? [entry.zip.key] : [])];
    lock.assertHeld();
    await store.deleteMany(keys);
    return { ref, sha: entry.bundles[0]?.sha ?? '', keys };
  });
  const head = await store.getText(headKey(url.prefix));
  return { ...deleted, wasHead: head?.text.trim() === ref };
}

/** Writes the empty PROTECTED# marker; false when the branch was protected already. */
export async function protectBranch(remote: Remote, input: string): Promise<boolean> {
  try {
    await remote.store.put(protectedKey(remote.url.prefix, branchName(input)), '', { ifNoneMatch: '*' });
    return true;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return false;
    throw error;
  }
}

/** Deletes the PROTECTED# marker; false when the branch was not protected. */
export async function unprotectBranch(remote: Remote, input: string): Promise<boolean> {
  const key = protectedKey(remote.url.prefix, branchName(input));
  if (!(await remote.store.head(key))) return false;
  await remote.store.delete(key);
  return true;
}
