// Pushes that would leave the remote holding what git itself would never hold are refused by the helper
// before any upload, on both layouts: a branch naming a tree, blob or annotated tag (git's own ref store
// insists on a commit; a tag may name any object), a ref that is a path prefix of another (`feature` and
// `feature/login`: nobody could clone the remote), and objects of another hash algorithm than the remote's.
// The other refs of such a push still land, and a push that renames `feature` to `feature/login` in one go is
// no such push.

import { join } from 'node:path';
import type { World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, storedRefs, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, readObject, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

describe.each(LAYOUTS)('a push of a non-commit object to a branch on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('is refused in git words, writes nothing for it, and does not hide the other refs of the push', async ({ world }) => {
    const url = world.url('nc');
    const repo = await repoWithRemote(world, 'src', url);
    await world.git(['tag', '-a', '-m', 'release', 'v1'], repo);
    const main = (await world.git(['rev-parse', 'main'], repo)).trim();
    const tree = (await world.git(['rev-parse', 'main^{tree}'], repo)).trim();
    const blob = (await world.git(['rev-parse', 'main:README'], repo)).trim();
    const tag = (await world.git(['rev-parse', 'v1'], repo)).trim();

    const result = await world.run('git', ['push', 'origin', 'main', `${tree}:refs/heads/t`, `${blob}:refs/heads/b`, 'v1:refs/heads/x'], {
      cwd: repo,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`(trying to write non-commit object ${tree} to branch 'refs/heads/t')`);
    expect(result.stderr).toContain(`(trying to write non-commit object ${blob} to branch 'refs/heads/b')`);
    expect(result.stderr).toContain(`(trying to write non-commit object ${tag} to branch 'refs/heads/x')`);
    expect(result.stderr).not.toContain('this is a bug');
    expect(await storedRefs(world, 'nc')).toEqual({ 'refs/heads/main': main });

    // A tag may name any object: git allows it, and so does the remote.
    await world.git(['push', '-q', 'origin', `${tree}:refs/tags/tree-tag`], repo);
    expect((await storedRefs(world, 'nc'))['refs/tags/tree-tag']).toBe(tree);
  });
});

/** The refs of `repo` as ref → id (what a mirror push should leave on the remote). */
async function localRefs(world: World, repo: string): Promise<Record<string, string>> {
  const out = await world.git(['for-each-ref', '--format=%(refname) %(objectname)'], repo);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string]),
  );
}

/** A fresh clone of `url` succeeds and checks out `main` at `sha`. */
async function expectClones(world: World, url: string, name: string, sha: string): Promise<void> {
  await world.git(['clone', '-q', url, name], world.dir);
  expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, name))).trim()).toBe(sha);
}

