import { PassThrough, Readable } from 'node:stream';
import { log, type Verbosity } from '@git-remote-s3/core/log';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Layout, SessionOptions } from '../layouts/layout.js';
import {
  applyOption,
  nonCommitBranchReason,
  PARTIAL_CLONE_WARNING,
  runSession,
  SHALLOW_FETCH_WARNING,
  type ShallowAsk,
  shallowAsk,
  shallowWarning,
  UNSHALLOW_WARNING,
} from './session.js';

const SHA = 'a'.repeat(40);

const fresh = (): SessionOptions => ({ progress: false, dryRun: false, atomic: false, verbosity: 1, cas: new Map() });
const noObjectFormat = () => {
  throw new Error('object-format callback called for another option');
};

describe('applyOption', () => {
  const initialVerbosity = log.verbosity;
  afterEach(() => {
    log.verbosity = initialVerbosity;
  });

  it.each([0, 1, 2, 3])('accepts verbosity %i and records it', (level) => {
    const options = fresh();
    expect(applyOption(options, 'verbosity', String(level), noObjectFormat)).toBe('ok');
    expect(options.verbosity).toBe(level);
  });

  it('refuses a verbosity that is not a whole number and keeps the old one', () => {
    const options = fresh();
    expect(applyOption(options, 'verbosity', 'loud', noObjectFormat)).toBe('error verbosity must be a number');
    expect(applyOption(options, 'verbosity', '1.5', noObjectFormat)).toBe('error verbosity must be a number');
    expect(options.verbosity).toBe(1);
  });

  it.each<[string, Verbosity, string, Verbosity]>([
    ['raises normal logging to verbose for -v', 1, '2', 2],
    ['raises quiet logging to verbose for -vv', 0, '3', 2],
    ['quiets normal logging for -q', 1, '0', 0],
    ['keeps trace logging for -v', 3, '2', 3],
    ['keeps verbose logging set by the environment for -q', 2, '0', 2],
    ['leaves normal logging alone at the default verbosity', 1, '1', 1],
  ])('%s', (_name, before, value, after) => {
    log.verbosity = before;
    applyOption(fresh(), 'verbosity', value, noObjectFormat);
    expect(log.verbosity).toBe(after);
  });

  it.each<['progress' | 'dry-run', 'progress' | 'dryRun']>([
    ['progress', 'progress'],
    ['dry-run', 'dryRun'],
  ])('switches %s on with true and off with false', (name, field) => {
    const options = fresh();
    expect(applyOption(options, name, 'true', noObjectFormat)).toBe('ok');
    expect(options[field]).toBe(true);
    expect(applyOption(options, name, 'false', noObjectFormat)).toBe('ok');
    expect(options[field]).toBe(false);
  });

  it('enables the object format through its callback', () => {
    let calls = 0;
    expect(applyOption(fresh(), 'object-format', 'true', () => calls++)).toBe('ok');
    expect(calls).toBe(1);
  });

  it('records the expected id of a cas option under its ref', () => {
    const options = fresh();
    expect(applyOption(options, 'cas', `refs/heads/main:${SHA}`, noObjectFormat)).toBe('ok');
    expect([...options.cas]).toStrictEqual([['refs/heads/main', SHA]]);
  });

  it.each([
    ['an all-zero SHA-1 id', '0'.repeat(40)],
    ['an all-zero SHA-256 id', '0'.repeat(64)],
    ['an empty id', ''],
  ])('reads cas with %s as must-not-exist', (_name, id) => {
    const options = fresh();
    expect(applyOption(options, 'cas', `refs/heads/new:${id}`, noObjectFormat)).toBe('ok');
    expect(options.cas.get('refs/heads/new')).toBe('');
  });

  it('keeps one cas entry per ref', () => {
    const options = fresh();
    applyOption(options, 'cas', `refs/heads/a:${SHA}`, noObjectFormat);
    applyOption(options, 'cas', `refs/heads/b:${'0'.repeat(40)}`, noObjectFormat);
    expect([...options.cas]).toStrictEqual([
      ['refs/heads/a', SHA],
      ['refs/heads/b', ''],
    ]);
  });

  it.each([
    ['no colon', 'refs/heads/main'],
    ['no ref before the colon', `:${SHA}`],
  ])('refuses a cas value with %s', (_name, value) => {
    const options = fresh();
    expect(applyOption(options, 'cas', value, noObjectFormat)).toBe('error cas wants <ref>:<object id>');
    expect(options.cas.size).toBe(0);
  });

  it.each([
    ['followtags', 'true'],
    ['push-option', 'ci.skip'],
    ['check-connectivity', 'true'],
  ])('answers unsupported to option %s and changes nothing', (name, value) => {
    const options = fresh();
    expect(applyOption(options, name, value, noObjectFormat)).toBe('unsupported');
    expect(options).toStrictEqual(fresh());
  });
});

