// Fetching an object by its id rather than by a ref (`git fetch origin <sha>`, what CI jobs and submodule
// updates do): a commit below a branch tip arrives, an id the remote does not have is a plain error in
// git's voice, on both layouts.
import { join } from 'node:path';
import type { World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, initRepo, repoWithRemote, requestLines } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

/** A remote at `prefix` with main (three commits) and feature (two more commits off main's first). */
async function remoteWithHistory(world: World, prefix: string) {
  const url = world.url(prefix);
  const src = await repoWithRemote(world, 'src', url);
  const first = (await world.git(['rev-parse', 'HEAD'], src)).trim();
  const second = await commitFile(world, src, 'a.txt', 'a\n');
  const tip = await commitFile(world, src, 'b.txt', 'b\n');
  await world.git(['checkout', '-q', '-b', 'feature', first], src);
  const featureBelow = await commitFile(world, src, 'f1.txt', 'f1\n');
  const featureTip = await commitFile(world, src, 'f2.txt', 'f2\n');
  await world.git(['checkout', '-q', 'main'], src);
  await world.git(['push', '-q', 'origin', 'main', 'feature'], src);
  return { url, src, first, second, tip, featureBelow, featureTip };
}

/** An empty repository with `origin` at `url`: nothing is present, so git must ask the remote. */
async function emptyClient(world: World, url: string, name = 'client'): Promise<string> {
  const dir = await initRepo(world, name);
  await world.git(['remote', 'add', 'origin', url], dir);
  return dir;
}

