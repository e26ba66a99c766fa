import { captureOutput } from '@git-remote-s3/core/test-support/captured-output';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { VERSION } from './version.js';

const cli = (args: string[]) => captureOutput((io) => runCli(args, io));

describe('git-lfs-s3 command line', () => {
  it('reports an unknown command as one git-style error line on stderr and exits 129', async () => {
    expect(await cli(['bogus'])).toEqual({
      code: 129,
      stdout: '',
      stderr: "error: 'bogus' is not a git-lfs-s3 command; see 'git-lfs-s3 --help'\n",
    });
  });

  it('reports an unknown option with the usage of the command', async () => {
    const result = await cli(['install', '--bogus']);
    expect(result.code).toBe(129);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: unsupported option name ("--bogus")\nusage: git-lfs-s3 install [--remote <name>] [--url <s3-url>] [--global] [-q,--quiet]\n',
    );
  });

  it('names the value of every option in its help, as git does, never with a placeholder number', async () => {
    const { stdout } = await cli(['--help']);
    expect(stdout).toContain('git-lfs-s3 uninstall [--remote <name>] [--global]');
    // Every option that takes a value names it (`named`), none falls back to <value>.
    expect(stdout).not.toMatch(/#\d|<value>/);
  });

  it('says which tool and runtime it is in --version, since the Python tool installs the same names', async () => {
    expect(await cli(['--version'])).toEqual({
      code: 0,
      stdout: `git-lfs-s3/${VERSION} (TypeScript; node ${process.version})\n`,
      stderr: '',
    });
  });

  it('reports a contradictory command line the command refuses in one line, exit 129', async () => {
    expect(await cli(['install', '--url', 's3://b/r'])).toEqual({ code: 129, stdout: '', stderr: 'error: --url needs --remote <name>\n' });
  });

  it('still prints its help on stdout and exits 0', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('git-lfs-s3 install');
  });
});
