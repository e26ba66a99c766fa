import { NotFoundError } from '@git-remote-s3/core';
import { captureOutput } from '@git-remote-s3/core/test-support/captured-output';
import { UsageError } from 'clipanion';
import { describe, expect, it } from 'vitest';
import { MANAGEMENT_COMMANDS } from '../invocation.js';
import { VERSION } from '../version.js';
import { runCli } from './cli.js';
import { reportFailure } from './cli-command.js';

const cli = (args: string[], invokedAs = 'git-s3') => captureOutput((io) => runCli(args, invokedAs, io));

describe('runCli', () => {
  it('lists the management commands under the name it was invoked as', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    // Every command the CLI has is one the binary treats as a command, not as a helper invocation.
    const listed = [...result.stdout.matchAll(/^\s+git s3 ([a-z-]+)/gm)].map((m) => m[1]);
    expect(new Set(listed)).toEqual(new Set(MANAGEMENT_COMMANDS));
    expect((await cli(['--help'], 'git-remote-s3')).stdout).toContain('git-remote-s3 doctor');
  });

  it('writes usage lines in git style: named option values, [<optional>] arguments, required options last', async () => {
    const { stdout } = await cli(['--help']);
    // Every option that takes a value names it (`named`), none falls back to <value>.
    expect(stdout).not.toMatch(/#\d|<value>/);
    expect(stdout).toContain('git s3 doctor [--lock-ttl <seconds>] [--delete-stale-locks] [--keep-newest-bundle] [--set-head <branch>]');
    expect(stdout).toContain('git s3 delete-branch [-b,--branch <branch>] <remote> [<branch>]');
    expect(stdout).toContain('git s3 migrate [--dry-run] [--progress] <remote> --to <layout>');
    expect((await cli(['migrate', '-h'])).stdout).toContain('$ git s3 migrate <remote> --to <layout>\n');
  });

  it('gives every command usage the same lines in a usage error', async () => {
    expect((await cli(['migrate', 'origin', '--bogus'])).stderr).toBe(
      'error: unsupported option name ("--bogus")\nusage: git s3 migrate [--dry-run] [--progress] <remote> --to <layout>\n',
    );
    expect((await cli(['gc', '--grace'])).stderr).toBe(
      'error: not enough arguments to option --grace\nusage: git s3 gc [--grace <duration>] [-n,--dry-run] [--progress] <remote>\n',
    );
  });

  it('says which tool and runtime it is in --version, since the Python tool installs the same names', async () => {
    const line = `git-remote-s3/${VERSION} (TypeScript; node ${process.version})\n`;
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: line, stderr: '' });
    expect((await cli(['--version'], 'git-remote-s3')).stdout).toBe(line);
  });

  it('shows the help when given no arguments', async () => {
    const result = await cli([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('git s3 doctor');
  });

  it('reports an unknown command as one error line on stderr and exits 129, as git does', async () => {
    const result = await cli(['nosuch', 'origin']);
    expect(result).toEqual({ code: 129, stdout: '', stderr: "error: 'nosuch' is not a git s3 command; see 'git s3 --help'\n" });
  });

  it('reports missing arguments with the usage of the command', async () => {
    const result = await cli(['protect', 'origin']);
    expect(result.code).toBe(129);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: not enough positional arguments\nusage: git s3 protect <remote> <branch>\n');
  });

  it('asks migrate for the layout to convert to, before any network call', async () => {
    expect(await cli(['migrate', 's3://b/r'])).toEqual({
      code: 129,
      stdout: '',
      stderr: 'error: name the layout to convert to: --to packs or --to bundle\n',
    });
    expect((await cli(['migrate', 's3://b/r', '--to', 'zip'])).stderr).toBe("error: --to expects packs or bundle, not 'zip'\n");
  });

  it('reports an unknown option of a command', async () => {
    const result = await cli(['doctor', '--bogus', 'origin']);
    expect(result.code).toBe(129);
    expect(result.stderr).toMatch(/^error: unsupported option name \("--bogus"\)\nusage: git s3 doctor /);
  });
});

describe('reportFailure', () => {
  const report = (error: unknown) => {
    let text = '';
    const code = reportFailure(error, (t) => (text += t));
    return { code, text };
  };

  it('prints a usage error as one error line with exit code 129', () => {
    expect(report(new UsageError('name the branch to delete'))).toEqual({ code: 129, text: 'error: name the branch to delete\n' });
  });

  it('prints an expected error as one error line with exit code 1', () => {
    expect(report(new NotFoundError('b', 'repo/HEAD'))).toEqual({ code: 1, text: 'error: s3://b/repo/HEAD does not exist\n' });
  });

  it('reports anything else as a bug with exit code 70', () => {
    const { code, text } = report(new TypeError('x is undefined'));
    expect(code).toBe(70);
    expect(text).toMatch(/^fatal: unexpected failure \(this is a bug in git-remote-s3; .*\): x is undefined\n$/);
  });
});
