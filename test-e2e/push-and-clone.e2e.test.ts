// The everyday story on both layouts: push, clone, fetch and pull with real git against the real local
// S3 server, for branches, tags, deletes, forced and leased pushes, and SHA-256 repositories. What the
// bucket holds is read back layout-neutrally (ref → id); what only one layout has is tested on it alone.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test as base } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, storedHead, storedRefs, testOnLayout, useLayout, writeHead } from '@git-remote-s3/test-harness/layouts';
import {
  commitFile,
  initRepo,
  layoutKeys,
  lsRemote,
  readObject,
  remoteKeys,
  repoWithRemote,
  requestLines,
} from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

describe.each(LAYOUTS)('push and clone on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('a pushed branch is stored with HEAD and clones back with its content', async ({ world }) => {
    const url = world.url('team/project');
    const src = await repoWithRemote(world, 'src', url);
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    await world.git(['push', 'origin', 'main'], src);
    expect(await storedRefs(world, 'team/project')).toEqual({ 'refs/heads/main': sha });
    expect(await storedHead(world, 'team/project')).toBe('refs/heads/main');
    if (layout === 'bundle') {
      expect(await layoutKeys(world, 'team/project')).toEqual(['team/project/HEAD', `team/project/refs/heads/main/${sha}.bundle`]);
      expect((await world.store.getText('team/project/HEAD'))?.text).toBe('refs/heads/main');
    } else {
      expect((await world.store.getText('team/project/HEAD'))?.text).toBe('ref: refs/heads/main\n');
    }

    await world.git(['clone', '-q', url, 'copy'], world.dir);
    expect(await readFile(join(world.dir, 'copy', 'README'), 'utf8')).toBe('# src\n');
    expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe(sha);
    expect((await world.git(['rev-parse', '--abbrev-ref', 'origin/HEAD'], join(world.dir, 'copy'))).trim()).toBe('origin/main');
  });

  test('a first push of several branches names the current branch in HEAD, whatever finishes first', async ({ world }) => {
    const url = world.url('first');
    const src = await repoWithRemote(world, 'src', url);
    for (const b of ['alpha', 'beta', 'gamma']) await world.git(['branch', b], src);
    await world.git(['checkout', '-q', 'gamma'], src);
    await world.git(['push', 'origin', 'alpha', 'beta', 'main', 'gamma'], src);
    expect(await storedHead(world, 'first')).toBe('refs/heads/gamma');
    await world.git(['clone', '-q', url, 'copy'], world.dir);
    expect((await world.git(['symbolic-ref', '--short', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe('gamma');
  });

  test('fetch and pull bring a second clone up to date and the remote holds only the new tip', async ({ world }) => {
    const url = world.url('repo');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    await world.git(['clone', '-q', url, 'other'], world.dir);
    const second = await commitFile(world, src, 'b.txt', 'b\n');
    await world.git(['push', 'origin', 'main'], src);
    expect(await storedRefs(world, 'repo')).toEqual({ 'refs/heads/main': second });

    const other = join(world.dir, 'other');
    await world.git(['pull', '-q', '--ff-only'], other);
    expect((await world.git(['rev-parse', 'HEAD'], other)).trim()).toBe(second);
    expect(await readFile(join(other, 'b.txt'), 'utf8')).toBe('b\n');
  });

  test('lightweight and annotated tags round trip, the annotated one as a tag object', async ({ world }) => {
    const url = world.url('tags');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['tag', 'light'], src);
    await world.git(['tag', '-a', 'v1.0', '-m', 'release 1.0'], src);
    await world.git(['push', 'origin', 'main', 'light', 'v1.0'], src);
    const tagObject = (await world.git(['rev-parse', 'v1.0'], src)).trim();
    const refs = await lsRemote(world, url);
    expect(refs.get('refs/tags/v1.0')).toBe(tagObject);
    expect(refs.get('refs/tags/light')).toBe((await world.git(['rev-parse', 'HEAD'], src)).trim());

    await world.git(['clone', '-q', url, 'copy'], world.dir);
    const copy = join(world.dir, 'copy');
    expect((await world.git(['cat-file', '-t', 'v1.0'], copy)).trim()).toBe('tag');
    expect((await world.git(['tag', '-l', '--format=%(contents:subject)', 'v1.0'], copy)).trim()).toBe('release 1.0');
  });

  test('deleting a remote branch removes it and nothing else', async ({ world }) => {
    const url = world.url('del');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main', 'main:feature'], src);
    await world.git(['push', 'origin', ':feature'], src);
    const refs = await lsRemote(world, url);
    expect(refs.has('refs/heads/feature')).toBe(false);
    expect(refs.has('refs/heads/main')).toBe(true);
    expect(Object.keys(await storedRefs(world, 'del'))).toEqual(['refs/heads/main']);
  });

  test('a non-fast-forward push is rejected with git hints and leaves the remote unchanged', async ({ world }) => {
    const url = world.url('nff');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    const before = await remoteKeys(world, 'nff');
    await world.git(['commit', '-q', '--amend', '-m', 'rewritten'], src);
    const result = await world.run('git', ['push', 'origin', 'main'], { cwd: src });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/! \[rejected\]\s+main -> main \(non-fast-forward\)/);
    expect(await remoteKeys(world, 'nff')).toEqual(before);
  });

  test('a forced push replaces the branch and keeps exactly one tip', async ({ world }) => {
    const url = world.url('force');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    await world.git(['commit', '-q', '--amend', '-m', 'rewritten'], src);
    const rewritten = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    const result = await world.run('git', ['push', '--force', 'origin', 'main'], { cwd: src });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(forced update)');
    expect(await storedRefs(world, 'force')).toEqual({ 'refs/heads/main': rewritten });
  });

  test('--force-with-lease succeeds when the lease holds and is refused as stale when it does not', async ({ world }) => {
    const url = world.url('lease');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    const original = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    await world.git(['clone', '-q', url, 'rival'], world.dir);
    const rival = join(world.dir, 'rival');

    await world.git(['commit', '-q', '--amend', '-m', 'mine'], src);
    const ok = await world.run('git', ['push', `--force-with-lease=main:${original}`, 'origin', 'main'], { cwd: src });
    expect(ok.code).toBe(0);
    const mine = (await world.git(['rev-parse', 'HEAD'], src)).trim();

    await commitFile(world, rival, 'r.txt', 'rival\n');
    const stale = await world.run('git', ['push', `--force-with-lease=main:${original}`, 'origin', 'main'], { cwd: rival });
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/! \[rejected\]\s+main -> main \(stale info\)/);
    expect((await lsRemote(world, url)).get('refs/heads/main')).toBe(mine);
  });

  test('--dry-run reports what would happen and writes nothing', async ({ world }) => {
    const url = world.url('dry');
    const src = await repoWithRemote(world, 'src', url);
    const result = await world.run('git', ['push', '--dry-run', 'origin', 'main'], { cwd: src });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('[new branch]');
    expect(await remoteKeys(world, 'dry')).toEqual([]);
  });

  test('a SHA-256 repository round trips with 64-hex object names', async ({ world }) => {
    const url = world.url('sha256');
    const src = await repoWithRemote(world, 'src', url, { objectFormat: 'sha256' });
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    expect(sha).toHaveLength(64);
    await world.git(['push', 'origin', 'main'], src);
    expect(await storedRefs(world, 'sha256')).toEqual({ 'refs/heads/main': sha });
    if (layout === 'packs') expect((await remoteKeys(world, 'sha256')).some((k) => /\/pack-[0-9a-f]{64}\.pack$/.test(k))).toBe(true);
    await world.git(['clone', '-q', url, 'copy'], world.dir);
    const copy = join(world.dir, 'copy');
    expect((await world.git(['rev-parse', '--show-object-format'], copy)).trim()).toBe('sha256');
    expect((await world.git(['rev-parse', 'HEAD'], copy)).trim()).toBe(sha);
  });

  test('cloning an empty prefix gives an empty repository with the remote configured', async ({ world }) => {
    const url = world.url('nothing/here');
    const result = await world.run('git', ['clone', url, 'empty'], { cwd: world.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('You appear to have cloned an empty repository');
    expect((await world.git(['remote', 'get-url', 'origin'], join(world.dir, 'empty'))).trim()).toBe(url);
  });

  test('a clone of a remote with 20 branches gets all of them', async ({ world }) => {
    const url = world.url('many');
    const src = await repoWithRemote(world, 'src', url);
    const specs: string[] = [];
    for (let i = 0; i < 20; i++) {
      await world.git(['checkout', '-q', '-b', `b${i}`, 'main'], src);
      await commitFile(world, src, `f${i}.txt`, `${i}\n`);
      specs.push(`b${i}`);
    }
    await world.git(['push', 'origin', 'main', ...specs], src);
    await world.git(['clone', '-q', url, 'copy'], world.dir);
    const branches = (await world.git(['branch', '-r', '--format=%(refname:short)'], join(world.dir, 'copy'))).trim().split('\n');
    expect(branches.filter((b) => /^origin\/b\d+$/.test(b))).toHaveLength(20);
    const b7 = (await world.git(['rev-parse', 'origin/b7'], join(world.dir, 'copy'))).trim();
    expect(b7).toBe((await world.git(['rev-parse', 'b7'], src)).trim());
  });

  test('push sources may be HEAD, another ref or a raw object id, and a new branch may point at an existing commit', async ({ world }) => {
    const url = world.url('sources');
    const src = await repoWithRemote(world, 'src', url);
    const head = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    await world.git(['push', 'origin', 'HEAD:refs/heads/from-head', `${head}:refs/heads/from-sha`, 'main:refs/heads/copy'], src);
    const refs = await lsRemote(world, url);
    for (const b of ['from-head', 'from-sha', 'copy']) expect(refs.get(`refs/heads/${b}`)).toBe(head);
  });

  test('git push --mirror pushes every branch and tag', async ({ world }) => {
    const url = world.url('mirror');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['branch', 'side'], src);
    await world.git(['tag', 't1'], src);
    await world.git(['push', '--mirror', 'origin'], src);
    const refs = await lsRemote(world, url);
    expect([...refs.keys()].filter((r) => r.startsWith('refs/')).sort()).toEqual(['refs/heads/main', 'refs/heads/side', 'refs/tags/t1']);
  });

  test('branch a never sees the keys of branch ab, at any prefix depth', async ({ world }) => {
    const url = world.url('a/b/c/repo');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main:a', 'main:ab'], src);
    await world.git(['push', 'origin', ':a'], src);
    const refs = await lsRemote(world, url);
    expect(refs.has('refs/heads/a')).toBe(false);
    expect(refs.has('refs/heads/ab')).toBe(true);
  });

  test('a clone works when the remote HEAD names a branch that is gone', async ({ world }) => {
    const url = world.url('lost-head');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    await writeHead(world, 'lost-head', layout, 'refs/heads/vanished');
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('names refs/heads/vanished, which does not exist; using refs/heads/main');
    expect(await readFile(join(world.dir, 'copy', 'README'), 'utf8')).toBe('# src\n');
  });

  test('fetch downloads only what holds the missing commits', async ({ world }) => {
    const url = world.url('skip');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main', 'main:same'], src);
    await world.git(['clone', '-q', url, 'copy'], world.dir);
    await commitFile(world, src, 'n.txt', 'n\n');
    await world.git(['push', 'origin', 'main'], src);
    const result = await world.run('git', ['fetch', 'origin'], { cwd: join(world.dir, 'copy'), env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(result.code).toBe(0);
    if (layout === 'bundle') {
      const gets = requestLines(result.stderr).filter((l) => l.includes('.bundle'));
      expect(gets).toHaveLength(1);
      expect(gets[0]).toContain('/refs/heads/main/');
    } else {
      expect(requestLines(result.stderr).filter((l) => /^s3: GET .*\.pack /.test(l))).toHaveLength(1);
    }
  });

  test('a new repository in another directory clones what a SHA-1 push wrote, over a relative GIT_DIR', async ({ world }) => {
    const url = world.url('reldir');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    const dest = await initRepo(world, 'dest');
    const result = await world.run('git', ['--git-dir=.git', 'fetch', url, 'main'], { cwd: dest });
    expect(result.code).toBe(0);
    expect((await world.git(['rev-parse', 'FETCH_HEAD'], dest)).trim()).toBe((await world.git(['rev-parse', 'HEAD'], src)).trim());
  });
});

describe('what only the bundle layout does', () => {
  base('--atomic is refused up front, since bundles commit ref by ref, and nothing is written', async ({ world }) => {
    const url = world.url('atomic');
    const src = await repoWithRemote(world, 'src', url);
    const result = await world.run('git', ['push', '--atomic', 'origin', 'main', 'main:other'], { cwd: src });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('does not support --atomic');
    expect(await remoteKeys(world, 'atomic')).toEqual([]);
  });

  base('s3+zip also uploads repo.zip with the CodePipeline metadata', async ({ world }) => {
    const url = world.url('zipped', 's3+zip');
    const src = await repoWithRemote(world, 'src', url);
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    await world.git(['push', 'origin', 'main'], src);
    const head = await world.store.head('zipped/refs/heads/main/repo.zip');
    expect(head?.metadata['codepipeline-artifact-revision-summary']).toBe(`${sha.slice(0, 7)} initial commit`);
    const zip = await readObject(world, 'zipped/refs/heads/main/repo.zip');
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(zip.includes(Buffer.from('README'))).toBe(true);
    await world.git(['push', 'origin', ':main'], src);
    expect(await layoutKeys(world, 'zipped')).toEqual(['zipped/HEAD']);
  });
});

describe('what only the packs layout does', () => {
  base('--atomic: a 3-ref push with one non-fast-forward changes nothing, and a clean one lands whole', async ({ world }) => {
    await useLayout(world, 'packs');
    const url = world.url('atomic');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main', 'main:one', 'main:two'], src);
    const before = await storedRefs(world, 'atomic');
    // A rival rewrites two behind our back; we build on the old two, so our push of two is not a fast-forward.
    await world.git(['clone', '-q', url, 'rival'], world.dir);
    const rival = join(world.dir, 'rival');
    await world.git(['checkout', '-q', 'two'], rival);
    await world.git(['commit', '-q', '--amend', '-m', 'rival rewrite'], rival);
    await world.git(['push', '-q', '--force', 'origin', 'two'], rival);
    const afterRival = await storedRefs(world, 'atomic');

    await commitFile(world, src, 'next.txt', 'next\n');
    const result = await world.run('git', ['push', '--atomic', 'origin', 'main', 'main:one', 'main:two'], { cwd: src });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/atomic push fail/);
    expect(await storedRefs(world, 'atomic')).toEqual(afterRival);
    expect(afterRival['refs/heads/main']).toBe(before['refs/heads/main']);

    const clean = await world.run('git', ['push', '--atomic', 'origin', 'main', 'main:one', 'main:three'], { cwd: src });
    expect(clean.code, clean.stderr).toBe(0);
    const tip = (await world.git(['rev-parse', 'main'], src)).trim();
    expect(await storedRefs(world, 'atomic')).toMatchObject({ 'refs/heads/main': tip, 'refs/heads/one': tip, 'refs/heads/three': tip });
  });
});
