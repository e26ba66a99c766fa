import { describe, expect, it } from 'vitest';
import { AGENT, installEntries, s3UrlOfLfsUrl, s3UrlOfPythonAlias, syntheticLfsUrl } from './lfs-config.js';

const CASES: [string, string, string][] = [
  ['an s3 url', 's3://my-bucket/repo', 'https://git-lfs-s3.invalid/s3/my-bucket/repo'],
  ['an s3 url with a profile', 's3://work@my-bucket/repo', 'https://git-lfs-s3.invalid/s3/work@my-bucket/repo'],
  ['an s3+zip url', 's3+zip://my-bucket/repo', 'https://git-lfs-s3.invalid/s3+zip/my-bucket/repo'],
  ['an s3+zip url with a profile', 's3+zip://dev.team_1@my-bucket/repo', 'https://git-lfs-s3.invalid/s3+zip/dev.team_1@my-bucket/repo'],
  [
    'an amazon-s3 url with a properties file',
    'amazon-s3://.jgit_s3@my-bucket/repo',
    'https://git-lfs-s3.invalid/amazon-s3/.jgit_s3@my-bucket/repo',
  ],
  ['a deep prefix', 's3://my-bucket/team/a/b/repo', 'https://git-lfs-s3.invalid/s3/my-bucket/team/a/b/repo'],
];

describe('syntheticLfsUrl', () => {
  it.each(CASES)('names %s under the reserved .invalid domain', (_name, s3Url, lfsUrl) => {
    expect(syntheticLfsUrl(s3Url)).toBe(lfsUrl);
  });

  it('normalizes extra slashes in the prefix', () => {
    expect(syntheticLfsUrl('s3://my-bucket//team//repo/')).toBe('https://git-lfs-s3.invalid/s3/my-bucket/team/repo');
  });

  it('refuses a url that is not a remote url', () => {
    expect(() => syntheticLfsUrl('https://example.com/repo')).toThrow("unknown scheme 'https'");
  });
});

describe('s3UrlOfLfsUrl', () => {
  it.each(CASES)('reads back %s from its synthetic LFS url', (_name, s3Url, lfsUrl) => {
    expect(s3UrlOfLfsUrl(lfsUrl)).toBe(s3Url);
  });

  it.each(CASES)('round-trips %s', (_name, s3Url) => {
    expect(s3UrlOfLfsUrl(syntheticLfsUrl(s3Url))).toBe(s3Url);
  });

  it.each(['s3://my-bucket/repo', 's3+zip://work@my-bucket/a/b', 'amazon-s3://my-bucket/repo'])(
    'passes the remote url %s through',
    (url) => {
      expect(s3UrlOfLfsUrl(url)).toBe(url);
    },
  );

  it.each([
    ['an LFS server', 'https://lfs.example.com/repo.git/info/lfs'],
    ['a GitHub remote', 'https://github.com/owner/repo.git/info/lfs'],
    ['the synthetic host over http', 'http://git-lfs-s3.invalid/s3/my-bucket/repo'],
    ['a look-alike host', 'https://git-lfs-s3.invalid.example.com/s3/my-bucket/repo'],
  ])('knows nothing of %s', (_name, url) => {
    expect(s3UrlOfLfsUrl(url)).toBeUndefined();
  });

  it.each([
    ['nothing after the host', 'https://git-lfs-s3.invalid/'],
    ['a scheme without a location', 'https://git-lfs-s3.invalid/s3'],
    ['an empty scheme', 'https://git-lfs-s3.invalid//my-bucket/repo'],
    ['an unknown scheme', 'https://git-lfs-s3.invalid/ftp/my-bucket/repo'],
  ])('gives nothing for a synthetic url with %s', (_name, url) => {
    expect(s3UrlOfLfsUrl(url)).toBeUndefined();
  });
});

describe('installEntries', () => {
  it('sets the agent up for every remote of the repository', () => {
    expect(installEntries({ kind: 'all' })).toStrictEqual([
      { key: 'lfs.customtransfer.git-lfs-s3.path', value: 'git-lfs-s3' },
      { key: 'lfs.standalonetransferagent', value: 'git-lfs-s3' },
      { key: 'lfs.locksverify', value: 'false' },
    ]);
  });

  it('scopes the agent to one remote through its synthetic LFS url', () => {
    expect(installEntries({ kind: 'remote', remote: 'origin', url: 's3://work@my-bucket/team/repo' })).toStrictEqual([
      { key: 'lfs.customtransfer.git-lfs-s3.path', value: 'git-lfs-s3' },
      { key: 'remote.origin.lfsurl', value: 'https://git-lfs-s3.invalid/s3/work@my-bucket/team/repo' },
      { key: 'lfs.https://git-lfs-s3.invalid/s3/work@my-bucket/team/repo.standalonetransferagent', value: 'git-lfs-s3' },
      { key: 'lfs.https://git-lfs-s3.invalid/s3/work@my-bucket/team/repo.locksverify', value: 'false' },
    ]);
  });

  it('names the agent git-lfs-s3', () => {
    expect(AGENT).toBe('git-lfs-s3');
  });
});

describe('s3UrlOfLfsUrl on synthetic URLs that name no S3 location', () => {
  it.each(['https://git-lfs-s3.invalid/s3/', 'https://git-lfs-s3.invalid/s3/bucket-only', 'https://git-lfs-s3.invalid/s3/Bad_Bucket/x'])(
    'returns undefined for %s',
    (url) => {
      expect(s3UrlOfLfsUrl(url)).toBeUndefined();
    },
  );
});

describe("the Python tool's 0.4.x LFS alias", () => {
  it.each([
    ['https://lfs-alias.git-remote-s3.test/my-bucket/repo', 's3://my-bucket/repo'],
    ['https://lfs-alias.git-remote-s3.test/my-bucket/team/a/repo', 's3://my-bucket/team/a/repo'],
    ['https://lfs-alias.git-remote-s3.test/my-bucket/team%2Bx/r%40v%3D1', 's3://my-bucket/team+x/r@v=1'],
    ['https://LFS-ALIAS.git-remote-s3.test/my-bucket/repo', 's3://my-bucket/repo'],
  ])('reads %s as %s, percent-decoding each prefix segment', (alias, s3Url) => {
    expect(s3UrlOfPythonAlias(alias)).toBe(s3Url);
    expect(s3UrlOfLfsUrl(alias)).toBe(s3Url);
  });

  it.each([
    ['another host', 'https://lfs.example.com/my-bucket/repo'],
    ['plain http', 'http://lfs-alias.git-remote-s3.test/my-bucket/repo'],
    ['no prefix', 'https://lfs-alias.git-remote-s3.test/my-bucket'],
    ['a malformed escape', 'https://lfs-alias.git-remote-s3.test/my-bucket/repo%zz'],
    ['a prefix our URLs cannot name (a space)', 'https://lfs-alias.git-remote-s3.test/my-bucket/my%20repo'],
    ['a query', 'https://lfs-alias.git-remote-s3.test/my-bucket/repo?x=1'],
    ['not a URL', 'origin'],
  ])('names nothing for %s', (_name, text) => {
    expect(s3UrlOfPythonAlias(text)).toBeUndefined();
  });
});
