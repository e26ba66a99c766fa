// Help the git way: `git s3 --help` and `git help s3` open the git-s3(1) page generated at build time from the
// commands' own usage text; usage lines name option values as git does; --version names the tool and runtime.

import { join } from 'node:path';
import { test } from '@git-remote-s3/test-harness/context';
import { BIN_DIRS } from '@git-remote-s3/test-harness/paths';
import { describe, expect } from 'vitest';

// The build writes each package's pages to man/man1/ beside its dist/: a MANPATH entry, as npm's
// <prefix>/share/man is after `npm install --global`. man prints the page on stdout with a pager of cat.
const MANPATH = BIN_DIRS.map((bin) => join(bin, '..', '..', 'man')).join(':');
const manEnv = { MANPATH, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '120' };

describe('manual pages', () => {
  test('git s3 --help opens the git-s3 manual page, with every command and its options', async ({ world }) => {
    const result = await world.run('git', ['s3', '--help'], { env: manEnv });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\n\s+git-s3\s+-\s+manage the S3 remotes of git-remote-s3/m);
    expect(result.stdout).toMatch(/^SYNOPSIS\n\s+git s3 delete-branch /m);
    for (const command of ['delete-branch', 'doctor', 'gc', 'list', 'log', 'migrate', 'protect', 'unprotect']) {
      expect(result.stdout).toMatch(new RegExp(`^ {3}git s3 ${command}$`, 'm'));
    }
    expect(result.stdout).toContain('git s3 migrate [--dry-run] [--progress] <remote> --to <layout>');
    expect(result.stdout).toMatch(/^\s+--lock-ttl <seconds>\n\s+seconds after which a lock is stale/m);
    expect(result.stdout).toMatch(/^\s+--grace <duration>\n/m);
    expect(result.stdout).not.toMatch(/#\d/);
  });

  test('git help s3 opens the same page', async ({ world }) => {
    const viaHelp = await world.run('git', ['help', 's3'], { env: manEnv });
    const viaFlag = await world.run('git', ['s3', '--help'], { env: manEnv });
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('GIT-S3(1)');
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  test('man git-remote-s3 shows the helper invocation and the management commands under that name', async ({ world }) => {
    const result = await world.run('man', ['git-remote-s3'], { env: manEnv });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SYNOPSIS\n\s+git-remote-s3 <remote> <url>\n\s+git-remote-s3 delete-branch /m);
    expect(result.stdout).toContain('git-remote-s3 doctor [--lock-ttl <seconds>]');
  });

  test('man git-lfs-s3 shows its commands and their options', async ({ world }) => {
    const result = await world.run('man', ['git-lfs-s3'], { env: manEnv });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\n\s+git-lfs-s3\s+-\s+git-lfs transfer agent/m);
    expect(result.stdout).toContain('git-lfs-s3 install [--remote <name>] [--url <s3-url>] [--global] [-q,--quiet]');
    expect(result.stdout).toMatch(/^\s+--url <s3-url>\n/m);
  });
});

describe('usage lines', () => {
  test('git s3 -h names every option value the git way and shows migrate needs --to <layout>', async ({ world }) => {
    const result = await world.run('git', ['s3', '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/#\d/);
    expect(result.stdout).toContain('git s3 doctor [--lock-ttl <seconds>] [--delete-stale-locks] [--keep-newest-bundle]');
    expect(result.stdout).toContain('git s3 migrate [--dry-run] [--progress] <remote> --to <layout>');
  });

  test('a usage error of git s3 shows the same usage line as the help', async ({ world }) => {
    const result = await world.run('git', ['s3', 'doctor', '--lock-ttl'], { cwd: world.dir });
    expect(result).toMatchObject({
      code: 129,
      stdout: '',
      stderr:
        'error: not enough arguments to option --lock-ttl\n' +
        'usage: git s3 doctor [--lock-ttl <seconds>] [--delete-stale-locks] [--keep-newest-bundle] [--set-head <branch>] [--sync-refs] <remote>\n',
    });
  });

  test('a usage error of git-lfs-s3 reads like git s3 s, with named values', async ({ world }) => {
    const result = await world.run('git-lfs-s3', ['uninstall', '--remote'], { cwd: world.dir });
    expect(result).toMatchObject({
      code: 129,
      stdout: '',
      stderr: 'error: not enough arguments to option --remote\nusage: git-lfs-s3 uninstall [--remote <name>] [--global]\n',
    });
  });
});

describe('--version', () => {
  const line = (tool: string) => new RegExp(`^${tool}/\\d+\\.\\d+\\.\\d+\\S* \\(TypeScript; node v\\d+\\.\\d+\\.\\d+\\)\\n$`);

  test('git s3 --version and git-remote-s3 --version name git-remote-s3, TypeScript and node', async ({ world }) => {
    const viaGit = await world.run('git', ['s3', '--version']);
    expect(viaGit).toMatchObject({ code: 0, stderr: '' });
    expect(viaGit.stdout).toMatch(line('git-remote-s3'));
    expect((await world.run('git-remote-s3', ['--version'])).stdout).toBe(viaGit.stdout);
  });

  test('git-lfs-s3 --version names git-lfs-s3, TypeScript and node', async ({ world }) => {
    const result = await world.run('git-lfs-s3', ['--version']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(line('git-lfs-s3'));
  });
});
