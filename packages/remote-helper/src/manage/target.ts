// The `<remote>` argument of every management command: a git remote name of the current repository or an
// s3:// / s3+zip:// / amazon-s3:// url, resolved to the url to open.
import { inRepository, isRemoteUrl, parseRemoteUrl, printable, type RemoteUrl, remoteUrl } from '@git-remote-s3/core';
import { NotInRepositoryError, UsageError } from '@git-remote-s3/core/errors';
import { openRemote, type Remote } from '@git-remote-s3/core/remote';

export interface Target {
  readonly url: RemoteUrl;
  /** The url text to open. */
  readonly urlText: string;
  /** The git remote the argument named, whose `remote.<name>.*` settings apply. */
  readonly remoteName: string | undefined;
}

/**
 * Looks a remote name up in the repository (`git remote get-url`); undefined when there is no such remote,
 * and `inRepository` says which of the two reasons that was (asked only then).
 */
export interface RemoteLookup {
  url(name: string): Promise<string | undefined>;
  inRepository(): Promise<boolean>;
}

export async function resolveTarget(argument: string, lookup: RemoteLookup): Promise<Target> {
  if (isRemoteUrl(argument)) return { ...parsed(argument), remoteName: undefined };
  const configured = await lookup.url(argument);
  if (configured === undefined) {
    if (!(await lookup.inRepository())) {
      throw new NotInRepositoryError(`'${printable(argument)}' names no remote here; give an s3:// url, or run this inside the repository`);
    }
    throw new UsageError(`'${printable(argument)}' is neither a remote of this repository nor an s3:// url`);
  }
  if (!isRemoteUrl(configured)) {
    throw new UsageError(`remote '${printable(argument)}' is ${printable(configured)}, not an s3://, s3+zip:// or amazon-s3:// url`);
  }
  return { ...parsed(configured), remoteName: argument };
}

function parsed(text: string): { url: RemoteUrl; urlText: string } {
  return { url: parseRemoteUrl(text), urlText: text };
}

/**
 * Resolves `argument` in the current repository (when there is one), opens the remote for `work`, closes it.
 * `work` also gets the target, for a command that records something about the git remote it named.
 */
export async function withTarget<T>(argument: string, work: (remote: Remote, target: Target) => Promise<T>): Promise<T> {
  const target = await resolveTarget(argument, { url: (name) => remoteUrl(name), inRepository: () => inRepository() });
  const remote = await openRemote(target.urlText, target.remoteName);
  try {
    return await work(remote, target);
  } finally {
    remote.store.close();
  }
}
