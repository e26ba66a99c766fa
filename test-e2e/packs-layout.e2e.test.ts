// The packs layout (git's own bare-repository layout) with real git against the real local server:
// chosen by `s3.layout packs` or amazon-s3://, detected from the bucket afterwards, incremental pushes and
// fetches, and concurrent pushers whose updates all survive the conditional ref-table commit.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test, type World } from './harness/context.js';
import { commitFile, lsRemote, remoteKeys, repoWithRemote, requestLines } from './harness/repo.js';

async function packsRepo(world: World, name: string, url: string): Promise<string> {
  const repo = await repoWithRemote(world, name, url);
  await world.git(['config', 's3.layout', 'packs'], repo);
  return repo;
}

describe('the packs layout', () => {
  test('a first push writes git layout keys; branches and annotated tags clone back', async ({ world }) => {
    const url = world.url('pk/repo');
    const src = await packsRepo(world, 'src', url);
    await world.git(['tag', '-a', 'v1', '-m', 'one'], src);
    await world.git(['push', 'origin', 'main', 'v1'], src);
    const keys = await remoteKeys(world, 'pk/repo');
    expect(keys.filter((k) => !k.includes('/objects/pack/'))).toEqual([
      'pk/repo/HEAD',
      'pk/repo/info/refs',
      'pk/repo/objects/info/packs',
      'pk/repo/packed-refs',
    ]);
    expect(keys.filter((k) => k.endsWith('.pack'))).toHaveLength(1);
    expect((await world.store.getText('pk/repo/HEAD'))?.text).toBe('ref: refs/heads/main\n');
    const tag = (await world.git(['rev-parse', 'v1'], src)).trim();
    const commit = (await world.git(['rev-parse', 'main'], src)).trim();
    expect((await world.store.getText('pk/repo/info/refs'))?.text).toBe(
      `${commit}\trefs/heads/main\n${tag}\trefs/tags/v1\n${commit}\trefs/tags/v1^{}\n`,
    );

    await world.git(['clone', '-q', url, 'copy'], world.dir);
    const copy = join(world.dir, 'copy');
    expect((await world.git(['rev-parse', 'HEAD'], copy)).trim()).toBe(commit);
    expect((await world.git(['cat-file', '-t', 'v1'], copy)).trim()).toBe('tag');
  });

  test('pushing one small commit on a large history uploads a small pack, and the fetch downloads only it', async ({ world }) => {
    const url = world.url('incr');
    const src = await packsRepo(world, 'src', url);
    const { randomBytes } = await import('node:crypto');
    await writeFile(join(src, 'big.bin'), randomBytes(5 * 1024 * 1024));
    await world.git(['add', 'big.bin'], src);
    await world.git(['commit', '-q', '-m', 'big'], src);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await world.git(['clone', '-q', url, 'copy'], world.dir);

    await commitFile(world, src, 'small.txt', 'small\n');
    const push = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(push.code, push.stderr).toBe(0);
    const packs = (await world.store.list('incr/objects/pack/')).objects.filter((o) => o.key.endsWith('.pack'));
    expect(packs).toHaveLength(2);
    expect(Math.min(...packs.map((p) => p.size))).toBeLessThan(64 * 1024);

    const fetch = await world.run('git', ['fetch', 'origin'], { cwd: join(world.dir, 'copy'), env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(fetch.code, fetch.stderr).toBe(0);
    const packGets = requestLines(fetch.stderr).filter((l) => l.startsWith('s3: GET') && l.includes('.pack'));
    expect(packGets).toHaveLength(1);
    expect((await world.git(['rev-parse', 'origin/main'], join(world.dir, 'copy'))).trim()).toBe(
      (await world.git(['rev-parse', 'main'], src)).trim(),
    );
  });

  test('non-fast-forward is refused, --force and deletes work, --force-with-lease is enforced', async ({ world }) => {
    const url = world.url('rules');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main', 'main:side'], src);
    const original = (await world.git(['rev-parse', 'main'], src)).trim();
    await world.git(['commit', '-q', '--amend', '-m', 'rewritten'], src);
    const refused = await world.run('git', ['push', 'origin', 'main'], { cwd: src });
    expect(refused.stderr).toContain('(non-fast-forward)');
    expect((await lsRemote(world, url)).get('refs/heads/main')).toBe(original);
    const stale = await world.run('git', ['push', '--force-with-lease=main:0123456789012345678901234567890123456789', 'origin', 'main'], {
      cwd: src,
    });
    expect(stale.stderr).toContain('(stale info)');
    await world.git(['push', '-q', '--force', 'origin', 'main', ':side'], src);
    const refs = await lsRemote(world, url);
    expect(refs.get('refs/heads/main')).toBe((await world.git(['rev-parse', 'main'], src)).trim());
    expect(refs.has('refs/heads/side')).toBe(false);
  });

  test('the layout of an existing remote comes from the bucket, whatever git config says', async ({ world }) => {
    const url = world.url('detect');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await world.git(['config', 's3.layout', 'bundle'], src);
    await commitFile(world, src, 'x.txt', 'x\n');
    await world.git(['push', '-q', 'origin', 'main'], src);
    const keys = await remoteKeys(world, 'detect');
    expect(keys.some((k) => k.endsWith('.bundle'))).toBe(false);
    expect(keys.filter((k) => k.endsWith('.pack'))).toHaveLength(2);
  });

  test('amazon-s3:// with a properties file uses the packs layout', async ({ world }) => {
    await writeFile(
      join(world.home, '.jgit_s3_test'),
      `accesskey: ${world.server.accessKeyId}\nsecretkey: ${world.server.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    const url = `amazon-s3://.jgit_s3_test@${world.bucket}/projects/scratch.git`;
    const src = await repoWithRemote(world, 'src', url);
    const push = await world.run('git', ['push', 'origin', 'main'], {
      cwd: src,
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(push.code, push.stderr).toBe(0);
    expect((await world.store.getText('projects/scratch.git/HEAD'))?.text).toBe('ref: refs/heads/main\n');
    await world.git(['clone', '-q', url, 'copy'], world.dir, { env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });
  });

  test('concurrent pushers to different branches all land in the ref table', async ({ world }) => {
    const url = world.url('many');
    const base = await packsRepo(world, 'base', url);
    await world.git(['push', '-q', 'origin', 'main'], base);
    const clones = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        await world.git(['clone', '-q', url, `p${i}`], world.dir);
        const dir = join(world.dir, `p${i}`);
        await world.git(['checkout', '-q', '-b', `b${i}`], dir);
        return dir;
      }),
    );
    const expected = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        clones.map(async (dir, i) => {
          const sha = await commitFile(world, dir, `f${i}.txt`, `${round}\n`);
          const r = await world.run('git', ['push', 'origin', `b${i}`], { cwd: dir });
          if (r.code === 0) expected.set(`refs/heads/b${i}`, sha);
          return r;
        }),
      );
      for (const r of results) expect(r.code === 0 || /remote rejected|rejected/.test(r.stderr), r.stderr).toBe(true);
    }
    const refs = await lsRemote(world, url);
    for (const [ref, sha] of expected) expect(refs.get(ref)).toBe(sha);
    expect(expected.size).toBe(4);
  });
});
