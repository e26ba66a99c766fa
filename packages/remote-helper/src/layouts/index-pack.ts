// Streams a pack into `git index-pack --stdin` for both layouts, and says whose fault a failure is: a broken
// download is reported as itself, a pack git refuses (or junk after its end) as a corrupt object at `where`.
// With progress on, index-pack's own meters (`Receiving objects`, `Resolving deltas`) are shown, as git's fetch shows them.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CorruptObjectError, GitFailedError, type GitOptions, GitRemoteS3Error, type SharedTerminal, spawnGit } from '@git-remote-s3/core';

/**
 * Indexes the pack `pack` streams into the repository git runs in (`git`: its cwd and environment);
 * `args`: more index-pack options (`--fix-thin` for a bundle's thin pack). `where`: the object's s3:// URL.
 * `meters`: when given, index-pack runs with `-v` (git fetch's way to ask it for progress) and prints its
 * meters in its turn on that terminal.
 */
export async function indexPackStream(
  pack: Readable,
  where: string,
  git: Pick<GitOptions, 'cwd' | 'env'>,
  args: readonly string[] = [],
  meters?: SharedTerminal,
): Promise<void> {
  const turn = meters?.open();
  const proc = spawnGit(['index-pack', '--stdin', ...(turn ? ['-v'] : []), ...args], { ...git, ...(turn ? { stderr: turn } : {}) });
  proc.stdout.resume();
  const [piped, indexed] = await Promise.allSettled([pipeline(pack, proc.stdin), proc.done]);
  turn?.close();
  // A download that broke (network, store) is the cause when index-pack then saw an early end: say that.
  if (piped.status === 'rejected' && piped.reason instanceof GitRemoteS3Error) throw piped.reason;
  if (indexed.status === 'rejected') {
    const error = indexed.reason;
    if (!(error instanceof GitFailedError)) throw error;
    // Its last line; meters end their lines with \r.
    const why = String(error.data.stderr ?? '')
      .split(/[\r\n]+/)
      .filter((line) => line.trim())
      .pop()
      ?.trim();
    throw new CorruptObjectError(where, `git index-pack rejected it (${why})`);
  }
  // index-pack took a whole pack and stopped reading: what follows it in the object is not git's (git itself
  // calls a bundle file like this corrupt, 'pack has junk at the end').
  if (piped.status === 'rejected') throw new CorruptObjectError(where, 'data follows the end of its pack');
}
