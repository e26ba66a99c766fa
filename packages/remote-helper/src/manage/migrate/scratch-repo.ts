// A temporary bare repository that holds the remote's objects while the target layout is written from it,
// so a migration needs no clone of the user's and never touches one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '@git-remote-s3/core';

export interface ScratchRepo {
  readonly dir: string;
  dispose(): Promise<void>;
}

export async function createScratchRepo(objectFormat: 'sha1' | 'sha256'): Promise<ScratchRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'git-remote-s3-migrate-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await git(['init', '--bare', '-q', `--object-format=${objectFormat}`, dir]);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { dir, dispose };
}

/** git's variables that name a repository: when set, they win over the `cwd` every git call here is given. */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
];

/**
 * Runs `work` with git's repository variables unset (restored afterwards), so that git run in the scratch
 * repository works there and not in the user's (`git --git-dir=… s3 migrate` sets GIT_DIR, for one).
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
