// The built binaries start from PATH, print help and version, and refuse bad invocations clearly.

import { test } from '@git-remote-s3/test-harness/context';
import { describe, expect } from 'vitest';

describe('built binaries', () => {
  test('git-remote-s3 --help lists its usage and exits 0', async ({ world }) => {
    const result = await world.run('git-remote-s3', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('git-remote-s3');
    expect(result.stdout).toMatch(/\$ git-remote-s3 <command>/);
  });

  test('git s3 --version prints the tool and version through git', async ({ world }) => {
    const result = await world.run('git', ['s3', '--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^git-remote-s3\/\d+\.\d+\.\d+ \(TypeScript; node v[\d.]+\)$/);
  });

  test('git-lfs-s3 --help lists its usage and exits 0', async ({ world }) => {
    const result = await world.run('git-lfs-s3', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('git-lfs-s3');
  });

  test('git-lfs-s3 with an unknown command says so in one git-style line and exits 129', async ({ world }) => {
    const result = await world.run('git-lfs-s3', ['bogus']);
    expect(result).toMatchObject({
      code: 129,
      stdout: '',
      stderr: "error: 'bogus' is not a git-lfs-s3 command; see 'git-lfs-s3 --help'\n",
    });
  });

  test('git s3 with an unknown option names it, then gives the usage of the command, and exits 129', async ({ world }) => {
    const result = await world.run('git', ['s3', 'protect', '--bogus', 'origin', 'main'], { cwd: world.dir });
    expect(result.code).toBe(129);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: unsupported option name ("--bogus")\nusage: git s3 protect <remote> <branch>\n');
  });

  test('the LFS agent started outside a repository says why in one error line, not a stack trace, and exits 1', async ({ world }) => {
    const init = '{"event":"init","operation":"download","remote":"origin","concurrent":true,"concurrenttransfers":1}\n';
    const result = await world.run('git-lfs-s3', [], { cwd: world.dir, input: init, env: { GIT_CEILING_DIRECTORIES: world.dir } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: 'git rev-parse --absolute-git-dir' exited with 128: fatal: not a git repository[^\n]*\n$/);
  });

  test('git-remote-s3 with a bad url says what form it expects at the first command that needs it and exits non-zero', async ({
    world,
  }) => {
    const result = await world.run('git-remote-s3', ['origin', 's3://Bad_Bucket/repo'], { input: 'capabilities\nlist\n' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("invalid remote url 's3://Bad_Bucket/repo'");
    expect(result.stderr).toContain('expected s3://[<profile>@]<bucket>/<prefix>');
    // capabilities needs no URL; nothing is listed.
    expect(result.stdout).toBe('option\nfetch\npush\nobject-format\n\n');
  });
});

/** Files `entry` loads before running: its static imports, transitively (dynamic import() excluded). */
async function staticGraph(entry: string): Promise<Map<string, string>> {
  const { readFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  const seen = new Map<string, string>();
  const visit = async (file: string) => {
    if (seen.has(file)) return;
    const text = await readFile(file, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/^import\s[^;]*?from\s+'(\.\/[^']+)'|^import\s+'(\.\/[^']+)'/gm)) {
      await visit(join(dirname(file), m[1] ?? m[2] ?? ''));
    }
  };
  await visit(entry);
  return seen;
}

describe('start-up cost of the built helper', () => {
  test('deciding helper-or-CLI and answering capabilities loads neither the AWS SDK nor zod', async () => {
    const { join } = await import('node:path');
    const { readdir } = await import('node:fs/promises');
    const { REPO_ROOT } = await import('@git-remote-s3/test-harness/paths');
    const dist = join(REPO_ROOT, 'packages', 'remote-helper', 'dist');
    const helperChunk = (await readdir(dist)).find((f) => /^helper-[A-Z0-9]+\.js$/.test(f));
    expect(helperChunk).toBeDefined();
    for (const entry of ['main.js', helperChunk ?? '']) {
      const graph = await staticGraph(join(dist, entry));
      const bytes = [...graph.values()].reduce((n, t) => n + t.length, 0);
      expect(
        [...graph.values()].some((t) => t.includes('S3Client')),
        entry,
      ).toBe(false);
      expect(
        [...graph.values()].some((t) => t.includes('zod')),
        entry,
      ).toBe(false);
      expect(bytes, `${entry} loads ${bytes} bytes before it runs`).toBeLessThan(50_000);
    }
  });
});
