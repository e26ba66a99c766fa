import { describe, expect, it } from 'vitest';
import type { GitRefusalReason, ListedRef, PushResult } from '../layouts/layout.js';
import { formatList, formatPushResult, type HelperCommand, parseCommand, quote } from './protocol.js';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

describe('parseCommand', () => {
  it.each<[string, string, HelperCommand]>([
    ['reads capabilities', 'capabilities', { kind: 'capabilities' }],
    ['reads a plain list', 'list', { kind: 'list', forPush: false }],
    ['reads list for-push', 'list for-push', { kind: 'list', forPush: true }],
    ['reads an option with a value', 'option verbosity 2', { kind: 'option', name: 'verbosity', value: '2' }],
    ['keeps spaces inside an option value', 'option push-option a b c', { kind: 'option', name: 'push-option', value: 'a b c' }],
    ['reads an option without a value as an empty value', 'option followtags', { kind: 'option', name: 'followtags', value: '' }],
    ['reads a fetch of a sha and a ref', `fetch ${SHA_A} refs/heads/main`, { kind: 'fetch', sha: SHA_A, name: 'refs/heads/main' }],
    [
      'reads a push without +',
      'push refs/heads/main:refs/heads/main',
      { kind: 'push', src: 'refs/heads/main', dst: 'refs/heads/main', force: false },
    ],
    [
      'reads a forced push with +',
      'push +refs/heads/topic:refs/heads/other',
      { kind: 'push', src: 'refs/heads/topic', dst: 'refs/heads/other', force: true },
    ],
    ['reads a delete as a push with an empty source', 'push :refs/heads/x', { kind: 'push', src: '', dst: 'refs/heads/x', force: false }],
    ['reads a push of HEAD', 'push HEAD:refs/heads/main', { kind: 'push', src: 'HEAD', dst: 'refs/heads/main', force: false }],
    ['reads the blank line as the end of a batch', '', { kind: 'end' }],
    ['keeps an unknown command verbatim', 'connect git-upload-pack', { kind: 'unknown', line: 'connect git-upload-pack' }],
    ['calls list with an unknown argument unknown', 'list for-fetch', { kind: 'unknown', line: 'list for-fetch' }],
    ['calls a fetch without a ref name unknown', `fetch ${SHA_A}`, { kind: 'unknown', line: `fetch ${SHA_A}` }],
    ['calls a push without a colon unknown', 'push refs/heads/main', { kind: 'unknown', line: 'push refs/heads/main' }],
  ])('%s', (_name, line, expected) => {
    expect(parseCommand(line)).toStrictEqual(expected);
  });
});

describe('formatPushResult', () => {
  it('reports a pushed ref as ok', () => {
    expect(formatPushResult({ ref: 'refs/heads/main', ok: true })).toBe('ok refs/heads/main');
  });

  it.each(['up to date', 'forced update'] as const)('appends the note %s to ok', (note) => {
    expect(formatPushResult({ ref: 'refs/heads/main', ok: true, note })).toBe(`ok refs/heads/main ${note}`);
  });

  it.each<[GitRefusalReason, string]>([
    ['non-fast-forward', 'non-fast forward'],
    ['fetch-first', 'fetch first'],
    ['stale-info', 'stale info'],
    ['already-exists', 'already exists'],
    ['needs-force', 'needs force'],
  ])('says the git-known reason %s as git\'s unquoted words "%s" so git shows its usual hint', (reason, words) => {
    const result: PushResult = { ref: 'refs/heads/main', ok: false, reason };
    expect(formatPushResult(result)).toBe(`error refs/heads/main ${words}`);
  });

  it('C-quotes a free-text reason', () => {
    const result: PushResult = { ref: 'refs/heads/main', ok: false, reason: 'protected', message: 'branch "main" is protected' };
    expect(formatPushResult(result)).toBe('error refs/heads/main "branch \\"main\\" is protected"');
  });

  it('quotes a message that only starts like a known reason', () => {
    const result: PushResult = { ref: 'refs/heads/main', ok: false, reason: 'failed', message: 'fetch first, then retry' };
    expect(formatPushResult(result)).toBe('error refs/heads/main "fetch first, then retry"');
  });

  it('quotes a message that is exactly a known reason: only a reason as data becomes a bare status', () => {
    const result: PushResult = { ref: 'refs/heads/main', ok: false, reason: 'failed', message: 'fetch first' };
    expect(formatPushResult(result)).toBe('error refs/heads/main "fetch first"');
  });

  it.each<[PushResult, string]>([
    [{ ref: 'refs/heads/main', ok: false, reason: 'atomic-push-failed' }, 'error refs/heads/main "atomic push failed"'],
    [{ ref: 'refs/heads/gone', ok: false, reason: 'no-such-ref' }, 'error refs/heads/gone "remote ref does not exist"'],
    [
      { ref: 'refs/heads/a..b', ok: false, reason: 'invalid-ref-name' },
      `error refs/heads/a..b "'refs/heads/a..b' is not a valid ref name"`,
    ],
    [{ ref: 'refs/heads/main', ok: false, reason: 'not-pushed' }, 'error refs/heads/main "not pushed"'],
  ])('words the fixed refusal %o as a quoted message', (result, line) => {
    expect(formatPushResult(result)).toBe(line);
  });
});