describe.each(LAYOUTS)('a push that would make the remote unclonable, on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test("refuses a ref below an existing one and the reverse, in git's words, writes nothing, and the remote still clones", async ({
    world,
  }) => {
    const url = world.url('dirfile');
    const a = await repoWithRemote(world, 'a', url);
    const main = (await world.git(['rev-parse', 'main'], a)).trim();
    await world.git(['push', '-q', 'origin', 'main', 'HEAD:refs/heads/feature', 'HEAD:refs/heads/x/y'], a);
    const before = await remoteKeys(world, 'dirfile');

    await world.git(['clone', '-q', url, 'b'], world.dir);
    const b = join(world.dir, 'b');
    const below = await world.run('git', ['push', 'origin', 'HEAD:refs/heads/feature/login'], { cwd: b });
    expect(below.code).toBe(1);
    expect(below.stderr).toContain(
      "(cannot lock ref 'refs/heads/feature/login': 'refs/heads/feature' exists; cannot create 'refs/heads/feature/login')",
    );
    const above = await world.run('git', ['push', 'origin', 'HEAD:refs/heads/x'], { cwd: b });
    expect(above.code).toBe(1);
    expect(above.stderr).toContain("(cannot lock ref 'refs/heads/x': 'refs/heads/x/y' exists; cannot create 'refs/heads/x')");

    expect(await remoteKeys(world, 'dirfile')).toEqual(before);
    expect(await storedRefs(world, 'dirfile')).toEqual({ 'refs/heads/main': main, 'refs/heads/feature': main, 'refs/heads/x/y': main });
    await expectClones(world, url, 'c', main);
    await world.git(['fetch', '-q', 'origin'], b);
  });

  test('lets a mirror push rename feature to feature/login in one push, and the remote equals the mirror', async ({ world }) => {
    const url = world.url('rename');
    const upstream = await repoWithRemote(world, 'up', url);
    await world.git(['branch', 'feature'], upstream);
    await world.git(['clone', '-q', '--mirror', upstream, 'm.git'], world.dir);
    const mirror = join(world.dir, 'm.git');
    await world.git(['remote', 'set-url', '--push', 'origin', url], mirror);
    await world.git(['push', '-q', '--mirror'], mirror);

    await commitFile(world, upstream, 'login.txt', 'login\n');
    await world.git(['branch', '-m', 'feature', 'feature/login'], upstream);
    await world.git(['branch', '-f', 'feature/login', 'main'], upstream);
    await world.git(['remote', 'update', '--prune'], mirror);
    const pushed = await world.run('git', ['push', '--mirror'], { cwd: mirror });
    expect(pushed.code, pushed.stderr).toBe(0);
    const expected = await localRefs(world, mirror);
    expect(Object.keys(expected).sort()).toEqual(['refs/heads/feature/login', 'refs/heads/main']);
    expect(await storedRefs(world, 'rename')).toEqual(expected);
    await expectClones(world, url, 'c', expected['refs/heads/main'] ?? '');
  });

  test.for([
    ['sha256', 'sha1'],
    ['sha1', 'sha256'],
  ] as const)(
    'refuses a %s repository pushing into a %s remote, writes nothing, and the remote still clones',
    async ([client, server], { world }) => {
      const url = world.url('format');
      const owner = await repoWithRemote(world, 'owner', url, { objectFormat: server });
      const main = (await world.git(['rev-parse', 'main'], owner)).trim();
      await world.git(['push', '-q', 'origin', 'main'], owner);
      const before = await remoteKeys(world, 'format');

      const other = await repoWithRemote(world, 'other', url, { objectFormat: client });
      const pushed = await world.run('git', ['push', 'origin', 'main:refs/heads/other', '+main:refs/heads/main'], { cwd: other });
      expect(pushed.code).not.toBe(0);
      const why = `mismatched algorithms: client ${client}; server ${server}; push from a ${server} repository, or push this one to a new, empty remote`;
      expect(pushed.stderr).toContain(`! [remote rejected] main -> other (${why})`);
      expect(pushed.stderr).toContain(`! [remote rejected] main -> main (${why})`);

      expect(await remoteKeys(world, 'format')).toEqual(before);
      await expectClones(world, url, 'c', main);
    },
  );

  test('doctor names a conflict already in the bucket and the push that deletes one; after that push the remote clones', async ({
    world,
  }) => {
    const url = world.url('dirdoc');
    const repo = await repoWithRemote(world, 'a', url);
    const main = (await world.git(['rev-parse', 'main'], repo)).trim();
    await world.git(['push', '-q', 'origin', 'main', 'HEAD:refs/heads/feature'], repo);
    // What an older version let through: feature/login beside feature.
    if (layout === 'bundle') {
      const bundle = await readObject(world, `dirdoc/refs/heads/feature/${main}.bundle`);
      await world.store.put(`dirdoc/refs/heads/feature/login/${main}.bundle`, bundle);
    } else {
      const table = (await world.store.getText('dirdoc/info/refs'))?.text ?? '';
      const lines = [...table.trim().split('\n'), `${main}\trefs/heads/feature/login`].sort((x, y) =>
        (x.split('\t')[1] ?? '') < (y.split('\t')[1] ?? '') ? -1 : 1,
      );
      await world.store.put('dirdoc/info/refs', `${lines.join('\n')}\n`);
    }
    expect((await world.run('git', ['clone', '-q', url, 'broken'], { cwd: world.dir })).code).not.toBe(0);

    const doctor = await world.run('git', ['s3', 'doctor', url], { cwd: world.dir });
    expect(doctor.code).not.toBe(0);
    const report = doctor.stdout + doctor.stderr;
    expect(report).toContain(
      'problem: refs/heads/feature and refs/heads/feature/login both exist: git cannot hold both, so every clone and fetch of this remote fails',
    );
    expect(report).toContain(
      `hint: delete one of them: 'git push ${url} :refs/heads/feature/login' or 'git push ${url} :refs/heads/feature'`,
    );

    await world.git(['push', '-q', url, ':refs/heads/feature/login'], repo);
    expect(await storedRefs(world, 'dirdoc')).toEqual({ 'refs/heads/main': main, 'refs/heads/feature': main });
    await expectClones(world, url, 'c', main);
  });
});
