// The packs layout (git's own bare-repository layout) with real git against the real local server:
// chosen by `s3.layout packs` or amazon-s3://, detected from the bucket afterwards, incremental pushes and
// fetches, and concurrent pushers whose updates all survive the conditional ref-table commit.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverLacks, test, type World } from '@git-remote-s3/test-harness/context';
import { commitFile, layoutKeys, lsRemote, remoteKeys, repoWithRemote, requestLines } from '@git-remote-s3/test-harness/repo';
import { adminClient, allowAnonymousRead } from '@git-remote-s3/test-harness/server';
import { startThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { describe, expect } from 'vitest';

/** Scenes that need a bucket policy granting anonymous reads. */
const publicTest = test.skipIf(serverLacks('anonymousReadPolicy'));

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
    const keys = await layoutKeys(world, 'pk/repo');
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

  test('after a 50 MB history, one small commit uploads under 64 KB in all, and the matching fetch downloads under 64 KB', async ({
    world,
  }) => {
    const url = world.url('incr');
    const src = await packsRepo(world, 'src', url);
    for (let i = 0; i < 5; i++) {
      await writeFile(join(src, `big-${i}.bin`), randomBytes(10 * 1024 * 1024));
      await world.git(['add', `big-${i}.bin`], src);
      await world.git(['commit', '-q', '-m', `big ${i}`], src);
    }
    await world.git(['push', '-q', 'origin', 'main'], src);
    await world.git(['clone', '-q', url, 'copy'], world.dir);

    const proxy = await startThrottleProxy({ target: world.server.endpoint });
    try {
      const viaProxy = { env: { AWS_ENDPOINT_URL: proxy.endpoint } };
      await commitFile(world, src, 'small.txt', 'small\n');
      await world.git(['push', '-q', 'origin', 'main'], src, viaProxy);
      const pushed = { ...proxy.stats, byType: { ...proxy.stats.byType } };
      expect(pushed.up).toBeLessThan(64 * 1024);
      expect(pushed.up).toBeGreaterThan(0);
      expect(pushed.byType['UPLOAD-PART'] ?? 0).toBe(0);

      await world.git(['fetch', '-q', 'origin'], join(world.dir, 'copy'), viaProxy);
      expect(proxy.stats.down - pushed.down).toBeLessThan(64 * 1024);
    } finally {
      await proxy.close();
    }
    expect((await world.git(['rev-parse', 'origin/main'], join(world.dir, 'copy'))).trim()).toBe(
      (await world.git(['rev-parse', 'main'], src)).trim(),
    );
  });

  test('a repository fetches neither the pack it pushed itself nor its index', async ({ world }) => {
    const url = world.url('own');
    const src = await packsRepo(world, 'src', url);
    await writeFile(join(src, 'big.bin'), randomBytes(256 * 1024));
    await world.git(['add', 'big.bin'], src);
    await world.git(['commit', '-q', '-m', 'big'], src);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await world.git(['clone', '-q', url, 'rival'], world.dir);
    const rival = join(world.dir, 'rival');
    const theirs = await commitFile(world, rival, 'r.txt', 'rival\n');
    await world.git(['push', '-q', 'origin', 'main'], rival);

    const fetch = await world.run('git', ['fetch', 'origin'], { cwd: src, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(fetch.code, fetch.stderr).toBe(0);
    const gets = requestLines(fetch.stderr).filter((l) => /^s3: GET \S+\/objects\/pack\/pack-/.test(l));
    expect(gets, fetch.stderr).toHaveLength(1);
    expect(gets[0]).toMatch(/\.pack /);
    expect((await world.git(['rev-parse', 'origin/main'], src)).trim()).toBe(theirs);
  });

  test('a push whose ref table vanishes under it (migrated away) updates nothing and says so', async ({ world }) => {
    const url = world.url('vanish');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await writeFile(join(src, 'big.bin'), randomBytes(2 * 1024 * 1024));
    await world.git(['add', 'big.bin'], src);
    await world.git(['commit', '-q', '-m', 'big'], src);
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 512 * 1024 });
    try {
      const push = world.run('git', ['push', 'origin', 'main'], { cwd: src, env: { AWS_ENDPOINT_URL: proxy.endpoint } });
      // The table is read within the first moments; the 2 MB pack then takes about 4 s to go up.
      await new Promise((r) => setTimeout(r, 1500));
      await world.store.delete('vanish/info/refs');
      const result = await push;
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("the remote's ref table disappeared under this push");
    } finally {
      await proxy.close();
    }
    expect(await world.store.head('vanish/info/refs')).toBeUndefined();
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

  // Stores built on a file system (SeaweedFS) keep listing a "directory" after its last object is gone.
  test('a wiped remote is new again: the next push creates the configured layout, not the one it used to hold', async ({ world }) => {
    for (const [before, after] of [
      ['bundle', 'packs'],
      ['packs', 'bundle'],
    ] as const) {
      const prefix = `wiped-${before}`;
      const src = await repoWithRemote(world, `src-${before}`, world.url(prefix));
      await world.git(['config', 's3.layout', before], src);
      await world.git(['push', '-q', 'origin', 'main'], src);
      const keys = await remoteKeys(world, prefix);
      expect(keys).toContain(before === 'packs' ? `${prefix}/info/refs` : `${prefix}/HEAD`);
      await world.store.deleteMany(keys);
      expect(await remoteKeys(world, prefix)).toEqual([]);

      await world.git(['config', 's3.layout', after], src);
      await world.git(['push', '-q', 'origin', 'main'], src);
      const head = await world.store.getText(`${prefix}/HEAD`);
      expect(head?.text).toBe(after === 'packs' ? 'ref: refs/heads/main\n' : 'refs/heads/main');
      const now = await remoteKeys(world, prefix);
      expect(now.some((k) => k.endsWith('.bundle'))).toBe(after === 'bundle');
      expect(now.includes(`${prefix}/info/refs`)).toBe(after === 'packs');
    }
  });

  test('a HEAD of `ref: …` means packs to every client, even with bundle keys under refs/', async ({ world }) => {
    const url = world.url('mixed');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    await world.store.put(`mixed/refs/heads/stray/${sha}.bundle`, 'left by a bundle pusher racing a migration');
    // No s3.layout anywhere: this client expects the bundle layout, lists refs/, and still reads packs.
    expect([...(await lsRemote(world, url)).entries()]).toEqual([
      ['HEAD', sha],
      ['refs/heads/main', sha],
    ]);
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

  test('4 processes pushing to their own branches 10 times each: every push lands or is refused clearly, none is lost', async ({
    world,
  }) => {
    const url = world.url('many');
    const base = await packsRepo(world, 'base', url);
    await world.git(['push', '-q', 'origin', 'main'], base);
    const landed = new Map<string, string>();
    const refusals: string[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        await world.git(['clone', '-q', url, `p${i}`], world.dir);
        const dir = join(world.dir, `p${i}`);
        await world.git(['checkout', '-q', '-b', `b${i}`], dir);
        for (let round = 0; round < 10; round++) {
          const sha = await commitFile(world, dir, `f${i}.txt`, `${round}\n`);
          const r = await world.run('git', ['push', 'origin', `b${i}`], { cwd: dir });
          if (r.code === 0) landed.set(`refs/heads/b${i}`, sha);
          else refusals.push(r.stderr);
        }
      }),
    );
    for (const stderr of refusals) expect(stderr).toMatch(/\[remote rejected\] b\d -> b\d \(.+\)|\[rejected\]/);
    const refs = await lsRemote(world, url);
    for (const [ref, sha] of landed) expect(refs.get(ref)).toBe(sha);
    expect(landed.size).toBe(4);
  });
});

describe('a public packs remote', () => {
  publicTest('git clone over plain HTTP (dumb protocol, anonymous) gets every branch and tag', async ({ world }) => {
    const url = world.url('public/site.git');
    const src = await packsRepo(world, 'src', url);
    await world.git(['tag', '-a', 'v1', '-m', 'one'], src);
    await commitFile(world, src, 'two.txt', 'two\n');
    await world.git(['push', '-q', 'origin', 'main', 'main:side', 'v1'], src);
    await commitFile(world, src, 'three.txt', 'three\n');
    await world.git(['push', '-q', 'origin', 'main'], src);
    const admin = adminClient(world.server);
    try {
      await allowAnonymousRead(admin, world.bucket, 'public/site.git');
    } finally {
      admin.destroy();
    }
    const http = `${world.server.endpoint}/${world.bucket}/public/site.git`;
    const clone = await world.run('git', ['clone', http, 'plain'], {
      cwd: world.dir,
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(clone.code, clone.stderr).toBe(0);
    const plain = join(world.dir, 'plain');
    expect((await world.git(['rev-parse', 'HEAD'], plain)).trim()).toBe((await world.git(['rev-parse', 'main'], src)).trim());
    expect((await world.git(['rev-parse', 'origin/side'], plain)).trim()).toBe((await world.git(['rev-parse', 'main~1'], src)).trim());
    expect((await world.git(['cat-file', '-t', 'v1'], plain)).trim()).toBe('tag');
    await world.git(['fsck', '--no-progress'], plain);
  });

  test('acl=public in the properties file sends the public-read ACL with every object it writes', async ({ world }) => {
    await writeFile(
      join(world.home, '.public'),
      `accesskey: ${world.server.accessKeyId}\nsecretkey: ${world.server.secretAccessKey}\nacl: public\n`,
      { mode: 0o600 },
    );
    const url = `amazon-s3://.public@${world.bucket}/open.git`;
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['tag', 'v1'], src);
    const proxy = await startThrottleProxy({ target: world.server.endpoint });
    try {
      const env = { AWS_ENDPOINT_URL: proxy.endpoint, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
      await world.git(['push', '-q', 'origin', 'main', 'v1'], src, { env });
      await commitFile(world, src, 'b.txt', 'b\n');
      await world.git(['push', '-q', 'origin', 'main'], src, { env });
    } finally {
      await proxy.close();
    }
    const writes = proxy.stats.log.filter((r) => r.type === 'PUT' || r.type === 'CREATE-MULTIPART');
    // Two pushes: two packs with their indexes, the pack list, info/refs and packed-refs each time, and HEAD once.
    expect(writes.length).toBeGreaterThanOrEqual(11);
    expect(writes.filter((r) => r.acl !== 'public-read')).toEqual([]);
  });
});
