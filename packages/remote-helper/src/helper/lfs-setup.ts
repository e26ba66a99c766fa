// "Clone just works" with LFS, and no surprise writes: once a fetch or push shows that this repository
// uses LFS (a `.gitattributes` with `filter=lfs` anywhere in the trees of the commits it moves, or LFS
// objects git-lfs already stored in this repository) and git-lfs-s3 is on PATH, ask
// git-lfs-s3 to set itself up for the remote (scoped to it) and say so in one line. A repository without
// LFS never gets a config write. The helper knows only that the agent exists, never how it configures git-lfs.
import { spawn } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { git } from '@git-remote-s3/core/git';
import { log } from '@git-remote-s3/core/log';

const AGENT = 'git-lfs-s3';
/** The commits whose trees are searched for `.gitattributes` (a fetch of thousands of refs checks the first ones). */
const MAX_REVS_CHECKED = 32;

async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

export function wantsLfsSetup(remoteName: string, config: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): boolean {
  if (['0', 'false', 'no'].includes((env.GIT_REMOTE_S3_AUTO_INSTALL_LFS ?? '').toLowerCase())) return false;
  const section = `remote.${remoteName.toLowerCase()}`;
  // Only a configured remote of a repository (not `git ls-remote s3://…`), and only once.
  if (!config.has(`${section}.url`)) return false;
  return !config.has(`${section}.lfsurl`) && !config.has('lfs.standalonetransferagent');
}

/**
 * Whether `.gitattributes` text routes any path through git-lfs: a line (not a comment) whose attributes,
 * after the pattern, include `filter=lfs`, as `git lfs track` writes them.
 */
export function usesLfs(gitattributes: string): boolean {
  return gitattributes.split('\n').some((line) => {
    const tokens = line.trim().split(/\s+/);
    return !tokens[0]?.startsWith('#') && tokens.slice(1).includes('filter=lfs');
  });
}

/**
 * Whether any of `revs` has a `.gitattributes` that uses LFS, at the top or in any directory (`git lfs track`
 * run in a subdirectory writes one there): one `git grep` over the trees for the lines that can, then
 * `usesLfs` on those lines (a comment mentioning filter=lfs does not count).
 */
export async function lfsInUse(revs: readonly string[]): Promise<boolean> {
  if (revs.length === 0) return false;
  const { stdout } = await git(
    ['grep', '-h', '-I', '--fixed-strings', '-e', 'filter=lfs', ...revs, '--', '.gitattributes', ':(glob)**/.gitattributes'],
    { okExitCodes: [1] },
  );
  return usesLfs(stdout);
}

/**
 * Whether git-lfs has stored objects in this repository (its clean filter puts every LFS file it commits
 * under `<git-dir>/lfs/objects`): the sign of LFS in a branch git is about to push that HEAD does not show,
 * since git-lfs's pre-push hook runs before the helper learns which refs are pushed.
 */
export async function holdsLfsObjects(): Promise<boolean> {
  const { stdout } = await git(['rev-parse', '--git-path', 'lfs/objects']);
  try {
    return (await readdir(stdout.trim())).length > 0;
  } catch {
    return false;
  }
}

/** `git-lfs-s3 install --remote <name> --quiet`; true when it succeeded. */
function installAgent(remoteName: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(AGENT, ['install', '--remote', remoteName, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', () => resolve(false));
    child.on('close', (code) => {
      if (code !== 0) log.debug(`${AGENT} install --remote ${remoteName} failed: ${stderr.trim()}`);
      resolve(code === 0);
    });
  });
}

export const lfsSetupNote = (remoteName: string): string => `note: ${AGENT} set up for remote '${remoteName}'`;

/**
 * The helper's LFS set-up for one session: `offer(revs)` is called with the commits a session moves and
 * sets up the agent the first time they use LFS. Costs nothing once set up, when not wanted, or without
 * the agent; otherwise one `git cat-file`. Never fails the fetch or push it follows.
 */
export function lfsSetup(remoteName: string, config: ReadonlyMap<string, string>): (revs: readonly string[]) => Promise<void> {
  let settled = !wantsLfsSetup(remoteName, config, process.env);
  return async (revs) => {
    if (settled || revs.length === 0) return;
    try {
      if (!(await onPath(AGENT))) {
        settled = true;
        return;
      }
      // A rev git cannot read here (an unborn HEAD) is no sign either way: the objects may still tell.
      const inUse = (await lfsInUse(revs.slice(0, MAX_REVS_CHECKED)).catch(() => false)) || (await holdsLfsObjects());
      if (!inUse) return;
      settled = true;
      if (await installAgent(remoteName)) log.info(lfsSetupNote(remoteName));
    } catch (error) {
      log.debug(`could not check whether this repository uses LFS: ${(error as Error).message}`);
    }
  };
}
