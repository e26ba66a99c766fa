// Partial clones of an s3 remote (`git clone --filter=blob:none`, `git fetch --filter`): not supported, so
// the helper says once that it fetches every object, and finishes. Its own presence checks in a partial clone
// would start git's lazy fetch, i.e. this helper again: a helper started that way refuses at once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, lsRemote, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

const WARNING = 'warning: s3 remotes do not support partial clones (--filter); fetching all objects';
/** Long enough for a loaded machine, far shorter than the hang this guards against. */
const TIMEOUT_MS = 60_000;

const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

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
    expect(count(cloned.stderr, WARNING)).toBe(1);
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
    expect(count(fetched.stderr, WARNING)).toBe(1);
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
