// Branch management on a packs-layout remote: delete a branch from the ref table (info/refs) with a
// conditional write, never a protected one, and add it to or remove it from the protected list beside it.
import { log, ProtectedBranchError, packsHeadKey, parsePacksHead, type RefRecord } from '@git-remote-s3/core';
import { NoSuchBranchError } from '@git-remote-s3/core/errors';
import type { Remote } from '@git-remote-s3/core/remote';
import { updateRefTable } from '../../layouts/packs/info-refs.js';
import { objectPeels } from '../../layouts/packs/local-packs.js';
import { keepRefStoresInStep } from '../../layouts/packs/loose-refs.js';
import { readProtectedRefs, setProtected } from '../../layouts/packs/protected-refs.js';
import { idsToPeel, withKnownPeels } from '../../layouts/packs/ref-stores.js';
import { branchName, branchRef, type DeletedBranch } from '../branch.js';

/** Removes a branch from the ref table with a conditional write (re-read and re-checked on a conflict). */
export async function deletePacksBranch(remote: Remote, input: string): Promise<DeletedBranch> {
  const branch = branchName(input);
  const ref = branchRef(branch);
  if ((await readProtectedRefs(remote)).refs.has(ref)) throw new ProtectedBranchError(branch, 'delete', remote.display);
  // What the attempt that wrote saw: the branch's id and the table without it.
  let sha = '';
  let next: RefRecord[] = [];
  const { etag } = await updateRefTable(remote, (refs) => {
    const gone = refs.find((r) => r.ref === ref);
    if (!gone) throw new NoSuchBranchError(branch, remote.display);
    sha = gone.sha;
    next = refs.filter((r) => r.ref !== ref);
    return next;
  });
  // Its loose key goes too, or the branch comes back for readers of the bare repository (git, JGit).
  const known = withKnownPeels(next, await objectPeels(idsToPeel(next)));
  await keepRefStoresInStep(remote, { etag, ...known }, [ref]).catch((error: unknown) =>
    log.warn(`${ref} is deleted, but ${(error as Error).message}; 'git s3 doctor --sync-refs ${remote.display}' finishes the job`),
  );
  const head = await remote.store.getText(packsHeadKey(remote.url.prefix));
  return { ref, sha, keys: [], wasHead: head ? parsePacksHead(head.text) === ref : false };
}

/** Adds the branch to info/s3-protected (`protect`) or removes it; false when it was so already. */
export async function protectPacksBranch(remote: Remote, branch: string, protect: boolean): Promise<boolean> {
  return setProtected(remote, branchRef(branch), protect);
}
