// Branch management on a bundle-layout remote: delete a branch (its bundles and repo.zip, under the ref's
// lock, never a protected one), and set or remove the PROTECTED# marker that refuses force pushes and deletion.
import {
  headKey,
  lockKey,
  PreconditionFailedError,
  ProtectedBranchError,
  printable,
  protectedKey,
  refNameProblem,
  withLock,
} from '@git-remote-s3/core';
import { UsageError } from 'clipanion';
import type { RefEntry } from '../layouts/bundle/ref-table.js';
import type { Remote } from '../remote.js';
import { readRef } from './remote-state.js';

/** `refs/heads/<branch>`, refusing names git would not accept for a branch. */
export function branchRef(branch: string): string {
  const ref = `refs/heads/${branch}`;
  const problem = branch === '' ? 'empty' : refNameProblem(ref);
  if (problem) throw new UsageError(`'${printable(branch)}' is not a valid branch name: ${problem}`);
  return ref;
}

/** The branch of `delete-branch`, given as `<branch>` or as awslabs' `-b <branch>` (not two different ones). */
export function pickBranch(positional: string | undefined, option: string | undefined): string {
  if (positional !== undefined && option !== undefined && positional !== option) {
    throw new UsageError(`two branches named ('${printable(positional)}' and '${printable(option)}'); delete one at a time`);
  }
  const branch = positional ?? option;
  if (branch === undefined) throw new UsageError('name the branch to delete: <branch> or -b <branch>');
  return branch;
}

export interface DeletedBranch {
  readonly ref: string;
  /** The newest bundle's object id: what the branch was. */
  readonly sha: string;
  readonly keys: readonly string[];
  /** The remote's HEAD named this branch and now dangles. */
  readonly wasHead: boolean;
}

export async function deleteBranch(remote: Remote, branch: string): Promise<DeletedBranch> {
  const ref = branchRef(branch);
  const { store, url, display, settings } = remote;
  const readEntry = async (): Promise<RefEntry> => {
    const { entry } = await readRef(remote, ref);
    if (entry?.protected) throw new ProtectedBranchError(branch, 'delete', display);
    if (!entry || entry.bundles.length === 0) throw new UsageError(`branch ${printable(branch)} does not exist on ${display}`);
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
export async function protectBranch(remote: Remote, branch: string): Promise<boolean> {
  branchRef(branch);
  try {
    await remote.store.put(protectedKey(remote.url.prefix, branch), '', { ifNoneMatch: '*' });
    return true;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return false;
    throw error;
  }
}

/** Deletes the PROTECTED# marker; false when the branch was not protected. */
export async function unprotectBranch(remote: Remote, branch: string): Promise<boolean> {
  branchRef(branch);
  const key = protectedKey(remote.url.prefix, branch);
  if (!(await remote.store.head(key))) return false;
  await remote.store.delete(key);
  return true;
}
