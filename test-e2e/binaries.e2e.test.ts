// The built binaries start from PATH, print help and version, and refuse bad invocations clearly.
import { describe, expect } from 'vitest';
import { test } from './harness/context.js';

describe('built binaries', () => {
  test('git-remote-s3 --help lists its usage and exits 0', async ({ world }) => {
    const result = await world.run('git-remote-s3', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('git-remote-s3');
    expect(result.stdout).toMatch(/\$ git-remote-s3 <command>/);
  });

  test('git s3 --version prints the version through git', async ({ world }) => {
    const result = await world.run('git', ['s3', '--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('git-lfs-s3 --help lists its usage and exits 0', async ({ world }) => {
    const result = await world.run('git-lfs-s3', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('git-lfs-s3');
  });

  test('git-remote-s3 with a bad url says what form it expects and exits non-zero', async ({ world }) => {
    const result = await world.run('git-remote-s3', ['origin', 's3://Bad_Bucket/repo']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("invalid remote url 's3://Bad_Bucket/repo'");
    expect(result.stderr).toContain('expected s3://[<profile>@]<bucket>/<prefix>');
    expect(result.stdout).toBe('');
  });
});
