// `doctor --set-head`: points a remote's HEAD at a branch, in the layout's own text, with a conditional
// write on what doctor read, so it never overrides a HEAD another command or push wrote meanwhile.
import { GitRemoteS3Error, headKey, PreconditionFailedError } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';

/**
 * Writes `text` to `<prefix>/HEAD` if it is still as read: `etag` of the HEAD read, or undefined when there
 * was none (then create-only).
 */
export async function replaceHead(remote: Remote, text: string, etag: string | undefined): Promise<void> {
  try {
    await remote.store.put(headKey(remote.url.prefix), text, {
      contentType: 'text/plain',
      ...(etag ? { ifMatch: etag } : { ifNoneMatch: '*' }),
    });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    throw new GitRemoteS3Error(
      'precondition-failed',
      `HEAD of ${remote.display} changed while doctor ran; nothing was written: run 'git s3 doctor ${remote.display}' again`,
      { url: remote.display },
    );
  }
}
