import { describe, expect, it } from 'vitest';
import { BadRefError } from '../errors.js';
import { assertValidRefName, isLfsOid, isObjectId, isValidRefName, refNameProblem } from './refname.js';

const SHA1 = '0123456789abcdef0123456789abcdef01234567';
const SHA256 = `${SHA1}${'89abcdef01234567abcdef01'}`;

describe('refNameProblem', () => {
  it.each([
    'refs/heads/main',
    'refs/heads/feature/x-1',
    'refs/tags/v1.0',
    'refs/heads/a#b',
    'refs/heads/a@b',
    'refs/heads/a.b.c',
    'refs/heads/a./b',
    'refs/heads/x.locked',
    'refs/heads/lock',
    'refs/heads/ünïcødé',
    'refs/notes/commits',
    'refs/heads',
  ])('accepts %j', (ref) => {
    expect(refNameProblem(ref)).toBeUndefined();
    expect(isValidRefName(ref)).toBe(true);
  });

  it.each<[string, string, string]>([
    ['rejects an empty name', '', 'empty'],
    ['rejects a name not under refs/', 'heads/main', "does not start with 'refs/'"],
    ['rejects a bare branch name', 'main', "does not start with 'refs/'"],
    ['rejects HEAD', 'HEAD', "does not start with 'refs/'"],
    ['rejects @', '@', "does not start with 'refs/'"],
    ['rejects a name ending with a slash', 'refs/heads/main/', "ends with '/'"],
    ['rejects a name ending with a dot', 'refs/heads/main.', "ends with '.'"],
    ['rejects two adjacent dots', 'refs/heads/a..b', "contains '..'"],
    ['rejects a .. component', 'refs/heads/../x', "contains '..'"],
    ['rejects @{', 'refs/heads/a@{1}', "contains '@{'"],
    ['rejects a backslash', 'refs/heads/a\\b', 'contains a backslash'],
    ['rejects a tilde', 'refs/heads/a~1', 'contains a space, a control character or one of ~ ^ : ? * ['],
    ['rejects a caret', 'refs/heads/a^', 'one of ~ ^ : ? * ['],
    ['rejects a colon', 'refs/heads/a:b', 'one of ~ ^ : ? * ['],
    ['rejects a question mark', 'refs/heads/a?', 'one of ~ ^ : ? * ['],
    ['rejects an asterisk', 'refs/heads/*', 'one of ~ ^ : ? * ['],
    ['rejects an open bracket', 'refs/heads/a[1', 'one of ~ ^ : ? * ['],
    ['rejects a space', 'refs/heads/a b', 'contains a space'],
    ['rejects a tab', 'refs/heads/a\tb', 'a control character'],
    ['rejects a newline', 'refs/heads/a\nb', 'a control character'],
    ['rejects a NUL character', 'refs/heads/a\u0000b', 'a control character'],
    ['rejects an escape character', 'refs/heads/a\u001b[31m', 'a control character'],
    ['rejects a DEL character', 'refs/heads/a\u007f', 'a control character'],
    ['rejects a double slash', 'refs/heads//main', "contains '//'"],
    ['rejects a component starting with a dot', 'refs/heads/.hidden', "has a component starting with '.'"],
    ['rejects a middle component starting with a dot', 'refs/heads/.x/y', "has a component starting with '.'"],
    ['rejects a name ending with .lock', 'refs/heads/main.lock', "has a component ending with '.lock'"],
    ['rejects a middle component ending with .lock', 'refs/heads/x.lock/y', "has a component ending with '.lock'"],
  ])('%s', (_name, ref, reason) => {
    expect(refNameProblem(ref)).toContain(reason);
    expect(isValidRefName(ref)).toBe(false);
  });
});

describe('assertValidRefName', () => {
  it('returns a valid ref unchanged', () => {
    expect(assertValidRefName('refs/heads/feature/x-1')).toBe('refs/heads/feature/x-1');
  });

  it('throws a BadRefError naming the problem', () => {
    expect(() => assertValidRefName('refs/heads/a..b')).toThrow(BadRefError);
    expect(() => assertValidRefName('refs/heads/a..b')).toThrow("'refs/heads/a..b' is not a valid ref name: contains '..'");
  });

  it('shows control characters of a rejected ref as escapes', () => {
    expect(() => assertValidRefName('refs/heads/a\u001b[2J')).toThrow("'refs/heads/a\\x1b[2J' is not a valid ref name");
  });
});

describe('isObjectId', () => {
  it.each([
    ['a 40-character lowercase hex SHA-1', SHA1, true],
    ['a 64-character lowercase hex SHA-256', SHA256, true],
    ['uppercase hex', SHA1.toUpperCase(), false],
    ['39 characters', SHA1.slice(1), false],
    ['41 characters', `${SHA1}0`, false],
    ['63 characters', SHA256.slice(1), false],
    ['65 characters', `${SHA256}0`, false],
    ['a non-hex letter', `${SHA1.slice(0, 39)}g`, false],
    ['an abbreviated id', SHA1.slice(0, 7), false],
    ['an empty string', '', false],
    ['an id with a trailing newline', `${SHA1}\n`, false],
  ])('%s: %s', (_name, text, expected) => {
    expect(isObjectId(text)).toBe(expected);
  });
});

describe('isLfsOid', () => {
  it.each([
    ['a 64-character lowercase hex oid', SHA256, true],
    ['a 40-character SHA-1', SHA1, false],
    ['uppercase hex', SHA256.toUpperCase(), false],
    ['63 characters', SHA256.slice(1), false],
    ['a path traversal', '../x', false],
    ['an empty string', '', false],
  ])('%s: %s', (_name, text, expected) => {
    expect(isLfsOid(text)).toBe(expected);
  });
});