describe('shallow fetch options', () => {
  const warnings: string[] = [];
  beforeAll(() => log.redirect((text) => warnings.push(text)));
  afterAll(() => log.redirect((text) => process.stderr.write(text)));

  it.each<[string, string, string, ShallowAsk | undefined]>([
    ['--depth', 'depth', '1', 'shallow'],
    ['--unshallow', 'depth', '2147483647', 'deepen'],
    ['--deepen', 'deepen-relative', 'true', 'deepen'],
    ['--shallow-since', 'deepen-since', '1700000000', 'shallow'],
    ['--shallow-exclude', 'deepen-not', 'refs/heads/old', 'shallow'],
    ['the reset before fetching followed tags', 'depth', '0', undefined],
    ['the reset of --deepen before fetching followed tags', 'deepen-relative', 'false', undefined],
    ['another option', 'followtags', 'true', undefined],
  ])('takes %s for a request: %s %s → %s', (_what, name, value, ask) => {
    expect(shallowAsk(name, value)).toBe(ask);
  });

  it('says fetching full history for a shallow fetch, and that it cannot deepen for --unshallow or --deepen', () => {
    expect(shallowWarning(new Set())).toBeUndefined();
    expect(shallowWarning(new Set(['shallow']))).toBe(SHALLOW_FETCH_WARNING);
    expect(shallowWarning(new Set(['deepen']))).toBe(UNSHALLOW_WARNING);
    // --deepen 2 sends `depth 2`, then `deepen-relative true`: one request to deepen, not a shallow fetch.
    expect(shallowWarning(new Set(['shallow', 'deepen']))).toBe(UNSHALLOW_WARNING);
    expect(UNSHALLOW_WARNING).toBe(
      "s3 remotes cannot deepen or unshallow a repository; run 'git fetch --unshallow' from the remote you cloned from",
    );
  });

  it('answers unsupported, records the requests and changes nothing', () => {
    const options = fresh();
    const asks = new Set<ShallowAsk>();
    expect(applyOption(options, 'depth', '1', noObjectFormat, asks)).toBe('unsupported');
    expect(applyOption(options, 'deepen-since', '1700000000', noObjectFormat, asks)).toBe('unsupported');
    expect(applyOption(options, 'deepen-not', 'refs/heads/old', noObjectFormat, asks)).toBe('unsupported');
    expect(applyOption(options, 'depth', '0', noObjectFormat, asks)).toBe('unsupported');
    expect([...asks]).toEqual(['shallow']);
    expect(options).toStrictEqual(fresh());
  });

  it('warns once before the listing, whatever git asked, in one line', async () => {
    warnings.length = 0;
    const input = Readable.from(['option depth 2\n', 'option deepen-relative true\n', 'list\n', '\n']);
    const layout = { atomic: false, list: async () => ({ refs: [], head: undefined }) } as unknown as Layout;
    await runSession({ input, output: new PassThrough() }, async () => layout);
    expect(warnings).toEqual([`warning: ${UNSHALLOW_WARNING}\n`]);
  });

  it('answers unsupported to option filter and warns once that every object is fetched', () => {
    warnings.length = 0;
    const options = fresh();
    expect(applyOption(options, 'filter', 'blob:none', noObjectFormat)).toBe('unsupported');
    expect(applyOption(options, 'filter', 'blob:none', noObjectFormat)).toBe('unsupported');
    expect(warnings).toEqual([`warning: ${PARTIAL_CLONE_WARNING}\n`]);
    expect(options).toStrictEqual(fresh());
  });
});

