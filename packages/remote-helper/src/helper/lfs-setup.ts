// "Clone just works" with LFS: when git-lfs-s3 is on PATH and this remote has no LFS set-up yet, ask
// git-lfs-s3 to set itself up for the remote (scoped to it) before git checks anything out. The helper
// knows only that the agent exists, never how it configures git-lfs.
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { log } from '@git-remote-s3/core/log';

const AGENT = 'git-lfs-s3';

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

export async function offerLfsSetup(remoteName: string, config: ReadonlyMap<string, string>): Promise<void> {
  if (!wantsLfsSetup(remoteName, config, process.env) || !(await onPath(AGENT))) return;
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(AGENT, ['install', '--remote', remoteName, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', () => resolve(null));
    child.on('close', (c) => {
      if (c !== 0) log.debug(`${AGENT} install --remote ${remoteName} failed: ${stderr.trim()}`);
      resolve(c);
    });
  });
  if (code === 0) log.debug(`set up ${AGENT} for LFS objects of remote '${remoteName}'`);
}
