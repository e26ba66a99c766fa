import { describe, expect, it } from 'vitest';
import { BadUrlError, printable } from './errors.js';
import { formatRemoteUrl, isRemoteUrl, objectUrl, parseRemoteUrl, type RemoteUrl } from './url.js';

const HINT =
  'expected s3://[<profile>@]<bucket>/<prefix>, s3+zip://[<profile>@]<bucket>/<prefix> or amazon-s3://[<propsfile>@]<bucket>/<path>';

function parseError(text: string): BadUrlError {
  try {
    parseRemoteUrl(text);
  } catch (error) {
    if (error instanceof BadUrlError) return error;
    throw new Error(`expected a BadUrlError for '${text}', got ${String(error)}`);
  }
  throw new Error(`expected '${text}' to be rejected`);
}

describe('parseRemoteUrl', () => {
  it.each<[string, string, RemoteUrl]>([
    ['accepts a plain s3 url', 's3://my-bucket/repo', { scheme: 's3', bucket: 'my-bucket', prefix: 'repo' }],
    ['accepts an s3+zip url', 's3+zip://my-bucket/repo', { scheme: 's3+zip', bucket: 'my-bucket', prefix: 'repo' }],
    ['accepts an amazon-s3 url', 'amazon-s3://my-bucket/repo', { scheme: 'amazon-s3', bucket: 'my-bucket', prefix: 'repo' }],
    [
      'reads a profile before the bucket',
      's3://work@my-bucket/repo',
      { scheme: 's3', bucket: 'my-bucket', prefix: 'repo', profile: 'work' },
    ],
    [
      'reads a profile in an s3+zip url',
      's3+zip://dev.team_1@my-bucket/repo',
      { scheme: 's3+zip', bucket: 'my-bucket', prefix: 'repo', profile: 'dev.team_1' },
    ],
    [
      'reads a properties file name in an amazon-s3 url',
      'amazon-s3://.jgit_s3@my-bucket/repo',
      { scheme: 'amazon-s3', bucket: 'my-bucket', prefix: 'repo', propsFile: '.jgit_s3' },
    ],
    ['keeps a deep prefix', 's3://my-bucket/a/b/c', { scheme: 's3', bucket: 'my-bucket', prefix: 'a/b/c' }],
    ['drops a trailing slash', 's3://my-bucket/repo/', { scheme: 's3', bucket: 'my-bucket', prefix: 'repo' }],
    ['drops extra leading slashes', 's3://my-bucket//repo', { scheme: 's3', bucket: 'my-bucket', prefix: 'repo' }],
    ['collapses double slashes inside the prefix', 's3://my-bucket/a//b///c/', { scheme: 's3', bucket: 'my-bucket', prefix: 'a/b/c' }],
    ['accepts a bucket name with dots and digits', 's3://my.bucket.2024/repo', { scheme: 's3', bucket: 'my.bucket.2024', prefix: 'repo' }],
    ['accepts a 3-character bucket name', 's3://abc/repo', { scheme: 's3', bucket: 'abc', prefix: 'repo' }],
    ['accepts a 63-character bucket name', `s3://${'a'.repeat(63)}/repo`, { scheme: 's3', bucket: 'a'.repeat(63), prefix: 'repo' }],
    [
      'accepts dots, hyphens and underscores in a segment',
      's3://my-bucket/team_x/repo.git',
      { scheme: 's3', bucket: 'my-bucket', prefix: 'team_x/repo.git' },
    ],
    [
      'accepts a segment containing dots that is not . or ..',
      's3://my-bucket/.../repo',
      { scheme: 's3', bucket: 'my-bucket', prefix: '.../repo' },
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseRemoteUrl(text)).toStrictEqual(expected);
  });

  it.each<[string, string, string]>([
    ['rejects text without a scheme', 'my-bucket/repo', 'missing scheme'],
    ['rejects a scheme with a single slash', 's3:/my-bucket/repo', 'missing scheme'],
    ['rejects an uppercase scheme', 'S3://my-bucket/repo', 'missing scheme'],
    ['rejects an unknown scheme', 'gs://my-bucket/repo', "unknown scheme 'gs'"],
    ['rejects an https url', 'https://my-bucket/repo', "unknown scheme 'https'"],
    ['rejects a url without a bucket', 's3:///repo', 'missing bucket'],
    ['rejects a url with only a profile and no bucket', 's3://work@/repo', 'missing bucket'],
    ['rejects a url without a prefix', 's3://my-bucket', 'missing prefix after the bucket'],
    ['rejects a url whose prefix is only slashes', 's3://my-bucket///', 'missing prefix after the bucket'],
    ['rejects a bucket name with uppercase letters', 's3://My-Bucket/repo', 'bucket name must be lowercase letters'],
    ['rejects a bucket name shorter than 3 characters', 's3://ab/repo', 'bucket name is shorter than 3 characters'],
    ['rejects a bucket name longer than 63 characters', `s3://${'a'.repeat(64)}/repo`, 'bucket name is longer than 63 characters'],
    ['rejects a bucket name with a leading hyphen', 's3://-bucket/repo', 'starting with a letter or digit'],
    ['rejects a bucket name with a trailing hyphen', 's3://bucket-/repo', 'bucket name must end with a letter or digit'],
    ['rejects a bucket name with two adjacent dots', 's3://my..bucket/repo', 'bucket name must not contain two adjacent dots'],
    ['rejects a bucket name that looks like an IP address', 's3://192.168.1.1/repo', 'bucket name must not look like an IP address'],
    ['rejects a bucket name with an underscore', 's3://my_bucket/repo', 'bucket name must be lowercase letters'],
    ['rejects a port after the bucket', 's3://my-bucket:9000/repo', 'a port is not part of the url'],
    ['rejects a .. segment in the prefix', 's3://my-bucket/a/../b', 'prefix must not contain . or .. segments'],
    ['rejects a . segment in the prefix', 's3://my-bucket/./repo', 'prefix must not contain . or .. segments'],
    ['rejects a query string', 's3://my-bucket/repo?x=1', 'prefix must not contain spaces, control characters'],
    ['rejects a fragment', 's3://my-bucket/repo#frag', 'prefix must not contain spaces, control characters'],
    ['rejects a query string right after the bucket', 's3://my-bucket?x=1/repo', 'bucket name must be lowercase letters'],
    ['rejects a percent escape in the prefix', 's3://my-bucket/re%20po', 'prefix must not contain spaces, control characters'],
    ['rejects a space in the prefix', 's3://my-bucket/my repo', 'prefix must not contain spaces, control characters'],
    ['rejects a space in the bucket', 's3://my bucket/repo', 'bucket name must be lowercase letters'],
    ['rejects a backslash in the prefix', 's3://my-bucket/a\\b', 'prefix must not contain spaces, control characters'],
    ['rejects a newline in the prefix', 's3://my-bucket/re\npo', 'prefix must not contain spaces, control characters'],
    ['rejects an escape character in the prefix', 's3://my-bucket/re\u001bpo', 'prefix must not contain spaces, control characters'],
    ['rejects a DEL character in the prefix', 's3://my-bucket/re\u007fpo', 'prefix must not contain spaces, control characters'],
    ['rejects an empty profile before @', 's3://@my-bucket/repo', "empty profile before '@'"],
    ['rejects an empty properties file before @', 'amazon-s3://@my-bucket/repo', "empty properties file before '@'"],
    ['rejects a profile containing a second @', 's3://a@b@my-bucket/repo', 'profile name may only contain'],
    ['rejects a properties file named ..', 'amazon-s3://..@my-bucket/repo', 'properties file must be a plain file name'],
    ['rejects a properties file name with a tilde', 'amazon-s3://~jgit@my-bucket/repo', 'properties file must be a plain file name'],
  ])('%s', (_name, text, reason) => {
    const error = parseError(text);
    expect(error.code).toBe('bad-url');
    expect(error.message).toContain(`invalid remote url '${printable(text)}'`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the message must carry no raw control character
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(error.message).toContain(reason);
    expect(error.message).toContain(HINT);
    expect(error.data).toMatchObject({ url: text });
  });

  it('reports only the first problem of a bad bucket name', () => {
    const error = parseError('s3://A/repo');
    expect(error.data.reason).toBe('bucket name is shorter than 3 characters');
  });
});

describe('formatRemoteUrl', () => {
  it.each([
    's3://my-bucket/repo',
    's3+zip://my-bucket/repo',
    'amazon-s3://my-bucket/repo',
    's3://work@my-bucket/a/b/c',
    's3+zip://dev@my-bucket/team/repo',
    'amazon-s3://.jgit_s3@my-bucket/a/b',
  ])('round-trips %s', (text) => {
    expect(formatRemoteUrl(parseRemoteUrl(text))).toBe(text);
  });

  it('prints the normalised form of a url with extra slashes', () => {
    expect(formatRemoteUrl(parseRemoteUrl('s3://my-bucket//a//b/'))).toBe('s3://my-bucket/a/b');
  });

  it('prints the profile before the bucket', () => {
    expect(formatRemoteUrl({ scheme: 's3', bucket: 'my-bucket', prefix: 'p', profile: 'dev' })).toBe('s3://dev@my-bucket/p');
  });
});

describe('isRemoteUrl', () => {
  it.each([
    ['s3://my-bucket/repo', true],
    ['s3+zip://my-bucket/repo', true],
    ['amazon-s3://my-bucket/repo', true],
    ['s3://', true],
    ['s3://Not_A_Valid/..', true],
    ['https://my-bucket/repo', false],
    ['s3:/my-bucket/repo', false],
    ['S3://my-bucket/repo', false],
    ['origin', false],
    ['', false],
    [' s3://my-bucket/repo', false],
  ])('says %j is a remote url: %s', (text, expected) => {
    expect(isRemoteUrl(text)).toBe(expected);
  });
});

describe('objectUrl', () => {
  it('names an object with the s3 scheme', () => {
    expect(objectUrl('my-bucket', 'a/b/refs/heads/main/LOCK#.lock')).toBe('s3://my-bucket/a/b/refs/heads/main/LOCK#.lock');
  });
});

describe('inline credentials in a url', () => {
  it.each([
    ['amazon-s3://AKIAEXAMPLE:s3cr3t+k3y@bkt/repo.git', 'amazon-s3://AKIAEXAMPLE:***@bkt/repo.git', 'properties file'],
    ['amazon-s3://AKIAEXAMPLE:abc/def+ghi@bkt/repo.git', 'amazon-s3://AKIAEXAMPLE:***@bkt/repo.git', 'properties file'],
    ['s3://AKIAEXAMPLE:s3cr3t@bkt/repo', 's3://AKIAEXAMPLE:***@bkt/repo', 'AWS profile'],
  ])('refuses %s without showing the secret', (url, shown, remedy) => {
    const error = parseError(url);
    expect(error.message).toContain(`invalid remote url '${shown}': credentials in the url are not supported`);
    expect(error.message).toContain(remedy);
    expect(error.message).not.toMatch(/s3cr3t|abc\/def|ghi/);
  });

  it('leaves a url without a secret as it is', () => {
    expect(parseError('s3://bucket:9000/repo').message).toContain("'s3://bucket:9000/repo'");
  });
});
