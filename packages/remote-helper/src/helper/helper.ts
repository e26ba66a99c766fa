// The remote-helper side of the binary: git speaks its protocol to us on stdin/stdout. Everything we say
// to the user goes to stderr; stdout carries only the protocol.
import { LazyFetchRefusedError } from '@git-remote-s3/core/errors';
import { exitInterrupted, holdsAnything, isInterrupted } from '@git-remote-s3/core/interrupt';
import { log, verbosityFromEnv } from '@git-remote-s3/core/log';
import { reportFailure } from '@git-remote-s3/core/report';
import { HELPER_MARK, startedByOwnGit } from '../invocation.js';
import type { Layout } from '../layouts/layout.js';
import { lfsSetup } from './lfs-setup.js';
import { runSession } from './session.js';

export async function runHelper(remoteName: string, url: string): Promise<number> {
  log.verbosity = verbosityFromEnv(process.env) ?? log.verbosity;
  const toStderr = (text: string) => process.stderr.write(text);
  // The lazy fetch fails, and the git that started it reports the objects missing: what its caller asked.
  if (startedByOwnGit(process.env)) return reportFailure(new LazyFetchRefusedError(), toStderr, false);
  process.env[HELPER_MARK] = '1';
  let closeStore: (() => void) | undefined;
  let offerLfsSetup: ((revs: readonly string[]) => Promise<void>) | undefined;
  // git went away (killed on its own): nothing is left to tell it, but what we hold is still undone.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exitInterrupted(0);
  });
  // git closes our input only once it has every answer it asked for: closed while we hold a lock, an upload
  // or a temporary directory, git was killed in the middle of a command.
  process.stdin.once('end', () => {
    if (holdsAnything()) exitInterrupted(0);
  });
  try {
    // The URL parser, the S3 side and the AWS SDK load when a command needs the remote, not for
    // `capabilities`; a bad URL is still refused before any request, at the first command that needs it.
    const openLayout = async (): Promise<Layout> => {
      const [{ openRemote }, { detectLayout }] = await Promise.all([import('@git-remote-s3/core/remote'), import('../layouts/choose.js')]);
      const remote = await openRemote(url, remoteName);
      offerLfsSetup = lfsSetup(remoteName, remote.gitConfig);
      closeStore = () => remote.store.close();
      if (remote.gitConfig.get('transfer.verbosity') && Number(remote.gitConfig.get('transfer.verbosity')) >= 2) log.verbosity = 2;
      const opened = await detectLayout(remote);
      if (opened.found && opened.found !== opened.expected && remote.url.scheme !== 'amazon-s3') {
        await rememberLayout(remoteName, opened.found, remote.gitConfig);
      }
      return opened.layout;
    };
    // LFS set-up follows what the session moves (lfs-setup.ts), never the mere opening of the remote.
    await runSession({ input: process.stdin, output: process.stdout }, openLayout, async (revs) => offerLfsSetup?.(revs));
    return 0;
  } catch (error) {
    if (isInterrupted()) return 1; // the failure is the interruption's doing: nothing to report
    return reportFailure(error, toStderr, log.verbosity >= 2);
  } finally {
    closeStore?.();
  }
}

/**
 * Records a remote's layout, found in the bucket, as `remote.<name>.s3layout` so that later commands look
 * at the right keys first (a clone of a packs remote through s3:// would otherwise pay two extra requests
 * every time). Only for a configured remote; the bucket stays the authority, so a stale value costs a
 * request, never data.
 */
async function rememberLayout(remoteName: string, layout: string, gitConfig: ReadonlyMap<string, string>): Promise<void> {
  if (!gitConfig.has(`remote.${remoteName}.url`.toLowerCase())) return;
  const { git } = await import('@git-remote-s3/core/git');
  await git(['config', `remote.${remoteName}.s3layout`, layout]).catch((error: unknown) => {
    log.debug(`could not record remote.${remoteName}.s3layout: ${(error as Error).message}`);
  });
}