describe('quote', () => {
  it.each([
    ['wraps plain text in double quotes', 'plain text', '"plain text"'],
    ['wraps the empty string', '', '""'],
    ['escapes double quotes', 'say "hi"', '"say \\"hi\\""'],
    ['escapes backslashes', 'a\\b', '"a\\\\b"'],
    ['writes a newline as \\n', 'one\ntwo', '"one\\ntwo"'],
    ['writes a tab as \\t', 'a\tb', '"a\\tb"'],
    ['writes NUL as octal', 'a\u0000b', '"a\\000b"'],
    ['writes a carriage return as octal', 'a\rb', '"a\\015b"'],
    ['writes escape as octal', '\u001b[31m', '"\\033[31m"'],
    ['writes unit separator as octal', '\u001f', '"\\037"'],
    ['writes DEL as octal', '\u007f', '"\\177"'],
    ['leaves a space and printable punctuation alone', ' ~!', '" ~!"'],
  ])('%s', (_name, text, expected) => {
    expect(quote(text)).toBe(expected);
  });
});

describe('formatList', () => {
  const refs: ListedRef[] = [
    { sha: SHA_A, ref: 'refs/heads/main' },
    { sha: SHA_B, ref: 'refs/tags/v1' },
  ];
  const fetchList = (head: string | undefined, objectFormat: 'sha1' | 'sha256' | undefined) => ({ head, objectFormat, forPush: false });

  it('writes the object format, the HEAD symref, one line per ref and the blank line', () => {
    expect(formatList(refs, fetchList('refs/heads/main', 'sha1'))).toBe(
      `:object-format sha1\n@refs/heads/main HEAD\n${SHA_A} refs/heads/main\n${SHA_B} refs/tags/v1\n\n`,
    );
  });

  it('names sha256 as the object format', () => {
    expect(formatList(refs, fetchList(undefined, 'sha256')).split('\n')[0]).toBe(':object-format sha256');
  });

  it('leaves out the object format line when none is given', () => {
    expect(formatList(refs, fetchList('refs/heads/main', undefined))).toBe(
      `@refs/heads/main HEAD\n${SHA_A} refs/heads/main\n${SHA_B} refs/tags/v1\n\n`,
    );
  });

  it('leaves out the HEAD symref when its target is not listed', () => {
    expect(formatList(refs, fetchList('refs/heads/gone', undefined))).toBe(`${SHA_A} refs/heads/main\n${SHA_B} refs/tags/v1\n\n`);
  });

  it('leaves out the HEAD symref when there is no HEAD', () => {
    expect(formatList(refs, fetchList(undefined, undefined))).toBe(`${SHA_A} refs/heads/main\n${SHA_B} refs/tags/v1\n\n`);
  });

  it('answers an empty remote with the blank line alone', () => {
    expect(formatList([], fetchList(undefined, undefined))).toBe('\n');
  });

  it('answers an empty remote with the object format and the blank line', () => {
    expect(formatList([], fetchList('refs/heads/main', 'sha1'))).toBe(':object-format sha1\n\n');
  });

  it('offers for push exactly the refs a push may update or delete: never HEAD', () => {
    expect(formatList(refs, { head: 'refs/heads/main', objectFormat: 'sha1', forPush: true })).toBe(
      `:object-format sha1\n${SHA_A} refs/heads/main\n${SHA_B} refs/tags/v1\n\n`,
    );
  });

  it.each([false, true])('never offers a name git would not take for a ref (for push: %s)', (forPush) => {
    const odd: ListedRef[] = [
      { sha: SHA_A, ref: 'HEAD' },
      { sha: SHA_A, ref: 'refs/heads/main' },
      { sha: SHA_B, ref: 'refs/heads/bad..name' },
      { sha: SHA_B, ref: 'refs/heads/x.lock' },
      { sha: SHA_B, ref: 'refs/tags/v1' },
    ];
    expect(formatList(odd, { head: 'HEAD', objectFormat: undefined, forPush })).toBe(`${SHA_A} refs/heads/main\n${SHA_B} refs/tags/v1\n\n`);
  });
});
