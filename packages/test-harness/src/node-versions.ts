// The other Node.js releases the e2e tests run on besides the machine's own node (the floor): Node 22 and 24, the
// official binaries as the npm registry ships them (`node-<platform>-<arch>`), pinned here and nowhere else and
// unpacked once into the test cache. `tsx packages/test-harness/src/node-versions.ts --install-only` fetches
// them (scripts/setup.sh); `--bin-dirs` prints `<version> <dir holding node>` per line for .ci/run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir } from './minio.js';

export const NODE_VERSIONS = ['22.23.5', '24.22.3'] as const;

/** The directory that holds the pinned release's `node` (put it first on PATH to run under it). */
export function nodeBinDir(version: string): string {
  return join(cacheDir(), `node-v${version}-${process.platform}-${process.arch}`, 'bin');
}

/** Fetches the release with `npm pack` (npm's own cache and registry settings apply) once; returns its bin dir. */
export async function ensureNode(version: string, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const bin = nodeBinDir(version);
  if (existsSync(join(bin, 'node'))) return bin;
  const pkg = `node-${process.platform}-${process.arch}@${version}`;
  log(`fetching Node.js ${version} from the npm registry (${pkg}, about 50 MB; cached in ${cacheDir()})`);
  await mkdir(cacheDir(), { recursive: true });
  const staging = await mkdtemp(join(cacheDir(), 'node-fetch-'));
  try {
    const tarball = execFileSync('npm', ['pack', pkg, '--loglevel=error', '--no-update-notifier', '--pack-destination', staging], {
      encoding: 'utf8',
    }).trim();
    execFileSync('tar', ['-xzf', join(staging, tarball), '-C', staging, 'package/bin/node', 'package/LICENSE']);
    const fetched = execFileSync(join(staging, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (fetched !== `v${version}`) throw new Error(`${pkg} holds node ${fetched}, not v${version}`);
    await rename(join(staging, 'package'), join(bin, '..'));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return bin;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--install-only')) {
    for (const version of NODE_VERSIONS) process.stdout.write(`Node.js ${version} ready: ${join(await ensureNode(version), 'node')}\n`);
  } else if (process.argv.includes('--bin-dirs')) {
    for (const version of NODE_VERSIONS) process.stdout.write(`${version} ${nodeBinDir(version)}\n`);
  } else {
    process.stderr.write('usage: node-versions.ts --install-only | --bin-dirs\n');
    process.exit(129);
  }
}
