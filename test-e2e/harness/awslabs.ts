// The Python awslabs git-remote-s3 that the bundle layout must interoperate with (DESIGN §3): pinned here and
// nowhere else, installed once from PyPI into a private virtual environment in the test cache (outside the
// repository), and an environment that puts its `git-remote-s3`, `git-s3` and `git-lfs-s3` before ours.
// `tsx test-e2e/harness/awslabs.ts --install-only` installs it ahead of a test run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir } from './minio.js';

export const AWSLABS_REQUIREMENT = 'git-remote-s3==0.3.2';

const [AWSLABS_PACKAGE, AWSLABS_VERSION] = AWSLABS_REQUIREMENT.split('==') as [string, string];

/** `<cache>/awslabs-git-remote-s3-0.3.2`: a symlink to the virtual environment that holds the pinned version. */
export function awslabsDir(): string {
  return join(cacheDir(), `awslabs-${AWSLABS_PACKAGE}-${AWSLABS_VERSION}`);
}

function awslabsBinDir(): string {
  return join(awslabsDir(), 'bin');
}

/**
 * Installs the pinned Python tool once (about a minute on a fresh machine), printing pip's progress; reuses
 * the cached environment. A virtual environment cannot be renamed (pip writes its absolute path into the
 * scripts' `#!` lines), so it is built in a directory of its own and published by atomically renaming a
 * symlink to it into place: a half-built environment is never seen under the published name.
 */
export async function ensureAwslabs(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const published = awslabsDir();
  if (existsSync(join(published, 'bin', 'git-remote-s3'))) return published;
  await mkdir(cacheDir(), { recursive: true });
  const venv = await mkdtemp(`${published}-`);
  const started = Date.now();
  log(`installing ${AWSLABS_REQUIREMENT} (Python) from PyPI into a private virtual environment (first run only; cached in ${published})`);
  try {
    await runLogged(
      'python3',
      ['-m', 'venv', venv],
      'create a virtual environment with python3 -m venv (install python3 and python3-venv)',
      log,
      started,
    );
    await runLogged(
      join(venv, 'bin', 'python'),
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', AWSLABS_REQUIREMENT],
      `pip install ${AWSLABS_REQUIREMENT}`,
      log,
      started,
    );
    const installed = await capture(join(venv, 'bin', 'python'), [
      '-c',
      `import importlib.metadata as m; print(m.version('${AWSLABS_PACKAGE}'))`,
    ]);
    if (installed.trim() !== AWSLABS_VERSION)
      throw new Error(`pip installed ${AWSLABS_PACKAGE} ${installed.trim()}, not ${AWSLABS_VERSION}`);
    if (existsSync(join(published, 'bin', 'git-remote-s3'))) {
      // another process published it while we were installing: keep theirs
      await rm(venv, { recursive: true, force: true });
      return published;
    }
    const link = `${venv}.link`;
    await symlink(basename(venv), link);
    await rename(link, published);
  } catch (error) {
    await rm(venv, { recursive: true, force: true });
    throw error;
  }
  log(`installed ${AWSLABS_REQUIREMENT} in ${Math.round((Date.now() - started) / 1000)}s`);
  return published;
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

function runLogged(command: string, args: readonly string[], what: string, log: (line: string) => void, started: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, PIP_NO_INPUT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let downloads = 0;
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      downloads += (text.match(/^(Collecting|Downloading) /gm) ?? []).length;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const ticker = setInterval(() => {
      log(`  …still installing ${AWSLABS_REQUIREMENT}: ${Math.round((Date.now() - started) / 1000)}s, ${downloads} packages fetched`);
    }, 15_000);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`cannot ${what}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`cannot ${what} (exit ${code}):\n${tail}`));
    });
  });
}

function capture(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}`))));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv.includes('--install-only')) {
    process.stderr.write('usage: tsx test-e2e/harness/awslabs.ts --install-only\n');
    process.exit(2);
  }
  const dir = await ensureAwslabs();
  process.stdout.write(`${AWSLABS_REQUIREMENT} ready: ${dir}\n`);
}
