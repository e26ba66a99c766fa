// `git s3 migrate` against the real S3 server with real git: a repository converted bundle → packs → bundle
// keeps every ref, its default branch and its protected branch, leaves no key of the old layout, and takes
// pushes afterwards; a locked remote is refused untouched; pushes during a migration are refused or make it
// stop with the remote as it was; an empty or already converted remote is only talked about.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awslabsEnv, ensureAwslabs } from '@git-remote-s3/test-harness/awslabs';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { commitFile, lsRemote, readObject, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { startThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { beforeAll, describe, expect } from 'vitest';

beforeAll(async () => {
  await ensureAwslabs();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const gitS3 = (world: World, cwd: string, args: readonly string[], env?: Record<string, string | undefined>) =>
  world.run('git', ['s3', ...args], { cwd, ...(env ? { env } : {}) });

const isBundleKey = (prefix: string) => (key: string) => key.startsWith(`${prefix}/refs/`);
const isPacksKey = (prefix: string) => (key: string) =>
  key.startsWith(`${prefix}/info/`) || key.startsWith(`${prefix}/objects/`) || key === `${prefix}/packed-refs`;

/**
 * A bundle-layout remote with branches main, dev (the default) and feature/x, a lightweight tag v1 and an
 * annotated tag v2, and main protected; returns the pushing repository.
 */
async function richBundleRemote(world: World, prefix: string): Promise<string> {
  const src = await repoWithRemote(world, 'src', world.url(prefix));
  await world.git(['tag', 'v1'], src);
  await world.git(['checkout', '-q', '-b', 'dev'], src);
  await commitFile(world, src, 'dev.txt', 'dev\n');
  await world.git(['tag', '-a', 'v2', '-m', 'release two'], src);
  await world.git(['checkout', '-q', '-b', 'feature/x'], src);
  await commitFile(world, src, 'x.txt', 'x\n');
  await world.git(['checkout', '-q', 'dev'], src);
  // The first push names the pushing repository's current branch, dev, as the remote's HEAD.
  await world.git(['push', '-q', 'origin', 'main', 'dev', 'feature/x', 'v1', 'v2'], src);
  const protect = await gitS3(world, src, ['protect', 'origin', 'main']);
  expect(protect.code, protect.stderr).toBe(0);
  return src;
}

/** A fresh clone checks out dev, has the annotated tag as a tag object, and cannot force-push main. */
async function expectCloneBehaves(world: World, url: string, name: string): Promise<void> {
  await world.git(['clone', '-q', url, name], world.dir);
  const copy = join(world.dir, name);
  expect((await world.git(['symbolic-ref', 'HEAD'], copy)).trim()).toBe('refs/heads/dev');
  expect((await world.git(['cat-file', '-t', 'v2'], copy)).trim()).toBe('tag');
  await world.git(['checkout', '-q', 'main'], copy);
  await world.git(['commit', '-q', '--amend', '-m', 'rewritten'], copy);
  const forced = await world.run('git', ['push', '--force', 'origin', 'main'], { cwd: copy });
  expect(forced.code).not.toBe(0);
  expect(forced.stderr).toContain('branch main is protected: refusing to force push it');
}

describe('git s3 migrate', () => {
  test('bundle → packs → bundle keeps every ref, HEAD and protection, removes the old layout, and pushes work after each step', async ({
    world,
  }) => {
    const prefix = 'mig/repo';
    const url = world.url(prefix);
    const src = await richBundleRemote(world, prefix);
    const refs = await lsRemote(world, url);
    expect([...refs.keys()].sort()).toEqual([
      'HEAD',
      'refs/heads/dev',
      'refs/heads/feature/x',
      'refs/heads/main',
      'refs/tags/v1',
      'refs/tags/v2',
    ]);

    const toPacks = await gitS3(world, src, ['migrate', 'origin', '--to', 'packs']);
    expect(toPacks.code, toPacks.stderr).toBe(0);
    expect(toPacks.stderr).toBe('');
    expect(toPacks.stdout).toContain(`migrating ${url} from the bundle layout to the packs layout\n`);
    expect(toPacks.stdout).toMatch(/\nmigrated 5 refs of .* to the packs layout: .* written, 6 keys of the old layout deleted\n/);
    expect(toPacks.stdout).toContain('set remote.origin.s3layout to packs in this repository\n');
    expect(await lsRemote(world, url)).toEqual(refs);
    const packsKeys = await remoteKeys(world, prefix);
    expect(packsKeys.filter(isBundleKey(prefix))).toEqual([]);
    expect((await world.store.getText(`${prefix}/HEAD`))?.text).toBe('ref: refs/heads/dev\n');
    expect((await world.store.getText(`${prefix}/info/s3-protected`))?.text).toBe('refs/heads/main\n');
    const dev = refs.get('refs/heads/dev');
    expect((await world.store.getText(`${prefix}/info/refs`))?.text).toContain(
      `${refs.get('refs/tags/v2')}\trefs/tags/v2\n${dev}\trefs/tags/v2^{}\n`,
    );
    expect((await world.git(['config', 'remote.origin.s3layout'], src)).trim()).toBe('packs');
    await expectCloneBehaves(world, url, 'after-packs');

    const next = await commitFile(world, src, 'more.txt', 'more\n');
    await world.git(['push', '-q', 'origin', 'dev'], src);
    const pushed = new Map(refs).set('refs/heads/dev', next).set('HEAD', next);
    expect(await lsRemote(world, url)).toEqual(pushed);
    expect((await remoteKeys(world, prefix)).filter((k) => k.endsWith('.pack'))).toHaveLength(2);

    const toBundle = await gitS3(world, src, ['migrate', 'origin', '--to', 'bundle']);
    expect(toBundle.code, toBundle.stderr).toBe(0);
    expect(toBundle.stdout).toMatch(/\nmigrated 5 refs of .* to the bundle layout: .* written, \d+ keys of the old layout deleted\n/);
    expect(await lsRemote(world, url)).toEqual(pushed);
    const bundleKeys = await remoteKeys(world, prefix);
    expect(bundleKeys.filter(isPacksKey(prefix))).toEqual([]);
    expect(bundleKeys.filter((k) => k.endsWith('.bundle'))).toHaveLength(5);
    expect(bundleKeys).toContain(`${prefix}/refs/heads/main/PROTECTED#`);
    expect(bundleKeys.some((k) => k.endsWith('LOCK#.lock'))).toBe(false);
    expect((await world.store.getText(`${prefix}/HEAD`))?.text).toBe('refs/heads/dev');
    expect((await world.git(['config', 'remote.origin.s3layout'], src)).trim()).toBe('bundle');
    await expectCloneBehaves(world, url, 'after-bundle');

    const last = await commitFile(world, src, 'last.txt', 'last\n');
    await world.git(['push', '-q', 'origin', 'dev'], src);
    expect((await lsRemote(world, url)).get('refs/heads/dev')).toBe(last);
  });

  test('the bundles it writes are read by the Python awslabs tool', async ({ world }) => {
    const prefix = 'py';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['config', 's3.layout', 'packs'], src);
    await world.git(['tag', '-a', 'v1', '-m', 'one'], src);
    await world.git(['push', '-q', 'origin', 'main', 'v1'], src);
    const migrated = await gitS3(world, src, ['migrate', 'origin', '--to', 'bundle']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const clone = await world.run('git', ['clone', '-q', url, 'py-copy'], { cwd: world.dir, env: awslabsEnv(world.env) });
    expect(clone.code, clone.stderr).toBe(0);
    const copy = join(world.dir, 'py-copy');
    expect((await world.git(['rev-parse', 'HEAD'], copy)).trim()).toBe((await world.git(['rev-parse', 'main'], src)).trim());
    expect((await world.git(['cat-file', '-t', 'v1'], copy)).trim()).toBe('tag');
  });

  test('a SHA-256 repository on an s3+zip:// remote round-trips, with v3 bundles and repo.zip as a push writes them', async ({ world }) => {
    const prefix = 'sha256';
    const url = world.url(prefix, 's3+zip');
    const src = await repoWithRemote(world, 'src', url, { objectFormat: 'sha256' });
    await world.git(['push', '-q', 'origin', 'main'], src);
    const refs = await lsRemote(world, url);
    const main = refs.get('refs/heads/main') ?? '';
    expect(main).toHaveLength(64);

    // Through its s3+zip url the remote keeps the bundle layout CodePipeline reads; through s3:// it moves.
    const refused = await gitS3(world, src, ['migrate', 'origin', '--to', 'packs']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('s3+zip:// remotes keep the bundle layout');
    const toPacks = await gitS3(world, src, ['migrate', world.url(prefix), '--to', 'packs']);
    expect(toPacks.code, toPacks.stderr).toBe(0);
    expect(await lsRemote(world, url)).toEqual(refs);
    expect((await remoteKeys(world, prefix)).filter(isBundleKey(prefix))).toEqual([]);

    const toBundle = await gitS3(world, src, ['migrate', 'origin', '--to', 'bundle']);
    expect(toBundle.code, toBundle.stderr).toBe(0);
    expect(await lsRemote(world, url)).toEqual(refs);
    const bundle = (await readObject(world, `${prefix}/refs/heads/main/${main}.bundle`)).subarray(0, 40).toString('latin1');
    expect(bundle).toMatch(/^# v3 git bundle\n@object-format=sha256\n/);
    const zip = await world.store.head(`${prefix}/refs/heads/main/repo.zip`);
    expect(zip?.metadata['codepipeline-artifact-revision-summary']).toMatch(/ initial commit$/);
  });

  test('a branch protected with `git s3 protect` on a packs remote stays protected through both migrations', async ({ world }) => {
    const prefix = 'marked';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['config', 's3.layout', 'packs'], src);
    await world.git(['push', '-q', 'origin', 'main'], src);
    expect((await gitS3(world, src, ['protect', 'origin', 'main'])).code).toBe(0);
    const forcePushRefused = async (name: string) => {
      await world.git(['clone', '-q', url, name], world.dir);
      const copy = join(world.dir, name);
      await world.git(['commit', '-q', '--amend', '-m', 'rewritten'], copy);
      const forced = await world.run('git', ['push', '--force', 'origin', 'main'], { cwd: copy });
      expect(forced.stderr).toContain('branch main is protected');
    };

    expect((await gitS3(world, src, ['migrate', 'origin', '--to', 'bundle'])).code).toBe(0);
    expect(await remoteKeys(world, prefix)).toContain(`${prefix}/refs/heads/main/PROTECTED#`);
    await forcePushRefused('as-bundle');
    expect((await gitS3(world, src, ['migrate', 'origin', '--to', 'packs'])).code).toBe(0);
    expect((await world.store.getText(`${prefix}/info/s3-protected`))?.text).toBe('refs/heads/main\n');
    await forcePushRefused('as-packs');
  });

  test('refuses a remote with a locked ref and changes nothing; a stale lock is sent to doctor', async ({ world }) => {
    const prefix = 'locked';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    const lockKey = `${prefix}/refs/heads/main/LOCK#.lock`;
    await world.store.put(lockKey, '{"held":"by a pusher"}\n', { ifNoneMatch: '*' });
    const before = await remoteKeys(world, prefix);

    const live = await gitS3(world, src, ['migrate', 'origin', '--to', 'packs']);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(
      new RegExp(
        `^error: cannot migrate ${url}: ref refs/heads/main is locked by a push in progress \\(s3://${world.bucket}/${prefix}/refs/heads/main/LOCK#\\.lock, \\d+s old\\); retry when it has finished\\n$`,
      ),
    );
    expect(await remoteKeys(world, prefix)).toEqual(before);
    expect((await world.git(['config', '--default', 'unset', 'remote.origin.s3layout'], src)).trim()).toBe('unset');

    await sleep(2100);
    const stale = await gitS3(world, src, ['migrate', 'origin', '--to', 'packs'], { GIT_REMOTE_S3_LOCK_TTL: '1' });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`has a stale lock (s3://${world.bucket}/${lockKey}`);
    expect(stale.stderr).toContain(`run 'git s3 doctor --delete-stale-locks ${url}', then retry`);
    expect(await remoteKeys(world, prefix)).toEqual(before);
  });

  test('during a migration a push to an existing ref is refused as locked, and a push of a new ref makes it stop with the remote as it was', async ({
    world,
  }) => {
    const prefix = 'racing';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    await writeFile(join(src, 'big.bin'), randomBytes(3 * 1024 * 1024));
    await world.git(['add', 'big.bin'], src);
    await world.git(['commit', '-q', '-m', 'big'], src);
    await world.git(['push', '-q', 'origin', 'main'], src);
    const before = await lsRemote(world, url);
    // The migration talks to the server through a slow link, so that it is still under way when the pushes run.
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 512 * 1024 });
    try {
      const migration = gitS3(world, src, ['migrate', 'origin', '--to', 'packs'], { AWS_ENDPOINT_URL: proxy.endpoint });
      for (let i = 0; !(await world.store.head(`${prefix}/refs/heads/main/LOCK#.lock`)); i++) {
        expect(i, 'the migration to take the lock of main').toBeLessThan(300);
        await sleep(100);
      }
      await commitFile(world, src, 'late.txt', 'late\n');
      const locked = await world.run('git', ['push', 'origin', 'main'], { cwd: src });
      expect(locked.code).not.toBe(0);
      expect(locked.stderr).toContain('ref refs/heads/main is locked by another push');
      await world.git(['checkout', '-q', '--orphan', 'late'], src);
      await world.git(['commit', '-q', '-m', 'a new branch'], src);
      await world.git(['push', '-q', 'origin', 'late'], src);

      const result = await migration;
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `error: migration of ${url} to the packs layout aborted: a push of refs/heads/late landed in the bundle layout during the migration; the remote is unchanged (what was written is removed), run it again\n`,
      );
    } finally {
      await proxy.close();
    }
    const keys = await remoteKeys(world, prefix);
    expect(keys.filter(isPacksKey(prefix))).toEqual([]);
    expect(keys.some((k) => k.endsWith('LOCK#.lock'))).toBe(false);
    expect((await world.store.getText(`${prefix}/HEAD`))?.text).toBe('refs/heads/main');
    const after = await lsRemote(world, url);
    expect(after.get('refs/heads/main')).toBe(before.get('refs/heads/main'));
    expect(after.has('refs/heads/late')).toBe(true);

    const again = await gitS3(world, src, ['migrate', 'origin', '--to', 'packs']);
    expect(again.code, again.stderr).toBe(0);
    expect(await lsRemote(world, url)).toEqual(after);
  });

  test('a push to the packs layout during a migration to bundle makes it stop: the push stays, no bundle is left', async ({ world }) => {
    const prefix = 'sealed';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['config', 's3.layout', 'packs'], src);
    await writeFile(join(src, 'big.bin'), randomBytes(3 * 1024 * 1024));
    await world.git(['add', 'big.bin'], src);
    await world.git(['commit', '-q', '-m', 'big'], src);
    await world.git(['push', '-q', 'origin', 'main'], src);
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 512 * 1024 });
    let pushed: string;
    try {
      const migration = gitS3(world, src, ['migrate', 'origin', '--to', 'bundle'], { AWS_ENDPOINT_URL: proxy.endpoint });
      // The bundle of main is written under main's lock: once it is there, the target is being written.
      for (let i = 0; !(await world.store.head(`${prefix}/refs/heads/main/LOCK#.lock`)); i++) {
        expect(i, 'the migration to take the lock of main').toBeLessThan(300);
        await sleep(100);
      }
      pushed = await commitFile(world, src, 'late.txt', 'late\n');
      await world.git(['push', '-q', 'origin', 'main'], src);

      const result = await migration;
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `error: migration of ${url} to the bundle layout aborted: a push landed in the packs layout during the migration; the remote is unchanged (what was written is removed), run it again\n`,
      );
    } finally {
      await proxy.close();
    }
    const keys = await remoteKeys(world, prefix);
    expect(keys.filter(isBundleKey(prefix))).toEqual([]);
    expect((await world.store.getText(`${prefix}/HEAD`))?.text).toBe('ref: refs/heads/main\n');
    expect((await lsRemote(world, url)).get('refs/heads/main')).toBe(pushed);
  });

  test('a remote already in the target layout is left alone, with exit code 0', async ({ world }) => {
    const url = world.url('already');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    const before = await remoteKeys(world, 'already');
    const result = await gitS3(world, src, ['migrate', 'origin', '--to', 'bundle']);
    expect(result).toMatchObject({ code: 0, stdout: `${url} is already in the bundle layout; nothing to migrate\n`, stderr: '' });
    expect(await remoteKeys(world, 'already')).toEqual(before);
  });

  test('on a packs remote already, a PROTECTED# marker moves into info/s3-protected and leaves refs/ empty', async ({ world }) => {
    const prefix = 'tidy';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['config', 's3.layout', 'packs'], src);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await world.store.put(`${prefix}/refs/heads/main/PROTECTED#`, '');
    const result = await gitS3(world, src, ['migrate', 'origin', '--to', 'packs']);
    expect(result).toMatchObject({
      code: 0,
      stdout: [
        `${url} is already in the packs layout; nothing to migrate`,
        'moved the protection of refs/heads/main from its PROTECTED# marker to info/s3-protected',
        'removed 1 leftover key of the bundle layout (the remote is in the packs layout)',
        '',
      ].join('\n'),
    });
    expect((await remoteKeys(world, prefix)).filter(isBundleKey(prefix))).toEqual([]);
    expect((await world.store.getText(`${prefix}/info/s3-protected`))?.text).toBe('refs/heads/main\n');
  });

  test('an empty remote has nothing to migrate, and the hint says how a new remote chooses its layout', async ({ world }) => {
    const url = world.url('void');
    const result = await world.run('git-remote-s3', ['migrate', url, '--to', 'packs'], { cwd: world.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `nothing to migrate: ${url} is empty\nhint: a new remote gets its layout from its first push: run 'git config s3.layout packs' (or 'git config remote.<name>.s3layout packs') before it; bundle is the default for s3:// urls, packs for amazon-s3://\n`,
    );
    expect(await remoteKeys(world, 'void')).toEqual([]);
  });

  test('--dry-run says what would move and writes nothing', async ({ world }) => {
    const prefix = 'dry';
    const src = await richBundleRemote(world, prefix);
    const before = await remoteKeys(world, prefix);
    const result = await gitS3(world, src, ['migrate', '--dry-run', 'origin', '--to', 'packs']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^would migrate .* from the bundle layout to the packs layout: 5 refs \(3 branches, 2 tags\), HEAD refs\/heads\/dev, 1 protected branch; .* of bundles to read\n/,
    );
    expect(await remoteKeys(world, prefix)).toEqual(before);
  });

  test('--to must name a layout', async ({ world }) => {
    const result = await world.run('git-remote-s3', ['migrate', world.url('x'), '--to', 'zip'], { cwd: world.dir });
    expect(result).toMatchObject({ code: 129, stdout: '', stderr: "error: --to expects packs or bundle, not 'zip'\n" });
  });
});
