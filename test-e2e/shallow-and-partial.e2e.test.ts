// Working from a shallow or partial clone (what CI checks out) against an s3 remote, on both layouts.
// Shallow fetches (`git clone --depth`, `git fetch --depth`, `--shallow-since`, `--shallow-exclude`) and partial
// clones (`git clone --filter=blob:none`, `git fetch --filter`) are not supported: the helper says on stderr, once,
// that it fetches the full history or every object, and finishes with a complete, working repository rather than
// a silently different one. Its own presence checks in a partial clone would start git's lazy fetch, i.e. this
// helper again: a helper started that way refuses at once.
// A push is complete or nothing (DESIGN §11): from a shallow clone it is refused before any upload unless the
// remote provably holds the history it lacks; the remote, its old bundle and its clones stay whole; after
// `git fetch --unshallow` the push works. gc and migrate refuse to rewrite a remote that is already incomplete,
// and a partial clone that cannot supply its objects writes nothing.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test as base, type World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, storedRefs, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, initRepo, lsRemote, readObject, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

const SHALLOW_WARNING = 'warning: s3 remotes do not support shallow fetches; fetching full history';
const UNSHALLOW =
  "warning: s3 remotes cannot deepen or unshallow a repository; run 'git fetch --unshallow' from the remote you cloned from";

const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

/** A remote with three commits on main and a tag `v1` on the first; returns the source repository and its tip. */
async function pushedHistory(world: World, url: string): Promise<{ src: string; tip: string }> {
  const src = await repoWithRemote(world, 'src', url);
  await world.git(['tag', '-a', 'v1', '-m', 'first'], src);
  await commitFile(world, src, 'b.txt', 'b\n');
  const tip = await commitFile(world, src, 'c.txt', 'c\n');
  await world.git(['push', '-q', 'origin', 'main', 'v1'], src);
  return { src, tip };
}

describe.each(LAYOUTS)('shallow fetches on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('git clone --depth 1 warns once and makes a complete clone that works', async ({ world }) => {
    const url = world.url('deep');
    const { tip } = await pushedHistory(world, url);
    const cloned = await world.run('git', ['clone', '--depth', '1', url, 'copy'], { cwd: world.dir });
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(count(cloned.stderr, SHALLOW_WARNING)).toBe(1);

    const copy = join(world.dir, 'copy');
    expect((await world.git(['rev-parse', '--is-shallow-repository'], copy)).trim()).toBe('false');
    expect((await world.git(['rev-parse', 'HEAD'], copy)).trim()).toBe(tip);
    expect((await world.git(['rev-list', '--count', 'HEAD'], copy)).trim()).toBe('3');
    expect(await readFile(join(copy, 'c.txt'), 'utf8')).toBe('c\n');
    await world.git(['fsck', '--no-dangling'], copy);
    // It works as a clone: new work on it pushes back.
    const next = await commitFile(world, copy, 'd.txt', 'd\n');
    await world.git(['push', '-q', 'origin', 'main'], copy);
    expect((await world.git(['ls-remote', url, 'refs/heads/main'], world.dir)).split('\t')[0]).toBe(next);
  });
});

