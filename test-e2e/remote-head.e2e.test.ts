// The remote's HEAD on both layouts (DESIGN §11): a push that leaves the remote with a branch and no HEAD
// writes one (create-only, never over another), in the layout's own form; a HEAD that names a deleted
// branch is reported by `git s3 doctor` with the command that repoints it, and that command fixes it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awslabsEnv, ensureAwslabs } from '@git-remote-s3/test-harness/awslabs';
import type { World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, storedHead, storedRefs, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { beforeAll, describe, expect } from 'vitest';

const gitS3 = (world: World, repo: string, args: readonly string[]) => world.run('git', ['s3', ...args], { cwd: repo });

/** A repository with main (one commit), a branch dev one commit further, dev checked out, and a tag v1 on main. */
async function repoWithDevAndTag(world: World, url: string): Promise<{ repo: string; dev: string }> {
  const repo = await repoWithRemote(world, 'src', url);
  await world.git(['tag', 'v1'], repo);
  await world.git(['checkout', '-q', '-b', 'dev'], repo);
  const dev = await commitFile(world, repo, 'dev.txt', 'dev\n');
  return { repo, dev };
}

describe.each(LAYOUTS)('the remote HEAD on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);
  const headText = (ref: string) => (layout === 'packs' ? `ref: ${ref}\n` : ref);

  test('a branch pushed after a tag-only first push becomes HEAD, and a fresh clone checks it out', async ({ world }) => {
    const url = world.url('tagfirst');
    const { repo, dev } = await repoWithDevAndTag(world, url);
    await world.git(['push', '-q', 'origin', 'v1'], repo);
    expect(await storedHead(world, 'tagfirst')).toBeUndefined();

    await world.git(['push', '-q', 'origin', 'dev'], repo);
    expect((await world.store.getText('tagfirst/HEAD'))?.text).toBe(headText('refs/heads/dev'));

    await world.git(['clone', '-q', url, 'copy'], world.dir);
    const copy = join(world.dir, 'copy');
    expect((await world.git(['symbolic-ref', 'HEAD'], copy)).trim()).toBe('refs/heads/dev');
    expect((await world.git(['rev-parse', 'HEAD'], copy)).trim()).toBe(dev);
    expect(await readFile(join(copy, 'dev.txt'), 'utf8')).toBe('dev\n');
  });

  test('a tag pushed to a remote that has branches but no HEAD writes HEAD naming main', async ({ world }) => {
    const url = world.url('headless');
    const { repo } = await repoWithDevAndTag(world, url);
    await world.git(['push', '-q', 'origin', 'main', 'dev'], repo);
    await world.store.delete('headless/HEAD'); // as a tool that writes no HEAD would leave it

    await world.git(['push', '-q', 'origin', 'v1'], repo);
    expect((await world.store.getText('headless/HEAD'))?.text).toBe(headText('refs/heads/main'));
  });

  test('a push never replaces a HEAD that exists', async ({ world }) => {
    const url = world.url('kept');
    const { repo } = await repoWithDevAndTag(world, url);
    await world.git(['push', '-q', 'origin', 'main'], repo);
    expect(await storedHead(world, 'kept')).toBe('refs/heads/main');
    await world.git(['push', '-q', 'origin', 'dev', 'v1'], repo);
    expect((await world.store.getText('kept/HEAD'))?.text).toBe(headText('refs/heads/main'));
  });

  test('doctor reports a HEAD naming a deleted branch with the command that repoints it, and that command fixes it', async ({ world }) => {
    const url = world.url('dangling');
    const { repo } = await repoWithDevAndTag(world, url);
    await world.git(['push', '-q', 'origin', 'dev', 'main'], repo);
    expect(await storedHead(world, 'dangling')).toBe('refs/heads/dev');
    await world.git(['push', '-q', 'origin', ':dev'], repo);
    expect(await storedHead(world, 'dangling')).toBe('refs/heads/dev');

    const report = await gitS3(world, repo, ['doctor', 'origin']);
    expect(report.code).toBe(1);
    const repoint = `git s3 doctor --set-head main ${url}`;
    const lines = report.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('problem: ') && l.includes('refs/heads/dev'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes(`run '${repoint}'`))).toHaveLength(1);

    const fixed = await gitS3(world, repo, repoint.split(' ').slice(2));
    expect(fixed.stdout).toContain('done: HEAD now names refs/heads/main');
    expect(fixed.code).toBe(0);
    expect((await world.store.getText('dangling/HEAD'))?.text).toBe(headText('refs/heads/main'));
    const clean = await gitS3(world, repo, ['doctor', 'origin']);
    expect(clean.stdout).toContain('doctor: no problems found');
    expect(clean.code).toBe(0);
  });
});

describe('the remote HEAD on the bundle layout', () => {
  const test = testOnLayout('bundle');
  beforeAll(async () => {
    await ensureAwslabs();
  }, 300_000);

  test("is the branch the Python tool's clone checks out after a tag-only first push", async ({ world }) => {
    const url = world.url('python');
    const { repo, dev } = await repoWithDevAndTag(world, url);
    await world.git(['push', '-q', 'origin', 'v1'], repo);
    await world.git(['push', '-q', 'origin', 'dev'], repo);

    await world.git(['clone', '-q', url, 'py-copy'], world.dir, { env: awslabsEnv(world.env) });
    const copy = join(world.dir, 'py-copy');
    expect((await world.git(['symbolic-ref', 'HEAD'], copy)).trim()).toBe('refs/heads/dev');
    expect((await world.git(['rev-parse', 'HEAD'], copy)).trim()).toBe(dev);
  });

  test('is the plain ref name the Python tool reads, on s3+zip too, after a tag-only first push', async ({ world }) => {
    const url = world.url('zip', 's3+zip');
    const { repo, dev } = await repoWithDevAndTag(world, url);
    await world.git(['push', '-q', 'origin', 'v1'], repo);
    await world.git(['push', '-q', 'origin', 'dev'], repo);
    expect((await world.store.getText('zip/HEAD'))?.text).toBe('refs/heads/dev');
    expect(await storedRefs(world, 'zip')).toMatchObject({ 'refs/heads/dev': dev });
    expect(await world.store.head('zip/refs/heads/dev/repo.zip')).toBeDefined();
  });
});
