// A branch names a commit (git's own ref store insists): a tree, blob or annotated tag pushed to a branch is
// refused by the helper on both layouts before anything is uploaded, while the other refs of the push land.

import { LAYOUTS, type LayoutName, storedRefs, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { repoWithRemote } from '@git-remote-s3/test-harness/repo';
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