describe('option atomic', () => {
  async function answer(atomic: boolean): Promise<{ reply: string; seen: SessionOptions[] }> {
    const seen: SessionOptions[] = [];
    const layout: Layout = {
      atomic,
      list: async () => ({ refs: [], head: undefined, objectFormat: undefined }),
      fetch: async () => {},
      push: async (requests, options) => {
        seen.push({ ...options });
        return requests.map((r) => ({ ref: r.dst, ok: true }));
      },
    };
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (c: Buffer) => chunks.push(c));
    const input = Readable.from(['option atomic true\n', 'push :refs/heads/main\n', '\n', '\n']);
    await runSession({ input, output }, async () => layout);
    return { reply: Buffer.concat(chunks).toString('utf8'), seen };
  }

  it('is ok, and reaches the push, when the layout commits all refs at once', async () => {
    const { reply, seen } = await answer(true);
    expect(reply.split('\n')[0]).toBe('ok');
    expect(seen.map((o) => o.atomic)).toEqual([true]);
  });

  it('is unsupported when the layout commits ref by ref', async () => {
    const { reply, seen } = await answer(false);
    expect(reply.split('\n')[0]).toBe('unsupported');
    expect(seen.map((o) => o.atomic)).toEqual([false]);
  });
});

describe('the content hook (LFS set-up follows what a session moves)', () => {
  it('hears HEAD before the listing for a push, the fetched ids before the fetch is answered, and only pushed sources', async () => {
    const heard: string[][] = [];
    const replies: string[] = [];
    const layout: Layout = {
      atomic: false,
      list: async () => ({ refs: [], head: undefined, objectFormat: undefined }),
      fetch: async () => {},
      push: async (requests) => requests.map((r) => ({ ref: r.dst, ok: true })),
    };
    const output = new PassThrough();
    output.on('data', (c: Buffer) => replies.push(`${heard.length}:${c.toString('utf8')}`));
    const sha = 'a'.repeat(40);
    const input = Readable.from(['list for-push\n', `fetch ${sha} refs/heads/main\n`, '\n', 'push :refs/heads/gone\n', '\n', '\n']);
    await runSession(
      { input, output },
      async () => layout,
      async (revs) => void heard.push([...revs]),
    );
    expect(heard).toEqual([['HEAD'], [sha]]);
    // each hook ran before git heard the answer it precedes
    expect(replies[0]).toBe('1:\n');
    expect(replies[1]).toBe('2:\n');
  });
});

describe('nonCommitBranchReason', () => {
  const types = new Map([
    [SHA, 'commit'],
    ['b'.repeat(40), 'tree'],
    ['c'.repeat(40), 'blob'],
    ['d'.repeat(40), 'tag'],
  ]);
  const request = (sha: string | undefined, dst: string) => ({ sha, dst, force: false, expect: undefined });

  it('lets a commit onto a branch, a deletion, and any object onto a ref outside refs/heads/', () => {
    expect(nonCommitBranchReason(request(SHA, 'refs/heads/main'), types)).toBeUndefined();
    expect(nonCommitBranchReason(request(undefined, 'refs/heads/main'), types)).toBeUndefined();
    expect(nonCommitBranchReason(request('b'.repeat(40), 'refs/tags/tree-tag'), types)).toBeUndefined();
    expect(nonCommitBranchReason(request('d'.repeat(40), 'refs/tags/v1'), types)).toBeUndefined();
  });

  it.each([
    ['tree', 'b'],
    ['blob', 'c'],
    ['annotated tag', 'd'],
  ])('refuses a %s pushed to a branch in the words of git', (_what, digit) => {
    const sha = digit.repeat(40);
    expect(nonCommitBranchReason(request(sha, 'refs/heads/t'), types)).toBe(
      `trying to write non-commit object ${sha} to branch 'refs/heads/t'`,
    );
  });
});
