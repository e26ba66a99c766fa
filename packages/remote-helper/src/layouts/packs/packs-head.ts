// HEAD of a packs remote on its first push: written only when absent, so a first push never overwrites
// another's HEAD, and a racing first push of the bundle layout is heard of.
import { formatPacksHead, LayoutConflictError, layoutOfHead, PreconditionFailedError, packsHeadKey } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';

/**
 * HEAD naming `branch` when the remote has none yet (a first push never overwrites another's HEAD). When
 * another first push wrote a HEAD of the bundle layout at the same moment, clients read that layout and
 * not this table: said in an error, so the pusher hears of it.
 */
export async function writeHeadIfAbsent(remote: Remote, branch: string): Promise<void> {
  const key = packsHeadKey(remote.url.prefix);
  try {
    await remote.store.put(key, formatPacksHead(branch), { ifNoneMatch: '*' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const head = await remote.store.getText(key);
    if (head && layoutOfHead(head.text) !== 'packs') {
      // Pushing again stores the refs where clients read them; a migration would start from the bundle
      // layout's refs and drop these.
      throw new LayoutConflictError(remote.display, 'bundle', head.text.trim(), 'push again: the remote is in the bundle layout now');
    }
  }
}
