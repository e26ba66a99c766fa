// A temporary bare repository that holds a remote's objects while gc or migrate works on them, so neither
// needs a clone of the user's nor ever touches one.
import { git, makeTempDir, type RepoOptions, removeTempDir, repoGitOptions } from '@git-remote-s3/core';

export interface ScratchRepo {
  readonly dir: string;
  /** Runs git in the scratch repository whatever the environment says (its own GIT_DIR). */
  readonly repo: RepoOptions;
  dispose(): Promise<void>;
}

/** An empty bare repository of `objectFormat` in a new temporary directory named after `purpose`. */
export async function createScratchRepo(purpose: string, objectFormat: 'sha1' | 'sha256'): Promise<ScratchRepo> {
  const dir = await makeTempDir(`git-remote-s3-${purpose}-`);
  const dispose = () => removeTempDir(dir);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  env.GIT_DIR = dir;
  const repo: RepoOptions = { cwd: dir, env };
  try {
    await git(['init', '--bare', '-q', `--object-format=${objectFormat}`, dir], repoGitOptions(repo));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { dir, repo, dispose };
}

/**
 * git's variables that name a repository (`git rev-parse --local-env-vars`, less the configuration a user
 * may mean for these commands too, `git -c … s3 gc`): when set, they win over the `cwd` a git call is given.
 */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_GRAFT_FILE',
  'GIT_REPLACE_REF_BASE',
  'GIT_SHALLOW_FILE',
  'GIT_PREFIX',
  'GIT_NAMESPACE',
  'GIT_QUARANTINE_PATH',
];

/**
 * Runs `work` with git's repository variables unset (restored afterwards), so that git run in the scratch
 * repository by code that only takes a `cwd` works there and not in the user's (`git --git-dir=… s3
 * migrate` sets GIT_DIR, for one).
 */
export async function outsideUserRepository<T>(work: () => Promise<T>): Promise<T> {
  const saved = new Map(REPOSITORY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of REPOSITORY_VARIABLES) delete process.env[name];
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
