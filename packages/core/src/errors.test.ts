import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  asExpected,
  BadKeyError,
  BadRefError,
  formatAge,
  GitRemoteS3Error,
  LocalIoError,
  LockHeldError,
  NotFoundError,
  printable,
} from './errors.js';
import { describeError, EXIT_BUG, EXIT_FAILED, reportFailure } from './report.js';

describe('formatAge', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [499, '0s'],
    [500, '1s'],
    [12_000, '12s'],
    [59_000, '59s'],
    [59_499, '59s'],
    [59_500, '1m00s'],
    [60_000, '1m00s'],
    [184_000, '3m04s'],
    [3_599_000, '59m59s'],
    [3_600_000, '1h00m'],
    [7_800_000, '2h10m'],
    [7_859_000, '2h10m'],
    [90_000_000, '25h00m'],
  ])('shows %d ms as %j', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('shows a negative age as 0s', () => {
    expect(formatAge(-5_000)).toBe('0s');
  });
});

describe('printable', () => {
  it.each<[string, string, string]>([
    ['leaves plain text alone', 'refs/heads/main', 'refs/heads/main'],
    ['leaves non-ASCII text alone', 'refs/heads/ünïcødé', 'refs/heads/ünïcødé'],
    ['escapes an escape sequence', 'a\u001b[2Jb', 'a\\x1b[2Jb'],
    ['escapes a newline and a carriage return', 'a\nb\rc', 'a\\x0ab\\x0dc'],
    ['escapes a tab', 'a\tb', 'a\\x09b'],
    ['escapes NUL', '\u0000', '\\x00'],
    ['escapes DEL', 'x\u007f', 'x\\x7f'],
    ['escapes every control character', '\u0001\u001f', '\\x01\\x1f'],
    ['leaves a space alone', 'a b', 'a b'],
  ])('%s', (_name, text, expected) => {
    expect(printable(text)).toBe(expected);
  });
});

describe('error messages', () => {
  it('escapes control characters of a bad ref', () => {
    const error = new BadRefError('refs/heads/\u001b]0;pwned\u0007', 'contains a control character');
    expect(error.message).toBe("'refs/heads/\\x1b]0;pwned\\x07' is not a valid ref name: contains a control character");
    expect(error.data).toStrictEqual({ ref: 'refs/heads/\u001b]0;pwned\u0007', reason: 'contains a control character' });
  });

  it('escapes control characters of a bad key', () => {
    expect(new BadKeyError('p/\nx', 'odd').message).toBe("unexpected key 'p/\\x0ax' in the bucket: odd");
  });

  it('names its class and carries a stable code', () => {
    const error = new NotFoundError('my-bucket', 'p/HEAD');
    expect(error).toBeInstanceOf(GitRemoteS3Error);
    expect(error.name).toBe('NotFoundError');
    expect(error.code).toBe('not-found');
    expect(error.message).toBe('s3://my-bucket/p/HEAD does not exist');
  });

  it('shows the age of a held lock and how long until it is stale, suggesting no command that would leave it', () => {
    const error = new LockHeldError(
      's3://b/p/refs/heads/main/LOCK#.lock',
      'refs/heads/main',
      'p/refs/heads/main/LOCK#.lock',
      184_000,
      300_000,
    );
    expect(error.message).toBe(
      'ref refs/heads/main is locked by another push (s3://b/p/refs/heads/main/LOCK#.lock, 3m04s old); retry when it is done (a lock left by a push that died is stale in 1m56s, and the next push then takes it over)',
    );
    expect(error.message).not.toContain('doctor');
  });

  it('never says a held lock is stale in 0s (a lock just past its TTL between two reads)', () => {
    expect(new LockHeldError('u', 'refs/heads/main', 'k', 60_000, 60_000).message).toContain('stale in 1s');
  });
});

describe('failures the machine reports', () => {
  const systemError = async () => readFile('/nonexistent-dir/file').catch((e: unknown) => e);

  it('turns a file the system cannot open into one line naming it, with what to check', async () => {
    const error = asExpected(await systemError());
    expect(error).toBeInstanceOf(LocalIoError);
    expect((error as LocalIoError).code).toBe('local-io');
    expect(describeError(await systemError(), false)).toBe(
      "error: cannot open '/nonexistent-dir/file': no such file or directory (ENOENT); check the path, its permissions and the free disk space",
    );
  });

  it('names the call when there is no path (a pipe whose reader went away)', () => {
    const broken = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write', errno: -32 });
    expect((asExpected(broken) as Error).message).toBe('write failed: broken pipe (EPIPE)');
  });

  it('exits 1, not 70, for a failure the machine reported', async () => {
    expect(reportFailure(await systemError(), () => {}, false)).toBe(EXIT_FAILED);
    expect(reportFailure(new TypeError('x is undefined'), () => {}, false)).toBe(EXIT_BUG);
  });

  it('leaves programming errors and plain values alone', () => {
    const bug = new TypeError('x is undefined');
    expect(asExpected(bug)).toBe(bug);
    expect(asExpected('text')).toBe('text');
  });
});