describe.each(LAYOUTS)('fetch by object id on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('git fetch origin <sha> of a commit two below main brings it and its history, and FETCH_HEAD names it', async ({ world }) => {
    const { url, first, second } = await remoteWithHistory(world, 'below');
    const client = await emptyClient(world, url);
    const result = await world.run('git', ['fetch', 'origin', first], { cwd: client });
    expect(result.code, result.stderr).toBe(0);
    expect((await world.git(['rev-parse', 'FETCH_HEAD'], client)).trim()).toBe(first);
    expect((await world.git(['cat-file', '-t', first], client)).trim()).toBe('commit');
    // The commit above it came with the bundle or pack that held it; the next plain fetch still works.
    await world.git(['fetch', '-q', 'origin'], client);
    expect((await world.git(['rev-parse', 'refs/remotes/origin/main~1'], client)).trim()).toBe(second);
  });

  test('a commit only on a non-default branch, below its tip, is fetched by id into a named ref', async ({ world }) => {
    const { url, featureBelow } = await remoteWithHistory(world, 'branch');
    const client = await emptyClient(world, url);
    const result = await world.run('git', ['fetch', 'origin', `${featureBelow}:refs/heads/x`], { cwd: client });
    expect(result.code, result.stderr).toBe(0);
    expect((await world.git(['rev-parse', 'refs/heads/x'], client)).trim()).toBe(featureBelow);
    expect((await world.git(['rev-parse', 'FETCH_HEAD'], client)).trim()).toBe(featureBelow);
  });

  test('an annotated tag object that only a listed tag reaches is fetched by its id', async ({ world }) => {
    const { url, src, second } = await remoteWithHistory(world, 'tags');
    await world.git(['tag', '-a', '-m', 'inner', 'inner', second], src);
    const inner = (await world.git(['rev-parse', 'inner'], src)).trim();
    await world.git(['tag', '-a', '-m', 'outer', 'outer', 'inner'], src);
    await world.git(['push', '-q', 'origin', 'refs/tags/outer'], src);
    const client = await emptyClient(world, url);
    const result = await world.run('git', ['fetch', 'origin', inner], { cwd: client });
    expect(result.code, result.stderr).toBe(0);
    expect((await world.git(['cat-file', '-t', inner], client)).trim()).toBe('tag');
    expect((await world.git(['rev-parse', 'FETCH_HEAD'], client)).trim()).toBe(inner);
  });

  test('an id the remote does not have is a plain error naming it, and the repository is left as it was', async ({ world }) => {
    const { url, tip } = await remoteWithHistory(world, 'unknown');
    const client = await emptyClient(world, url);
    await world.git(['fetch', '-q', 'origin'], client);
    const refsBefore = await world.git(['for-each-ref'], client);
    const unknown = 'c0ffee'.repeat(6).padEnd(40, '0');
    const result = await world.run('git', ['fetch', 'origin', unknown], { cwd: client, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(result.code).not.toBe(0);
    // Every ref is here already: no bundle or pack is downloaded again to look for it.
    expect(requestLines(result.stderr).filter((l) => /^s3: GET \S+\.(bundle|pack) /.test(l))).toEqual([]);
    expect(result.stderr).toContain(`error: ${url} has no object ${unknown}; fetch a branch or tag that contains it`);
    expect(result.stderr).not.toContain('this is a bug');
    expect(await world.git(['for-each-ref'], client)).toBe(refsBefore);
    expect((await world.git(['rev-parse', 'refs/remotes/origin/main'], client)).trim()).toBe(tip);
    await world.git(['fsck', '--no-progress'], client);
  });

  test('an abbreviated id is refused by git itself, before the remote is asked for objects', async ({ world }) => {
    const { url, first } = await remoteWithHistory(world, 'abbrev');
    const client = await emptyClient(world, url);
    const result = await world.run('git', ['fetch', 'origin', first.slice(0, 10)], { cwd: client });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`couldn't find remote ref ${first.slice(0, 10)}`);
    expect(result.stderr).not.toContain('this is a bug');
  });

  test('a submodule whose recorded commit is below its branch tip checks that commit out', async ({ world }) => {
    const { url: subUrl, second } = await remoteWithHistory(world, 'sub');
    const superRepo = await repoWithRemote(world, 'super', world.url('super'));
    await world.git(['submodule', 'add', '-q', subUrl, 'lib'], superRepo);
    await world.git(['checkout', '-q', second], join(superRepo, 'lib'));
    await world.git(['commit', '-q', '-am', 'pin lib below its tip'], superRepo);
    await world.git(['push', '-q', 'origin', 'main'], superRepo);

    await world.git(['clone', '-q', world.url('super'), 'copy'], world.dir);
    const copy = join(world.dir, 'copy');
    const update = await world.run('git', ['submodule', 'update', '--init'], { cwd: copy });
    expect(update.code, update.stderr).toBe(0);
    expect((await world.git(['rev-parse', 'HEAD'], join(copy, 'lib'))).trim()).toBe(second);
  });

  test('a single-branch submodule whose commit is only on another branch is fetched by id', async ({ world }) => {
    const { url: subUrl, featureBelow } = await remoteWithHistory(world, 'sub');
    const superRepo = await repoWithRemote(world, 'super', world.url('super'));
    await world.git(['submodule', 'add', '-q', subUrl, 'lib'], superRepo);
    await world.git(['checkout', '-q', featureBelow], join(superRepo, 'lib'));
    await world.git(['commit', '-q', '-am', 'pin lib to a feature commit'], superRepo);
    await world.git(['push', '-q', 'origin', 'main'], superRepo);

    await world.git(['clone', '-q', world.url('super'), 'copy'], world.dir);
    const copy = join(world.dir, 'copy');
    // --single-branch clones main only: git then has to fetch the pinned commit by its id.
    const update = await world.run('git', ['submodule', 'update', '--init', '--single-branch'], { cwd: copy });
    expect(update.code, update.stderr).toBe(0);
    expect((await world.git(['rev-parse', 'HEAD'], join(copy, 'lib'))).trim()).toBe(featureBelow);
    expect(await world.git(['for-each-ref', '--format=%(refname)', 'refs/remotes'], join(copy, 'lib'))).not.toContain('feature');
  });
});