describe('shallow fetches', () => {
  const test = testOnLayout('bundle');

  test.for<[string, string[]]>([
    ['--depth', ['--depth', '1']],
    ['--shallow-since', ['--shallow-since', '2000-01-01']],
    ['--shallow-exclude', ['--shallow-exclude', 'v1']],
  ])('git fetch %s warns once and fetches the full history', async ([, args], { world }) => {
    const url = world.url('fetched');
    const { src } = await pushedHistory(world, url);
    const repo = join(world.dir, 'fresh');
    await world.git(['init', '-q', repo], world.dir);
    await world.git(['remote', 'add', 'origin', url], repo);

    const fetched = await world.run('git', ['fetch', ...args, 'origin', 'main'], { cwd: repo });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(count(fetched.stderr, SHALLOW_WARNING)).toBe(1);
    expect((await world.git(['rev-parse', '--is-shallow-repository'], repo)).trim()).toBe('false');
    expect((await world.git(['rev-list', '--count', 'origin/main'], repo)).trim()).toBe('3');
    expect((await world.git(['rev-parse', 'origin/main'], repo)).trim()).toBe((await world.git(['rev-parse', 'main'], src)).trim());
  });

  test.for<[string, string[]]>([
    ['--unshallow', ['--unshallow']],
    ['--deepen', ['--deepen', '1']],
  ])(
    'git fetch %s in a shallow clone says once, alone, that it cannot deepen, and names the remote that can',
    async ([, args], { world }) => {
      const url = world.url('deepen');
      const { src } = await pushedHistory(world, url);
      const sh = join(world.dir, 'sh');
      await world.git(['clone', '-q', '--depth', '1', `file://${src}`, sh], world.dir);
      await world.git(['remote', 'add', 's3', url], sh);

      const fetched = await world.run('git', ['fetch', ...args, 's3'], { cwd: sh });
      expect(fetched.code, fetched.stderr).toBe(0);
      expect(count(fetched.stderr, UNSHALLOW)).toBe(1);
      expect(fetched.stderr).not.toContain(SHALLOW_WARNING);
      // What the warning says: the clone stays shallow, and its own remote is the one that unshallows it.
      expect((await world.git(['rev-parse', '--is-shallow-repository'], sh)).trim()).toBe('true');
      await world.git(['fetch', '-q', '--unshallow', 'origin'], sh);
      expect((await world.git(['rev-parse', '--is-shallow-repository'], sh)).trim()).toBe('false');
    },
  );

  test('a plain fetch, which follows tags, says nothing about shallow fetches', async ({ world }) => {
    const url = world.url('plain');
    await pushedHistory(world, url);
    const repo = join(world.dir, 'fresh');
    await world.git(['init', '-q', repo], world.dir);
    await world.git(['remote', 'add', 'origin', url], repo);
    const fetched = await world.run('git', ['fetch', 'origin'], { cwd: repo });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stderr).not.toContain('shallow');
  });
});

const PARTIAL_WARNING = 'warning: s3 remotes do not support partial clones (--filter); fetching all objects';
/** Long enough for a loaded machine, far shorter than the hang this guards against. */
const TIMEOUT_MS = 60_000;

/** Objects reachable from every ref that the repository lacks (`?<id>` lines), as git lists them. */
async function missing(world: World, repo: string): Promise<string[]> {
  const out = await world.git(['rev-list', '--objects', '--missing=print', '--all'], repo);
  return out.split('\n').filter((l) => l.startsWith('?'));
}

describe.each(LAYOUTS)('partial clones on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('git clone --filter=blob:none finishes with a warning and every blob, and later fetch and pull work', async ({ world }) => {
    const url = world.url('partial');
    const src = await repoWithRemote(world, 'src', url);
    await commitFile(world, src, 'b.txt', 'b\n');
    await world.git(['push', '-q', 'origin', 'main'], src);

    const cloned = await world.run('git', ['clone', '--filter=blob:none', url, 'copy'], { cwd: world.dir, timeoutMs: TIMEOUT_MS });
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(count(cloned.stderr, PARTIAL_WARNING)).toBe(1);
    const copy = join(world.dir, 'copy');
    expect(await missing(world, copy)).toEqual([]);
    expect(await readFile(join(copy, 'b.txt'), 'utf8')).toBe('b\n');
    await world.git(['fsck', '--no-dangling'], copy);

    // Later fetches of the clone (still configured as a partial clone) get every object too.
    const next = await commitFile(world, src, 'c.txt', 'c\n');
    await world.git(['push', '-q', 'origin', 'main'], src);
    const fetched = await world.run('git', ['fetch', 'origin'], { cwd: copy, timeoutMs: TIMEOUT_MS });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect((await world.git(['rev-parse', 'origin/main'], copy)).trim()).toBe(next);
    expect(await missing(world, copy)).toEqual([]);

    const last = await commitFile(world, src, 'd.txt', 'd\n');
    await world.git(['push', '-q', 'origin', 'main'], src);
    const pulled = await world.run('git', ['pull', '--ff-only', 'origin', 'main'], { cwd: copy, timeoutMs: TIMEOUT_MS });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((await world.git(['rev-parse', 'HEAD'], copy)).trim()).toBe(last);
    expect(await readFile(join(copy, 'd.txt'), 'utf8')).toBe('d\n');
    expect(await missing(world, copy)).toEqual([]);
    await world.git(['fsck', '--no-dangling'], copy);
  });

  test('git fetch --filter into an empty repository finishes with a warning and every blob', async ({ world }) => {
    const url = world.url('filtered');
    const src = await repoWithRemote(world, 'src', url);
    const tip = await commitFile(world, src, 'b.txt', 'b\n');
    await world.git(['push', '-q', 'origin', 'main'], src);
    const repo = join(world.dir, 'fresh');
    await world.git(['init', '-q', repo], world.dir);
    await world.git(['remote', 'add', 'origin', url], repo);

    const fetched = await world.run('git', ['fetch', '--filter=blob:none', 'origin'], { cwd: repo, timeoutMs: TIMEOUT_MS });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(count(fetched.stderr, PARTIAL_WARNING)).toBe(1);
    expect((await world.git(['rev-parse', 'origin/main'], repo)).trim()).toBe(tip);
    expect(await missing(world, repo)).toEqual([]);
    await world.git(['fsck', '--no-dangling'], repo);
  });
});

