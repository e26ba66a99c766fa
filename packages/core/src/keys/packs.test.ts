import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptObjectError, UnknownLayoutError } from '../errors.js';
import {
  formatInfoRefs,
  formatPackedRefs,
  formatPackList,
  formatPacksHead,
  formatProtectedRefs,
  formatRetiredPacks,
  knownLayoutOfHead,
  layoutOfHead,
  packKeys,
  parseInfoRefs,
  parsePackedRefs,
  parsePackFileKey,
  parsePackList,
  parsePacksHead,
  parseProtectedRefs,
  parseRetiredPacks,
  retiredPacksKey,
} from './packs.js';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

describe('the packs layout formats match what git itself writes', () => {
  let repo = '';
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@e',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@e',
      },
    });

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'packs-format-'));
    git('init', '-q', '-b', 'main');
    git('commit', '-q', '--allow-empty', '-m', 'one');
    git('branch', 'side');
    git('tag', 'light');
    git('tag', '-a', 'v1', '-m', 'annotated');
    git('repack', '-a', '-d', '-q');
    git('pack-refs', '--all');
    git('update-server-info');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('reads git update-server-info output and writes it back byte for byte', () => {
    const text = readFileSync(join(repo, '.git', 'info', 'refs'), 'utf8');
    const refs = parseInfoRefs(text, 'info/refs');
    expect(refs.map((r) => r.ref)).toEqual(['refs/heads/main', 'refs/heads/side', 'refs/tags/light', 'refs/tags/v1']);
    expect(refs.find((r) => r.ref === 'refs/tags/v1')?.peeled).toBe(git('rev-parse', 'main').trim());
    expect(formatInfoRefs(refs)).toBe(text);
  });

  it('writes packed-refs as git pack-refs --all does', () => {
    const refs = parseInfoRefs(readFileSync(join(repo, '.git', 'info', 'refs'), 'utf8'), 'info/refs');
    expect(formatPackedRefs(refs, true)).toBe(readFileSync(join(repo, '.git', 'packed-refs'), 'utf8'));
  });

  it('claims nothing about peeling unless told every tag is peeled, and keeps the peeled ids it has', () => {
    const refs = parseInfoRefs(readFileSync(join(repo, '.git', 'info', 'refs'), 'utf8'), 'info/refs');
    const text = formatPackedRefs(refs, false);
    expect(text.split('\n')[0]).toBe('# pack-refs with: sorted ');
    const parsed = parsePackedRefs(text, 'packed-refs');
    expect(parsed.refs).toEqual(refs);
    expect(parsed.declaresUnpeeled('refs/tags/light')).toBe(false);
  });

  it("reads git's packed-refs with its traits: fully-peeled, peeled (tags only), or none", () => {
    const parsed = parsePackedRefs(readFileSync(join(repo, '.git', 'packed-refs'), 'utf8'), 'packed-refs');
    expect(parsed.refs).toEqual(parseInfoRefs(readFileSync(join(repo, '.git', 'info', 'refs'), 'utf8'), 'info/refs'));
    expect(parsed.declaresUnpeeled('refs/heads/main')).toBe(true);
    const sha = 'c'.repeat(40);
    const tagsOnly = parsePackedRefs(`# pack-refs with: peeled \n${sha} refs/heads/x\n${sha} refs/tags/t\n`, 'p');
    expect([tagsOnly.declaresUnpeeled('refs/heads/x'), tagsOnly.declaresUnpeeled('refs/tags/t')]).toEqual([false, true]);
    expect(parsePackedRefs(`${sha} refs/tags/t\n^${'d'.repeat(40)}\n`, 'p').refs).toEqual([
      { ref: 'refs/tags/t', sha, peeled: 'd'.repeat(40) },
    ]);
  });

  it('refuses a packed-refs line that is no ref, a bad name, or a peel with nothing before it', () => {
    const sha = 'c'.repeat(40);
    expect(() => parsePackedRefs(`^${sha}\n`, 'p')).toThrow(/line 1 is not '\^<object id>' after a ref/);
    expect(() => parsePackedRefs(`${sha} refs/heads/a..b\n`, 'p')).toThrow(/line 1 is not '<object id> <ref>'/);
    expect(() => parsePackedRefs(`${sha} refs/heads/a\n${sha} refs/heads/a\n`, 'p')).toThrow(/listed twice/);
  });

  it('reads and writes objects/info/packs as git does', () => {
    const text = readFileSync(join(repo, '.git', 'objects', 'info', 'packs'), 'utf8');
    const names = parsePackList(text, 'objects/info/packs');
    expect(names).toHaveLength(1);
    expect(formatPackList(names)).toBe(text);
  });
});

