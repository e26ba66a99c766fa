import { captureOutput } from '@git-remote-s3/core/test-support/captured-output';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

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
    expect(result.stderr).toMatch(/^error: unsupported option name \("--bogus"\)\nusage: git-lfs-s3 install \[--remote #0\] /);
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