describe('a helper started by its own git', () => {
  const test = testOnLayout('bundle');

  test('refuses at once, with a clear error and nothing read from the remote, when the helper mark is set', async ({ world }) => {
    const url = world.url('marked');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    const result = await world.run('git-remote-s3', ['origin', url], {
      cwd: src,
      env: { GIT_DIR: join(src, '.git'), GIT_REMOTE_S3_HELPER: '1' },
      input: 'capabilities\nlist\n\n',
      timeoutMs: TIMEOUT_MS,
    });
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'error: git-remote-s3 does not serve lazy fetches of missing objects started by its own git commands; the objects count as missing\n',
    });
    // Unmarked, the same remote answers.
    expect((await lsRemote(world, url)).get('refs/heads/main')).toBe((await world.git(['rev-parse', 'HEAD'], src)).trim());
  });
});

/** A full repository of three commits on main; returns its path and the commits, oldest first. */
async function fullRepo(world: World): Promise<{ full: string; commits: string[] }> {
  const full = await initRepo(world, 'full');
  const commits: string[] = [];
  for (const n of [1, 2, 3]) commits.push(await commitFile(world, full, `f${n}.txt`, `${n}\n`, `commit ${n}`));
  return { full, commits };
}

/** `git clone --depth 1` of `full` (over file://, so that it is really shallow) as `name`. */
async function shallowClone(world: World, full: string, name: string): Promise<string> {
  await world.git(['clone', '-q', '--depth', '1', `file://${full}`, name], world.dir);
  const dir = join(world.dir, name);
  expect((await world.git(['rev-parse', '--is-shallow-repository'], dir)).trim()).toBe('true');
  return dir;
}

/** A fresh clone of `url`, checked with `git fsck`; returns its main and how many commits it holds. */
async function freshClone(world: World, url: string, name: string): Promise<{ head: string; commits: number }> {
  await world.git(['clone', '-q', url, name], world.dir);
  const dir = join(world.dir, name);
  await world.git(['fsck', '--no-progress', '--connectivity-only'], dir);
  return {
    head: (await world.git(['rev-parse', 'HEAD'], dir)).trim(),
    commits: Number((await world.git(['rev-list', '--count', 'HEAD'], dir)).trim()),
  };
}

const REFUSED =
  /! \[remote rejected\] +HEAD -> main \(shallow update not allowed: .*run 'git fetch --unshallow' from the remote you cloned from and push again\)/;

