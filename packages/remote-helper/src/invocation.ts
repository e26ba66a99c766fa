// Which side of the binary an invocation wants: git's remote helper or the management CLI. Pure and
// light, so that main.ts decides before loading either side.
import { isRemoteUrl } from '@git-remote-s3/core/url-scheme';

/** The management commands (the paths registered in cli.ts; a unit test keeps the two in step). */
export const MANAGEMENT_COMMANDS: readonly string[] = ['delete-branch', 'doctor', 'gc', 'list', 'log', 'migrate', 'protect', 'unprotect'];

/**
 * git runs a helper as `git-remote-<scheme> <remote> <url>`, and always with GIT_DIR set when the remote
 * is a configured one: outside a repository the remote's name is its url. So `<command> <url>` without
 * GIT_DIR is a person running a management command, even though it has the helper's shape; `git s3`
 * is always one.
 */
export function isHelperInvocation(args: readonly string[], invokedAs: string, env: NodeJS.ProcessEnv): boolean {
  if (invokedAs === 'git-s3' || args.length !== 2) return false;
  const [name = '', url = ''] = args;
  if (!isRemoteUrl(url)) return false;
  return !MANAGEMENT_COMMANDS.includes(name) || Boolean(env.GIT_DIR);
}

/**
 * Set in the helper's own environment, so every git it runs inherits it. A helper that finds it was started
 * by a lazy fetch of one of those gits (a partial clone whose promisor is this remote) and must refuse at
 * once: serving it would run the same git again and recurse without end (git < 2.44 has no GIT_NO_LAZY_FETCH).
 */
export const HELPER_MARK = 'GIT_REMOTE_S3_HELPER';

export function startedByOwnGit(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env[HELPER_MARK]);
}
