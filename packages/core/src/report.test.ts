import { describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from './errors.js';
import { describeError, describeFailure, EXIT_BUG, EXIT_FAILED, EXIT_USAGE, reportFailure } from './report.js';

describe('describeError', () => {
  const expected = new NotFoundError('my-bucket', 'p/HEAD');

  it('prints an expected error as one line', () => {
    expect(describeError(expected, false)).toBe('error: s3://my-bucket/p/HEAD does not exist');
  });

  it('adds the stack of an expected error when verbose', () => {
    const text = describeError(expected, true);
    expect(text.startsWith('error: s3://my-bucket/p/HEAD does not exist\n')).toBe(true);
    expect(text).toContain('NotFoundError');
    expect(text.split('\n').length).toBeGreaterThan(2);
  });

  it('prints an unexpected error as a bug report with its message', () => {
    expect(describeError(new TypeError('x is undefined'), false)).toBe(
      'fatal: unexpected failure (this is a bug in git-remote-s3; set GIT_REMOTE_S3_VERBOSE=1 for details): x is undefined',
    );
  });

  it('prints the stack of an unexpected error when verbose', () => {
    const error = new TypeError('x is undefined');
    expect(describeError(error, true)).toBe(
      `fatal: unexpected failure (this is a bug in git-remote-s3; set GIT_REMOTE_S3_VERBOSE=1 for details): ${error.stack}`,
    );
  });

  it('falls back to the message of an unexpected error without a stack', () => {
    const error = new Error('no stack');
    error.stack = undefined;
    expect(describeError(error, true)).toMatch(/: no stack$/);
  });

  it('prints a thrown non-error value', () => {
    expect(describeError('just a string', false)).toBe(
      'fatal: unexpected failure (this is a bug in git-remote-s3; set GIT_REMOTE_S3_VERBOSE=1 for details): just a string',
    );
    expect(describeError(42, true)).toMatch(/: 42$/);
  });
});

/** An error shaped as clipanion throws it (core never imports clipanion, so the tests build the shape). */
const clipanionError = (name: string, fields: Record<string, unknown>) =>
  Object.assign(new Error('Unknown Syntax Error'), { name, ...fields });

describe('describeFailure', () => {
  it('gives an expected error one line, its message without the prefix, and exit 1', () => {
    expect(describeFailure(new NotFoundError('b', 'r/HEAD'), false)).toEqual({
      text: 'error: s3://b/r/HEAD does not exist',
      message: 's3://b/r/HEAD does not exist',
      exitCode: EXIT_FAILED,
    });
  });

  it("gives a usage mistake git's exit code 129, core's and clipanion's alike, without a stack even when verbose", () => {
    const expected = { text: 'error: name the branch to delete', message: 'name the branch to delete', exitCode: EXIT_USAGE };
    expect(EXIT_USAGE).toBe(129);
    expect(describeFailure(new UsageError('name the branch to delete'), true)).toEqual(expected);
    expect(describeFailure(clipanionError('UsageError', { message: 'name the branch to delete' }), true)).toEqual(expected);
  });

  it('escapes control characters of a usage mistake but keeps its lines', () => {
    expect(describeFailure(new UsageError('bad \u001b[2J\nusage: x'), false).text).toBe('error: bad \\x1b[2J\nusage: x');
  });

  it("turns clipanion's parse error with one reason into the reason, then the usage of each command it could be", () => {
    const error = clipanionError('UnknownSyntaxError', {
      input: ['protect', 'origin', '\u0000'],
      candidates: [{ usage: 'git s3 protect <remote> <branch>', reason: 'Not enough positional arguments.' }],
    });
    expect(describeFailure(error, false, 'git s3')).toEqual({
      text: 'error: not enough positional arguments\nusage: git s3 protect <remote> <branch>',
      message: 'not enough positional arguments\nusage: git s3 protect <remote> <branch>',
      exitCode: EXIT_USAGE,
    });
  });

  it("turns clipanion's parse error of an unknown word into one line naming the program and its --help", () => {
    const error = clipanionError('UnknownSyntaxError', {
      input: ['--quiet', 'bogus\u001b', 'x', '\u0000'],
      candidates: [
        { usage: 'git-lfs-s3 install', reason: null },
        { usage: 'git-lfs-s3 uninstall', reason: null },
      ],
    });
    expect(describeFailure(error, false, 'git-lfs-s3')).toEqual({
      text: "error: 'bogus\\x1b' is not a git-lfs-s3 command; see 'git-lfs-s3 --help'",
      message: "'bogus\\x1b' is not a git-lfs-s3 command; see 'git-lfs-s3 --help'",
      exitCode: EXIT_USAGE,
    });
  });

  it("turns clipanion's ambiguous parse into one line and the usages it could be", () => {
    const error = clipanionError('AmbiguousSyntaxError', { input: ['gc', '\u0000'], usages: ['p gc', 'p gc --all'] });
    expect(describeFailure(error, false, 'p').text).toBe("error: 'gc' could mean more than one p command\nusage: p gc\nusage: p gc --all");
  });

  it('treats an error that only looks like a parse error (another name) as a bug', () => {
    const error = clipanionError('TypeError', { input: ['x'], candidates: [] });
    expect(describeFailure(error, false).exitCode).toBe(EXIT_BUG);
  });

  it('keeps the whole bug report as the message: a program that frames the text still says it is a bug', () => {
    const { text, message, exitCode } = describeFailure(new TypeError('x is undefined'), false);
    expect(exitCode).toBe(EXIT_BUG);
    expect(message).toBe(text);
    expect(text).toBe(
      'fatal: unexpected failure (this is a bug in git-remote-s3; set GIT_REMOTE_S3_VERBOSE=1 for details): x is undefined',
    );
  });
});

describe('reportFailure', () => {
  it('writes the text with a newline and returns the exit code of each kind', () => {
    const lines: string[] = [];
    const write = (text: string) => lines.push(text);
    expect(reportFailure(new NotFoundError('b', 'k'), write, false)).toBe(1);
    expect(reportFailure(new UsageError('--to expects packs or bundle'), write, false)).toBe(129);
    expect(reportFailure(new RangeError('boom'), write, false)).toBe(70);
    expect(lines).toEqual([
      'error: s3://b/k does not exist\n',
      'error: --to expects packs or bundle\n',
      'fatal: unexpected failure (this is a bug in git-remote-s3; set GIT_REMOTE_S3_VERBOSE=1 for details): boom\n',
    ]);
  });
});