describe('parseInfoRefs on untrusted text', () => {
  it.each([
    ['a line without a tab', `${SHA_A} refs/heads/main\n`, /line 1 is not/],
    ['a short object id', `abc\trefs/heads/main\n`, /line 1 is not/],
    ['an invalid ref name', `${SHA_A}\trefs/heads/../x\n`, "line 1 names an invalid ref 'refs/heads/../x'"],
    ['a peel line with nothing before it', `${SHA_A}\trefs/tags/v1^{}\n`, /peels a ref that does not precede it/],
    ['a ref listed twice', `${SHA_A}\trefs/heads/main\n${SHA_B}\trefs/heads/main\n`, /listed twice/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseInfoRefs(text, 's3://b/r/info/refs')).toThrow(CorruptObjectError);
    expect(() => parseInfoRefs(text, 's3://b/r/info/refs')).toThrow(message);
  });

  it('formats refs sorted by name whatever order they come in', () => {
    expect(
      formatInfoRefs([
        { ref: 'refs/tags/x', sha: SHA_B },
        { ref: 'refs/heads/a', sha: SHA_A },
      ]),
    ).toBe(`${SHA_A}\trefs/heads/a\n${SHA_B}\trefs/tags/x\n`);
  });
});

describe('HEAD and layout detection', () => {
  it('tells the layouts apart by the HEAD text', () => {
    expect(layoutOfHead('ref: refs/heads/main\n')).toBe('packs');
    expect(layoutOfHead('refs/heads/main')).toBe('bundle');
    expect(layoutOfHead(undefined)).toBeUndefined();
  });

  it.each([
    ['a HEAD with a trailing newline', 'refs/heads/main\n'],
    ['a HEAD naming a tag', 'refs/tags/v1'],
  ])('reads %s as the bundle layout', (_name, text) => {
    expect(layoutOfHead(text)).toBe('bundle');
  });

  it.each([
    ['ciphertext', '+\u0011\u00ab\u0059\u00cb\u0007{$\\I\u00a2\u0016\u0002T'],
    ['an empty HEAD', ''],
    ['a detached id', `${SHA_A}\n`],
    ['a name outside refs/', 'main'],
    ['an invalid ref name', 'refs/heads/a..b'],
    ['a ref followed by more text', 'refs/heads/main\nextra'],
  ])('reads %s as neither layout', (_name, text) => {
    expect(layoutOfHead(text)).toBe('unknown');
  });

  it('refuses a HEAD of neither form with a typed error that names the remote, the key and the text', () => {
    const attempt = () => knownLayoutOfHead('garbage\n', 's3://b/repo', 's3://b/repo/HEAD');
    expect(attempt).toThrow(UnknownLayoutError);
    expect(attempt).toThrow(
      "cannot tell the layout of s3://b/repo: s3://b/repo/HEAD holds 'garbage', neither 'ref: refs/heads/<branch>' (packs layout) nor a ref name (bundle layout)",
    );
    try {
      attempt();
    } catch (error) {
      expect((error as UnknownLayoutError).code).toBe('unknown-layout');
    }
  });

  it('shows no control characters and at most 40 characters of an unreadable HEAD', () => {
    const message = (() => {
      try {
        knownLayoutOfHead(`\u0001${'x'.repeat(100)}`, 's3://b/r', 's3://b/r/HEAD');
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain(`'\\x01${'x'.repeat(39)}…'`);
  });

  it('shows the bytes of a ciphertext HEAD as escapes, never raw to the terminal', () => {
    const attempt = () => knownLayoutOfHead('+\u00ab\ufffdY\u00cb', 's3://b/r', 's3://b/r/HEAD');
    expect(attempt).toThrow("holds '+\\u{ab}\\u{fffd}Y\\u{cb}'");
  });

  it('passes the two layouts and a missing HEAD through', () => {
    expect(knownLayoutOfHead('ref: refs/heads/main\n', 'r', 'h')).toBe('packs');
    expect(knownLayoutOfHead('refs/heads/main', 'r', 'h')).toBe('bundle');
    expect(knownLayoutOfHead(undefined, 'r', 'h')).toBeUndefined();
  });

  it('round-trips a symbolic HEAD and refuses an invalid target', () => {
    expect(parsePacksHead(formatPacksHead('refs/heads/main'))).toBe('refs/heads/main');
    expect(parsePacksHead('ref: refs/heads/../x\n')).toBeUndefined();
    expect(parsePacksHead(`${SHA_A}\n`)).toBeUndefined();
  });
});

describe('pack keys and the pack list', () => {
  it('builds the .pack and .idx keys of a pack name', () => {
    expect(packKeys('team/repo', `pack-${SHA_A}`)).toEqual({
      pack: `team/repo/objects/pack/pack-${SHA_A}.pack`,
      idx: `team/repo/objects/pack/pack-${SHA_A}.idx`,
    });
  });

  it.each(['pack-../../x', `pack-${SHA_A.toUpperCase()}`, 'pack-123', `idx-${SHA_A}`])('refuses the pack name %s', (name) => {
    expect(() => packKeys('repo', name)).toThrow(CorruptObjectError);
  });

  it('refuses a pack list line that is not a pack, and drops duplicates', () => {
    expect(() => parsePackList('P ../evil.pack\n', 'packs')).toThrow(/line 1 is not/);
    expect(parsePackList(`P pack-${SHA_A}.pack\nP pack-${SHA_A}.pack\n\n`, 'packs')).toEqual([`pack-${SHA_A}`]);
  });
});

describe('the protected-branch list', () => {
  it('writes sorted unique branch refs and reads them back', () => {
    const text = formatProtectedRefs(['refs/heads/main', 'refs/heads/a', 'refs/heads/main']);
    expect(text).toBe('refs/heads/a\nrefs/heads/main\n');
    expect([...parseProtectedRefs(text, 'p')]).toEqual(['refs/heads/a', 'refs/heads/main']);
  });

  it.each(['refs/tags/v1', 'refs/heads/../x', 'main'])('refuses the line %s', (line) => {
    expect(() => parseProtectedRefs(`${line}\n`, 'info/s3-protected')).toThrow(CorruptObjectError);
  });
});

describe('the retired-pack list', () => {
  const early = new Date('2026-01-02T03:04:05.000Z');
  const late = new Date('2026-01-02T04:00:00.000Z');

  it('lives beside the pack list', () => {
    expect(retiredPacksKey('team/repo')).toBe('team/repo/objects/info/s3-retired');
  });

  it('writes one line per pack, oldest first, and reads it back', () => {
    const text = formatRetiredPacks([
      { name: `pack-${SHA_B}`, retiredAt: late },
      { name: `pack-${SHA_A}`, retiredAt: early },
    ]);
    expect(text).toBe(`2026-01-02T03:04:05.000Z\tpack-${SHA_A}\n2026-01-02T04:00:00.000Z\tpack-${SHA_B}\n`);
    expect(parseRetiredPacks(text, 'r')).toEqual([
      { name: `pack-${SHA_A}`, retiredAt: early },
      { name: `pack-${SHA_B}`, retiredAt: late },
    ]);
  });

  it('keeps the latest time of a pack retired twice (two gc runs at once), so it is deleted the later', () => {
    const text = `2026-01-02T04:00:00Z\tpack-${SHA_A}\n2026-01-02T03:04:05Z\tpack-${SHA_A}\n`;
    expect(parseRetiredPacks(text, 'r')).toEqual([{ name: `pack-${SHA_A}`, retiredAt: late }]);
    expect(formatRetiredPacks([...parseRetiredPacks(text, 'r'), { name: `pack-${SHA_A}`, retiredAt: early }])).toBe(
      `2026-01-02T04:00:00.000Z\tpack-${SHA_A}\n`,
    );
  });

  it.each([
    ['a name that is not a pack', `2026-01-02T03:04:05Z\t../../x\n`],
    ['a time that is not ISO', `yesterday\tpack-${SHA_A}\n`],
    ['an impossible time', `2026-13-45T99:00:00Z\tpack-${SHA_A}\n`],
    ['an extra field', `2026-01-02T03:04:05Z\tpack-${SHA_A}\tmore\n`],
    ['a missing name', '2026-01-02T03:04:05Z\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseRetiredPacks(text, 's3://b/r/objects/info/s3-retired')).toThrow(CorruptObjectError);
    expect(() => parseRetiredPacks(text, 's3://b/r/objects/info/s3-retired')).toThrow(/line 1 is not/);
  });
});

describe('keys under objects/pack/', () => {
  it.each(['pack', 'idx', 'rev', 'bitmap', 'keep'])('belong to their pack: .%s', (extension) => {
    expect(parsePackFileKey('r', `r/objects/pack/pack-${SHA_A}.${extension}`)).toEqual({ name: `pack-${SHA_A}`, extension });
  });

  it.each([
    `r/objects/pack/pack-${SHA_A}.pack.tmp`,
    'r/objects/pack/tmp_pack_x',
    `r/objects/info/pack-${SHA_A}.pack`,
    `r/objects/pack/sub/pack-${SHA_A}.pack`,
  ])('leaves any other key alone: %s', (key) => {
    expect(parsePackFileKey('r', key)).toBeUndefined();
  });
});
