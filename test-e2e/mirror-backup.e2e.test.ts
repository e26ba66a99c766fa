// A scheduled backup job on both layouts: a `git clone --mirror` of an upstream, its push url set to an
// s3 remote, and `git push --mirror` run again after every change upstream (branches and tags, annotated
// ones too, added, moved and deleted). Each run must exit 0 and leave the remote's refs equal to the mirror's.
import { join } from 'node:path';
import type { World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, storedHead, storedRefs, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, initRepo, lsRemote } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

/** Every ref of `repo` (HEAD left out), as ref → id. */
async function localRefs(world: World, repo: string): Promise<Record<string, string>> {
  const out = await world.git(['for-each-ref', '--format=%(refname) %(objectname)'], repo);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
}

describe.each(LAYOUTS)('git push --mirror as a backup job on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('every run exits 0 and leaves the remote with exactly the refs of the mirror, as upstream adds, moves and deletes refs', async ({
    world,
  }) => {
    const url = world.url('backup');
    const upstream = await initRepo(world, 'upstream');
    await commitFile(world, upstream, 'README', 'v0\n');
    for (const b of ['feature', 'old', 'release/1.x']) await world.git(['branch', b], upstream);
    await world.git(['tag', 'light'], upstream);
    await world.git(['tag', '-a', 'v1.0', '-m', 'release 1.0'], upstream);
    await commitFile(world, upstream, 'a.txt', 'a\n');

    await world.git(['clone', '-q', '--mirror', `file://${upstream}`, 'm.git'], world.dir);
    const mirror = join(world.dir, 'm.git');
    await world.git(['remote', 'set-url', '--push', 'origin', url], mirror);

    /** One run of the job: fetch what upstream changed, push the mirror; the remote must then equal it. */
    const backup = async (round: string) => {
      await world.git(['remote', 'update', '--prune'], mirror);
      const pushed = await world.run('git', ['push', '--mirror'], { cwd: mirror });
      expect(pushed.stderr, `${round}: push --mirror`).not.toContain('HEAD');
      expect(pushed.code, `${round}: ${pushed.stderr}`).toBe(0);
      const expected = await localRefs(world, mirror);
      expect(await storedRefs(world, 'backup'), `${round}: refs in the bucket`).toEqual(expected);
      const listed = Object.fromEntries([...(await lsRemote(world, url))].filter(([ref]) => ref !== 'HEAD'));
      expect(listed, `${round}: refs git ls-remote lists`).toEqual(expected);
      return expected;
    };

    const first = await backup('first run');
    expect(Object.keys(first).sort()).toEqual([
      'refs/heads/feature',
      'refs/heads/main',
      'refs/heads/old',
      'refs/heads/release/1.x',
      'refs/tags/light',
      'refs/tags/v1.0',
    ]);
    expect(await storedHead(world, 'backup')).toBe('refs/heads/main');

    // Upstream: main moves on, a branch is added, one deleted, one rewritten; a tag deleted, an annotated one added.
    await commitFile(world, upstream, 'b.txt', 'b\n');
    await world.git(['branch', 'new'], upstream);
    await world.git(['branch', '-D', 'old'], upstream);
    await world.git(['checkout', '-q', 'feature'], upstream);
    await commitFile(world, upstream, 'f.txt', 'rewritten\n');
    await world.git(['commit', '-q', '--amend', '-m', 'feature, rewritten'], upstream);
    await world.git(['checkout', '-q', 'main'], upstream);
    await world.git(['tag', '-d', 'light'], upstream);
    await world.git(['tag', '-a', 'v2.0', '-m', 'release 2.0'], upstream);
    const second = await backup('second run');
    expect(second['refs/heads/old']).toBeUndefined();
    expect(second['refs/tags/light']).toBeUndefined();
    expect(second['refs/tags/v2.0']).toBe((await world.git(['rev-parse', 'v2.0'], upstream)).trim());

    // Upstream: an annotated tag and a branch deleted, a nested branch and a lightweight tag added.
    await world.git(['tag', '-d', 'v1.0'], upstream);
    await world.git(['branch', '-D', 'feature'], upstream);
    await world.git(['branch', 'topic/x', 'new'], upstream);
    await world.git(['tag', 'v3'], upstream);
    const third = await backup('third run');
    expect(Object.keys(third).sort()).toEqual([
      'refs/heads/main',
      'refs/heads/new',
      'refs/heads/release/1.x',
      'refs/heads/topic/x',
      'refs/tags/v2.0',
      'refs/tags/v3',
    ]);

    // Nothing changed upstream: still a clean run.
    await backup('run with nothing to do');

    // The backup restores: a mirror clone of the remote has the same refs and a sound object store.
    await world.git(['clone', '-q', '--mirror', url, 'restored.git'], world.dir);
    const restored = join(world.dir, 'restored.git');
    expect(await localRefs(world, restored)).toEqual(third);
    await world.git(['fsck', '--no-dangling'], restored);
  });
});
