// Questions asked of the local repository through git: object ids, ancestry, which objects are present,
// the object format, the git directory, a remote's URL.
import { git } from './git.js';

export interface RepoOptions {
  /** Where to run git; git itself honours GIT_DIR from the environment. */
  readonly cwd?: string;
  /** The environment for git instead of ours: a scratch repository sets its own GIT_DIR so that no inherited one leaks in. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The git options that `o` asks for. */
export const repoGitOptions = (o: RepoOptions): { cwd?: string; env?: NodeJS.ProcessEnv } => ({
  ...(o.cwd ? { cwd: o.cwd } : {}),
  ...(o.env ? { env: o.env } : {}),
});

const opts = repoGitOptions;

/** The object id `rev` names (not peeled: an annotated tag gives the tag object), or undefined. */
export async function revParse(rev: string, o: RepoOptions = {}): Promise<string | undefined> {
  const { stdout, exitCode } = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', rev], {
    ...opts(o),
    okExitCodes: [1, 128],
  });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/**
 * `revParse` of each of `revs`, in one git process instead of one per rev (a push of 10,000 refs names
 * 10,000): `git cat-file --batch-check` resolves revisions as rev-parse does; a rev it cannot answer with an
 * existing object (missing, ambiguous) is asked of `revParse` itself, so every answer is rev-parse's.
 */
export async function revParseAll(revs: readonly string[], o: RepoOptions = {}): Promise<(string | undefined)[]> {
  if (revs.length === 0) return [];
  const { stdout } = await git(['cat-file', '--batch-check=%(objectname)'], { ...opts(o), input: `${revs.join('\n')}\n` });
  const lines = stdout.split('\n');
  const out: (string | undefined)[] = [];
  for (const [i, rev] of revs.entries()) {
    const line = lines[i] ?? '';
    out.push(/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(line) ? line : await revParse(rev, o));
  }
  return out;
}

export type Ancestry = 'ancestor' | 'not-ancestor' | 'unknown';

/** Whether `ancestor` is reachable from `descendant`; `unknown` when git lacks one of them. */
export async function ancestry(ancestor: string, descendant: string, o: RepoOptions = {}): Promise<Ancestry> {
  const { exitCode } = await git(['merge-base', '--is-ancestor', ancestor, descendant], { ...opts(o), okExitCodes: [1, 128] });
  return exitCode === 0 ? 'ancestor' : exitCode === 1 ? 'not-ancestor' : 'unknown';
}

/** The subset of `shas` the repository does not have (one git process for all of them). */
export async function missingObjects(shas: readonly string[], o: RepoOptions = {}): Promise<Set<string>> {
  if (shas.length === 0) return new Set();
  const { stdout } = await git(['cat-file', '--batch-check=%(objectname)'], { ...opts(o), input: `${shas.join('\n')}\n` });
  const missing = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) missing$/.exec(line);
    if (m?.[1]) missing.add(m[1]);
  }
  return missing;
}

/** Each present object's type (`commit`, `tree`, `blob`, `tag`), by id; missing ids are left out. One git process. */
export async function objectTypes(shas: readonly string[], o: RepoOptions = {}): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  if (shas.length === 0) return types;
  const { stdout } = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { ...opts(o), input: `${shas.join('\n')}\n` });
  for (const line of stdout.split('\n')) {
    const [sha, type] = line.split(' ');
    if (sha && type && type !== 'missing') types.set(sha, type);
  }
  return types;
}

export async function objectFormat(o: RepoOptions = {}): Promise<'sha1' | 'sha256'> {
  const { stdout } = await git(['rev-parse', '--show-object-format'], opts(o));
  return stdout.trim() === 'sha256' ? 'sha256' : 'sha1';
}

/** Whether the working directory is inside a git repository (git's own search, GIT_DIR and ceilings included). */
export async function inRepository(o: RepoOptions = {}): Promise<boolean> {
  const { exitCode } = await git(['rev-parse', '--git-dir'], { ...opts(o), okExitCodes: [128] });
  return exitCode === 0;
}

/** Absolute path of the git directory (worktrees and submodules resolve to their own). */
export async function gitDir(o: RepoOptions = {}): Promise<string> {
  const { stdout } = await git(['rev-parse', '--absolute-git-dir'], opts(o));
  return stdout.trim();
}

/** The URL of a configured remote, or undefined when `name` is not one. */
export async function remoteUrl(name: string, o: RepoOptions = {}): Promise<string | undefined> {
  const { stdout, exitCode } = await git(['remote', 'get-url', '--', name], { ...opts(o), okExitCodes: [2, 128] });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/** The full name of the branch HEAD points to, or undefined on a detached HEAD or outside a repository. */
export async function currentBranch(o: RepoOptions = {}): Promise<string | undefined> {
  const { stdout, exitCode } = await git(['symbolic-ref', '-q', 'HEAD'], { ...opts(o), okExitCodes: [1, 128] });
  return exitCode === 0 ? stdout.trim() : undefined;
}