describe.each(LAYOUTS)('a push from a shallow clone on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('to an empty remote is refused with the remedy, and writes nothing under the prefix', async ({ world }) => {
    const { full } = await fullRepo(world);
    const sh = await shallowClone(world, full, 'sh');
    const result = await world.run('git', ['push', world.url('r'), 'HEAD:refs/heads/main'], { cwd: sh });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(REFUSED);
    expect(await remoteKeys(world, 'r')).toEqual([]);
  });

  test('after git fetch --unshallow, the same push works and a fresh clone has the whole history', async ({ world }) => {
    const { full, commits } = await fullRepo(world);
    const sh = await shallowClone(world, full, 'sh');
    const url = world.url('r');
    expect((await world.run('git', ['push', url, 'HEAD:refs/heads/main'], { cwd: sh })).code).not.toBe(0);
    await world.git(['fetch', '-q', '--unshallow'], sh);
    await world.git(['push', '-q', url, 'HEAD:refs/heads/main'], sh);
    expect(await storedRefs(world, 'r')).toEqual({ 'refs/heads/main': commits[2] });
    expect(await freshClone(world, url, 'copy')).toEqual({ head: commits[2], commits: 3 });
  });

  test('on top of a remote that holds the full history: accepted only where the remote provably holds the boundary', async ({ world }) => {
    const { full, commits } = await fullRepo(world);
    const url = world.url('r');
    await world.git(['push', '-q', url, 'main'], full);
    const before = await remoteKeys(world, 'r');
    const sh = await shallowClone(world, full, 'sh');
    // The remote's tip is the shallow clone's boundary: present here, so a pack may lean on the remote for the rest.
    const next = await commitFile(world, sh, 'ci.txt', 'built\n', 'ci commit');
    const result = await world.run('git', ['push', url, 'HEAD:refs/heads/main'], { cwd: sh });
    if (layout === 'packs') {
      expect(result.code).toBe(0);
      expect(await storedRefs(world, 'r')).toEqual({ 'refs/heads/main': next });
      expect(await freshClone(world, url, 'copy')).toEqual({ head: next, commits: 4 });
    } else {
      // A bundle must hold the ref's whole history, which the shallow clone cannot give.
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(REFUSED);
      expect(await remoteKeys(world, 'r')).toEqual(before);
      expect(await storedRefs(world, 'r')).toEqual({ 'refs/heads/main': commits[2] });
      expect(await freshClone(world, url, 'copy')).toEqual({ head: commits[2], commits: 3 });
    }
  });

  test('one refused ref does not hide the result of a complete one pushed beside it', async ({ world }) => {
    const { full } = await fullRepo(world);
    const sh = await shallowClone(world, full, 'sh');
    await world.git(['checkout', '-q', '--orphan', 'fresh'], sh);
    const fresh = await commitFile(world, sh, 'new.txt', 'new\n', 'a new root');
    const url = world.url('r');
    const result = await world.run('git', ['push', url, 'fresh', 'main'], { cwd: sh });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/! \[remote rejected\] +main -> main \(shallow update not allowed/);
    expect(result.stderr).toMatch(/\* \[new branch\] +fresh -> fresh/);
    expect(await storedRefs(world, 'r')).toEqual({ 'refs/heads/fresh': fresh });
  });

  test('a partial clone whose promisor remote cannot supply its blobs writes nothing and says why', async ({ world }) => {
    const { full } = await fullRepo(world);
    await world.git(['config', 'uploadpack.allowFilter', 'true'], full);
    await world.git(['clone', '-q', '--no-checkout', '--filter=blob:none', `file://${full}`, 'partial'], world.dir);
    const partial = join(world.dir, 'partial');
    await world.git(['remote', 'set-url', 'origin', `file://${join(world.dir, 'gone')}`], partial);
    const result = await world.run('git', ['push', world.url('p'), 'main'], { cwd: partial });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /main -> main \(cannot push: objects reachable from refs\/heads\/main are missing here \(.*promisor remote\)/,
    );
    expect(await remoteKeys(world, 'p')).toEqual([]);
  });
});

base('with --atomic on the packs layout, one incomplete ref refuses them all and nothing is written', async ({ world }) => {
  const { full } = await fullRepo(world);
  const sh = await shallowClone(world, full, 'sh');
  await world.git(['config', 's3.layout', 'packs'], sh);
  await world.git(['checkout', '-q', '--orphan', 'fresh'], sh);
  await commitFile(world, sh, 'new.txt', 'new\n', 'a new root');
  const result = await world.run('git', ['push', '--atomic', world.url('r'), 'fresh', 'main'], { cwd: sh });
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/main -> main \(shallow update not allowed/);
  expect(result.stderr).toMatch(/fresh -> fresh \(atomic push failed\)/);
  expect(await remoteKeys(world, 'r')).toEqual([]);
});

