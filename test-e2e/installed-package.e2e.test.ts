// The package as a user gets it: `pnpm pack` (which builds it), `npm install --global` of the tarball into a
// temporary prefix, then git and git-lfs with only that prefix's bin (and git, git-lfs, node, sh) on PATH.
// Runs in its own vitest project after the other e2e projects: packing rebuilds dist/, which they run from.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from '@git-remote-s3/test-harness/context';
import { PACKAGE_DIR } from '@git-remote-s3/test-harness/paths';
import { run } from '@git-remote-s3/test-harness/process';
import { initRepo, remoteKeys } from '@git-remote-s3/test-harness/repo';
import { afterAll, beforeAll, describe, expect } from 'vitest';

const COMMANDS = ['git-remote-s3', 'git-remote-s3+zip', 'git-remote-amazon-s3', 'git-s3', 'git-lfs-s3'];
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface Installed {
  readonly tarball: string;
  readonly files: readonly string[];
  readonly manifest: Record<string, unknown> & { version: string; bin: Record<string, string> };
  /** PATH with only the prefix's bin and a directory holding git, git-lfs, node and sh. */
  readonly path: string;
  readonly bin: string;
}

let scratch = '';
let installed: Installed;

async function must(command: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(command, args, process.env, { cwd });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'git-remote-s3-installed-'));
  await must('pnpm', ['pack', '--pack-destination', scratch], PACKAGE_DIR);
  const { version } = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  const tarball = join(scratch, `git-remote-s3-${version}.tgz`);
  const files = (await must('tar', ['tzf', tarball], scratch)).trim().split('\n').sort();
  const manifest = JSON.parse(await must('tar', ['xzOf', tarball, 'package/package.json'], scratch));
  // Dependencies, if the package ever has any, come from the user's npm cache or the registry, as for a user.
  const prefix = join(scratch, 'prefix');
  await must('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], scratch);
  const tools = join(scratch, 'tools');
  await mkdir(tools);
  // git-lfs starts a custom transfer agent through sh.
  for (const tool of ['git', 'git-lfs', 'node', 'sh']) {
    const where = (await must('sh', ['-c', `command -v ${tool}`], scratch)).trim();
    await symlink(where, join(tools, tool));
  }
  const bin = join(prefix, 'bin');
  installed = { tarball, files, manifest, bin, path: [bin, tools].join(delimiter) };
}, 300_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the installed package', () => {
  test('the tarball holds the built programs, README, LICENSE and package.json, and no tests or sources', () => {
    const { files } = installed;
    for (const file of files) expect(file).toMatch(/^package\/(dist\/[\w-]+\.js|man\/man1\/[\w-]+\.1|README\.md|LICENSE|package\.json)$/);
    expect(files).toEqual(
      expect.arrayContaining([
        'package/README.md',
        'package/LICENSE',
        'package/dist/main.js',
        'package/dist/lfs-transfer.js',
        'package/man/man1/git-s3.1',
        'package/man/man1/git-remote-s3.1',
        'package/man/man1/git-lfs-s3.1',
      ]),
    );
    expect(files.filter((f) => /test/.test(f))).toEqual([]);
  });

  test('its manifest names all five commands, where it comes from, and nothing from the workspace', () => {
    const { manifest } = installed;
    expect(Object.keys(manifest.bin).sort()).toEqual([...COMMANDS].sort());
    expect(manifest).toMatchObject({ name: 'git-remote-s3', license: 'Apache-2.0' });
    for (const field of ['repository', 'homepage', 'bugs', 'keywords']) expect(manifest[field], field).toBeTruthy();
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    // Everything is bundled (one copy of the AWS SDK, shared by both programs): nothing to resolve at install.
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  test('npm links every command into the prefix bin, each to the installed package', async () => {
    for (const command of COMMANDS) {
      expect(await readlink(join(installed.bin, command)), command).toMatch(/^\.\.\/lib\/node_modules\/git-remote-s3\/dist\/[\w-]+\.js$/);
    }
  });

  test('with only the prefix on PATH, git s3 --help opens the installed manual page (npm linked it where man looks)', async ({ world }) => {
    const help = await world.run('git', ['s3', '--help'], {
      // man and its formatters from the system; man finds the page through PATH (<prefix>/bin -> <prefix>/share/man).
      env: { PATH: [installed.path, '/usr/bin', '/bin'].join(delimiter), MANPATH: '', MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '120' },
    });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/NAME\s+git-s3 - manage the S3 remotes of git-remote-s3/);
    expect(help.stdout).toContain('--lock-ttl');
  });

  test('with only the prefix on PATH: git s3 --version, a push, a clone and an LFS round trip', async ({ world }) => {
    const env = { PATH: installed.path };
    const version = await world.run('git', ['s3', '--version'], { env });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toContain(installed.manifest.version);

    const url = world.url('installed/repo');
    const git = (args: string[], cwd: string) => world.git(args, cwd, { env });
    await git(['lfs', 'install', '--skip-repo'], world.dir);
    const repo = await initRepo(world, 'src');
    await git(['remote', 'add', 'origin', url], repo);
    await git(['lfs', 'track', '*.bin'], repo);
    const data = randomBytes(256 * 1024);
    await writeFile(join(repo, 'blob.bin'), data);
    await writeFile(join(repo, 'README'), 'installed from the tarball\n');
    await git(['add', '.gitattributes', 'blob.bin', 'README'], repo);
    await git(['commit', '-q', '-m', 'a file and an LFS file'], repo);
    const install = await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo, env });
    expect(install.code, install.stderr).toBe(0);
    await git(['push', 'origin', 'main'], repo);
    expect(await remoteKeys(world, 'installed/repo')).toContain(`installed/repo/lfs/${sha256(data)}`);

    // The clone sets LFS up by itself: the helper finds git-lfs-s3 beside it in the prefix.
    const clone = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir, env });
    expect(clone.code, clone.stderr).toBe(0);
    const copy = join(world.dir, 'copy');
    expect(await readFile(join(copy, 'README'), 'utf8')).toBe('installed from the tarball\n');
    expect(sha256(await readFile(join(copy, 'blob.bin')))).toBe(sha256(data));
    expect(existsSync(join(copy, '.git', 'lfs', 'objects', sha256(data).slice(0, 2), sha256(data).slice(2, 4), sha256(data)))).toBe(true);
  });
});
