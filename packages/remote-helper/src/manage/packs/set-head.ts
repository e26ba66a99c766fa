// `doctor --set-head` on a packs-layout remote: HEAD as git's symbolic ref to a branch the ref table has.
import { formatPacksHead, type RefRecord } from '@git-remote-s3/core';
import { NoSuchBranchError } from '@git-remote-s3/core/errors';
import type { Remote } from '@git-remote-s3/core/remote';
import { branchRef } from '../branch.js';
import { replaceHead } from '../set-head.js';

/** `doctor --set-head` on a packs remote: HEAD as a symbolic ref to an existing branch, if HEAD is still as read (`etag`). */
export async function setPacksHead(remote: Remote, refs: readonly RefRecord[], branch: string, etag: string | undefined): Promise<string> {
  const ref = branchRef(branch);
  if (!refs.some((r) => r.ref === ref)) throw new NoSuchBranchError(ref, remote.display, `point HEAD at ${ref}`);
  await replaceHead(remote, formatPacksHead(ref), etag);
  return ref;
}