base('an s3+zip remote refuses a shallow push like a bundle one: no bundle, no repo.zip, no lock', async ({ world }) => {
  const { full, commits } = await fullRepo(world);
  const url = world.url('z', 's3+zip');
  await world.git(['push', '-q', url, 'main'], full);
  const before = await remoteKeys(world, 'z');
  const zip = await readObject(world, 'z/refs/heads/main/repo.zip');
  const sh = await shallowClone(world, full, 'sh');
  await commitFile(world, sh, 'ci.txt', 'built\n', 'ci commit');
  const result = await world.run('git', ['push', url, 'HEAD:refs/heads/main'], { cwd: sh });
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(REFUSED);
  expect(await remoteKeys(world, 'z')).toEqual(before);
  expect(await readObject(world, 'z/refs/heads/main/repo.zip')).toEqual(zip);
  expect(await freshClone(world, url, 'copy')).toEqual({ head: commits[2], commits: 3 });
});

/**
 * Makes `prefix` the remote the shallow-push fault used to leave: main names a commit whose parent no pack
 * or bundle holds. `layout` picks how it is stored (bundle: one bundle; packs: two listed packs).
 */
async function incompleteRemote(world: World, prefix: string, layout: LayoutName): Promise<{ sha: string }> {
  const { full } = await fullRepo(world);
  const sh = await shallowClone(world, full, 'sh');
  const sha = await commitFile(world, sh, 'ci.txt', 'built\n', 'ci commit');
  const pack = async (revs: string, name: string): Promise<string> => {
    const dir = join(world.dir, name);
    await mkdir(dir);
    const hash = (
      await world.run('git', ['pack-objects', '--revs', '-q', join(dir, 'pack')], { cwd: sh, input: `${revs}\n` })
    ).stdout.trim();
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    return `pack-${hash}`;
  };
  if (layout === 'bundle') {
    const name = await pack(sha, 'b');
    const packBytes = await readFile(join(world.dir, 'b', `${name}.pack`));
    await world.store.put(
      `${prefix}/refs/heads/main/${sha}.bundle`,
      Buffer.concat([Buffer.from(`# v2 git bundle\n${sha} refs/heads/main\n\n`), packBytes]),
    );
    await world.store.put(`${prefix}/HEAD`, 'refs/heads/main');
    return { sha };
  }
  const top = await pack(`${sha}\n^${sha}~1`, 'p1');
  const boundary = await pack(`${sha}~1`, 'p2');
  for (const [dir, name] of [
    ['p1', top],
    ['p2', boundary],
  ] as const) {
    for (const file of await readdir(join(world.dir, dir))) {
      await world.store.put(`${prefix}/objects/pack/${file}`, await readFile(join(world.dir, dir, file)));
    }
    expect(name).toMatch(/^pack-/);
  }
  await world.store.put(`${prefix}/objects/info/packs`, `P ${top}.pack\nP ${boundary}.pack\n`);
  await world.store.put(`${prefix}/info/refs`, `${sha}\trefs/heads/main\n`);
  await world.store.put(`${prefix}/HEAD`, 'ref: refs/heads/main\n');
  return { sha };
}

describe('rewrites of a remote that is already incomplete', () => {
  base('git s3 gc refuses to consolidate it, names the ref, and changes nothing', async ({ world }) => {
    await incompleteRemote(world, 'g', 'packs');
    const before = await remoteKeys(world, 'g');
    const result = await world.run('git', ['s3', 'gc', world.url('g')], { cwd: world.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: gc refused on s3:\/\/[^ ]+\/g: objects reachable from refs\/heads\/main are missing from the listed packs \(.*\); nothing was changed/m,
    );
    expect(await remoteKeys(world, 'g')).toEqual(before);
    expect((await world.store.getText('g/objects/info/packs'))?.text.split('\n').filter(Boolean)).toHaveLength(2);
  });

  for (const [from, to] of [
    ['bundle', 'packs'],
    ['packs', 'bundle'],
  ] as const) {
    base(`git s3 migrate from ${from} to ${to} refuses it before writing anything`, async ({ world }) => {
      await incompleteRemote(world, 'm', from);
      const before = await remoteKeys(world, 'm');
      const result = await world.run('git', ['s3', 'migrate', world.url('m'), '--to', to], { cwd: world.dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/error: cannot migrate s3:\/\/[^ ]+\/m: objects reachable from refs\/heads\/main are missing/);
      expect(await remoteKeys(world, 'm')).toEqual(before);
    });
  }
});
