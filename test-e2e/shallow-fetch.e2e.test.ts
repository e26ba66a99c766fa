// Shallow fetches from an s3 remote (`git clone --depth`, `git fetch --depth`, `--shallow-since`,
// `--shallow-exclude`): not supported yet, so the helper says on stderr, once, that it fetches the full
// history, and the result is a complete, working repository rather than a silently different one.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

const WARNING = 'warning: s3 remotes do not support shallow fetches; fetching full history';
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
    expect(count(cloned.stderr, WARNING)).toBe(1);

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
    expect(count(fetched.stderr, WARNING)).toBe(1);
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
      expect(fetched.stderr).not.toContain(WARNING);
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
