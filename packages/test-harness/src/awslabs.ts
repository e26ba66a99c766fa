// The Python awslabs git-remote-s3 that the bundle layout must interoperate with (DESIGN §3): pinned here and
// nowhere else, installed once from PyPI into a private virtual environment in the test cache (outside the
// repository), and an environment that puts its `git-remote-s3`, `git-s3` and `git-lfs-s3` before ours.
// `tsx packages/test-harness/src/awslabs.ts --install-only` installs it ahead of a test run.
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensurePipTool, type PipTool, pipToolDir } from './pip-tool.js';

export const AWSLABS_VERSION = '0.4.2';
export const AWSLABS_REQUIREMENT = `git-remote-s3==${AWSLABS_VERSION}`;

const AWSLABS: PipTool = { requirement: AWSLABS_REQUIREMENT, command: 'git-remote-s3', dir: `awslabs-git-remote-s3-${AWSLABS_VERSION}` };

/** `<cache>/awslabs-git-remote-s3-<version>`: a symlink to the virtual environment that holds the pinned version. */
export function awslabsDir(): string {
  return pipToolDir(AWSLABS);
}

function awslabsBinDir(): string {
  return join(awslabsDir(), 'bin');
}

/** Installs the pinned Python tool once (about a minute on a fresh machine); reuses the cached environment. */
export function ensureAwslabs(log?: (line: string) => void): Promise<string> {
  return ensurePipTool(AWSLABS, log);
}

/**
 * A test's environment (`world.env`) with the Python tool's commands first on PATH, so that git picks its
 * `git-remote-s3` and `git-s3` runs its management commands. botocore takes the endpoint from
 * AWS_ENDPOINT_URL (path-style for an IP address) but the region only from AWS_DEFAULT_REGION, so that is
 * copied from AWS_REGION. The tool leaves a temporary directory behind on every push and fetch (it removes
 * only the bundle in it), so TMPDIR points inside the test's HOME, which the world deletes.
 */
export function awslabsEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const bin = awslabsBinDir();
  if (!existsSync(join(bin, 'git-remote-s3'))) throw new Error(`${bin} is missing: call ensureAwslabs() first`);
  const home = env.HOME;
  if (!home) throw new Error('awslabsEnv needs the test environment, with its temporary HOME');
  const tmp = join(home, '.awslabs-tmp');
  mkdirSync(tmp, { recursive: true });
  return {
    ...env,
    PATH: [bin, env.PATH ?? ''].join(delimiter),
    AWS_DEFAULT_REGION: env.AWS_REGION ?? 'us-east-1',
    TMPDIR: tmp,
    // never the user's own site-packages
    PYTHONNOUSERSITE: '1',
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv.includes('--install-only')) {
    process.stderr.write('usage: tsx packages/test-harness/src/awslabs.ts --install-only\n');
    process.exit(2);
  }
  const dir = await ensureAwslabs();
  process.stdout.write(`${AWSLABS_REQUIREMENT} ready: ${dir}\n`);
}
