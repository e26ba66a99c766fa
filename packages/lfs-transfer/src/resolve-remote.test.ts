import { BadConfigError, type GitConfigValues } from '@git-remote-s3/core';
import { describe, expect, it } from 'vitest';
import { resolveLfsUrl } from './resolve-remote.js';

const config = (entries: Record<string, string> = {}): GitConfigValues => new Map(Object.entries(entries));

function configError(remote: string, values: GitConfigValues): BadConfigError {
  try {
    resolveLfsUrl(remote, values);
  } catch (error) {
    if (error instanceof BadConfigError) return error;
    throw new Error(`expected a BadConfigError for '${remote}', got ${String(error)}`);
  }
  throw new Error(`expected '${remote}' to be refused`);
}

describe('resolveLfsUrl', () => {
  it.each(['s3://my-bucket/repo', 's3+zip://work@my-bucket/repo', 'amazon-s3://my-bucket/a/b'])('passes the URL %s through', (url) => {
    expect(resolveLfsUrl(url, config({ 'remote.origin.url': 's3://other-bucket/x' }))).toBe(url);
  });

  it('resolves a remote through its synthetic lfsurl before its url', () => {
    const values = config({
      'remote.origin.url': 's3://code-bucket/repo',
      'remote.origin.lfsurl': 'https://git-lfs-s3.invalid/s3/work@lfs-bucket/team/repo',
    });
    expect(resolveLfsUrl('origin', values)).toBe('s3://work@lfs-bucket/team/repo');
  });

  it('resolves a remote with a non-S3 url through its synthetic lfsurl', () => {
    const values = config({
      'remote.origin.url': 'https://github.com/owner/repo.git',
      'remote.origin.lfsurl': 'https://git-lfs-s3.invalid/s3/lfs-bucket/repo',
    });
    expect(resolveLfsUrl('origin', values)).toBe('s3://lfs-bucket/repo');
  });

  it('resolves a remote set up by the Python tool 0.4.x through its own url, which adds the profile and scheme the alias lacks', () => {
    const values = config({
      'remote.origin.url': 's3+zip://work@my-bucket/team/repo',
      'remote.origin.lfsurl': 'https://lfs-alias.git-remote-s3.test/my-bucket/team/repo',
    });
    expect(resolveLfsUrl('origin', values)).toBe('s3+zip://work@my-bucket/team/repo');
  });

  it("resolves the Python tool's alias to its own bucket and prefix when the remote's url names another place", () => {
    const values = config({
      'remote.origin.url': 'https://github.com/owner/repo.git',
      'remote.origin.lfsurl': 'https://lfs-alias.git-remote-s3.test/lfs-bucket/a%2Bb/repo',
    });
    expect(resolveLfsUrl('origin', values)).toBe('s3://lfs-bucket/a+b/repo');
  });

  it('takes an LFS url git-lfs names instead of a remote', () => {
    expect(resolveLfsUrl('https://lfs-alias.git-remote-s3.test/my-bucket/repo', config())).toBe('s3://my-bucket/repo');
    expect(resolveLfsUrl('https://git-lfs-s3.invalid/s3/work@my-bucket/repo', config())).toBe('s3://work@my-bucket/repo');
  });

  it('resolves a remote through an s3 lfsurl', () => {
    const values = config({ 'remote.origin.url': 'https://github.com/owner/repo.git', 'remote.origin.lfsurl': 's3://lfs-bucket/repo' });
    expect(resolveLfsUrl('origin', values)).toBe('s3://lfs-bucket/repo');
  });

  it('resolves a remote through its s3 url', () => {
    expect(resolveLfsUrl('origin', config({ 'remote.origin.url': 's3+zip://my-bucket/repo' }))).toBe('s3+zip://my-bucket/repo');
  });

  it('looks a remote up by its lowercased name', () => {
    expect(resolveLfsUrl('Origin', config({ 'remote.origin.url': 's3://my-bucket/repo' }))).toBe('s3://my-bucket/repo');
  });

  it('picks the named remote among several', () => {
    const values = config({ 'remote.origin.url': 's3://one-bucket/repo', 'remote.backup.url': 's3://two-bucket/repo' });
    expect(resolveLfsUrl('backup', values)).toBe('s3://two-bucket/repo');
  });

  it('refuses a non-S3 remote and says how to give it an S3 location', () => {
    const error = configError('origin', config({ 'remote.origin.url': 'https://github.com/owner/repo.git' }));
    expect(error.message).toBe(
      "bad value for remote 'origin': it is not an S3 remote (https://github.com/owner/repo.git); to keep its LFS objects in S3 run 'git-lfs-s3 install --remote origin --url s3://<bucket>/<prefix>'",
    );
  });

  it('refuses a remote whose only lfsurl is an LFS server, naming that url', () => {
    const error = configError('lfs', config({ 'remote.lfs.lfsurl': 'https://lfs.example.com/repo' }));
    expect(error.message).toBe(
      "bad value for remote 'lfs': it is not an S3 remote (https://lfs.example.com/repo); to keep its LFS objects in S3 run 'git-lfs-s3 install --remote lfs --url s3://<bucket>/<prefix>'",
    );
  });

  it('refuses a remote the repository does not have', () => {
    const error = configError('nope', config({ 'remote.origin.url': 's3://my-bucket/repo' }));
    expect(error.message).toBe("bad value for remote 'nope': no such remote in this repository");
    expect(error.code).toBe('bad-config');
  });
});
