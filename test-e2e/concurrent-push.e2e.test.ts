// Pushes that race, outlast the lock TTL, or die half-way: the remote always stays in a valid, clonable
// state, exactly one bundle per ref, and the lock never goes to a second pusher while the first lives.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunResult, test, type World } from '@git-remote-s3/test-harness/context';
import { commitFile, lsRemote, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { startThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { describe, expect } from 'vitest';

/** Commits `megabytes` of incompressible data, so the bundle is about that large. */
async function commitBlob(world: World, repo: string, name: string, megabytes: number): Promise<string> {
  await writeFile(join(repo, name), randomBytes(megabytes * 1024 * 1024));
  await world.git(['add', name], repo);
  await world.git(['commit', '-q', '-m', `add ${name}`], repo);
  return (await world.git(['rev-parse', 'HEAD'], repo)).trim();
}

async function waitForKey(world: World, key: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await world.store.head(key))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${key}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `git push` in its own process group so the test can kill git and its helper together. */
function startPush(world: World, cwd: string, args: readonly string[], env: Record<string, string>) {
  const child = spawn('git', ['push', ...args], { cwd, env: { ...world.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const done = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr })));
  return { child, done, killGroup: () => process.kill(-(child.pid ?? 0), 'SIGKILL') };
}

describe('concurrent and interrupted pushes', () => {
  test('two simultaneous pushes of different commits to one branch: one wins, the other is refused, one bundle remains', async ({
    world,
  }) => {
    const url = world.url('race');
    const base = await repoWithRemote(world, 'base', url);
    await world.git(['push', '-q', 'origin', 'main'], base);
    await world.git(['clone', '-q', url, 'a'], world.dir);
    await world.git(['clone', '-q', url, 'b'], world.dir);
    const a = await commitFile(world, join(world.dir, 'a'), 'a.txt', 'from a\n');
    const b = await commitFile(world, join(world.dir, 'b'), 'b.txt', 'from b\n');

    const [ra, rb] = await Promise.all([
      world.run('git', ['push', 'origin', 'main'], { cwd: join(world.dir, 'a') }),
      world.run('git', ['push', 'origin', 'main'], { cwd: join(world.dir, 'b') }),
    ]);
    const winners = [ra, rb].filter((r) => r.code === 0);
    expect(winners, `${ra.stderr}\n${rb.stderr}`).toHaveLength(1);
    const loser = ra.code === 0 ? rb : ra;
    expect(loser.stderr).toMatch(/is locked by another push|is being pushed right now|\(fetch first\)|\(non-fast-forward\)/);

    const bundles = (await remoteKeys(world, 'race')).filter((k) => k.endsWith('.bundle'));
    const winner = ra.code === 0 ? a : b;
    expect(bundles).toEqual([`race/refs/heads/main/${winner}.bundle`]);
    await world.git(['clone', '-q', url, 'check'], world.dir);
    expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'check'))).trim()).toBe(winner);
    expect(await world.store.head('race/refs/heads/main/LOCK#.lock')).toBeUndefined();
  });

  test('a push slower than the 2 s lock TTL keeps its lock by heartbeat and succeeds; a rival meanwhile is refused', async ({ world }) => {
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 1024 * 1024 });
    try {
      const url = world.url('slow');
      const src = await repoWithRemote(world, 'src', url);
      await world.git(['push', '-q', 'origin', 'main'], src);
      await world.git(['clone', '-q', url, 'rival'], world.dir);
      const big = await commitBlob(world, src, 'big.bin', 6);
      await commitFile(world, join(world.dir, 'rival'), 'r.txt', 'rival\n');

      const ttl = { GIT_REMOTE_S3_LOCK_TTL: '2' };
      const slow = startPush(world, src, ['origin', 'main'], { ...ttl, AWS_ENDPOINT_URL: proxy.endpoint });
      await waitForKey(world, 'slow/refs/heads/main/LOCK#.lock', 20_000);
      const lockedAt = Date.now();
      let finished = false;
      const result = slow.done.finally(() => {
        finished = true;
      });
      // A rival keeps trying while the slow upload runs, well past the TTL.
      const attempts: { startedMs: number; run: RunResult }[] = [];
      while (!finished) {
        await new Promise((r) => setTimeout(r, 700));
        if (finished) break;
        const startedMs = Date.now() - lockedAt;
        attempts.push({ startedMs, run: await world.run('git', ['push', 'origin', 'main'], { cwd: join(world.dir, 'rival'), env: ttl }) });
      }
      const done = await result;
      expect(done.code, done.stderr).toBe(0);
      // Every attempt is refused: by the lock while the upload runs, or as 'fetch first' once the slow push
      // has committed during the attempt.
      for (const { run } of attempts) expect(run.code).not.toBe(0);
      const lockRefusals = attempts.filter(({ run }) => run.stderr.includes('is locked by another push'));
      expect(lockRefusals.length).toBeGreaterThanOrEqual(3);
      // The lock was still honoured well after one TTL (2 s) had passed: the heartbeat kept it fresh.
      expect(Math.max(...lockRefusals.map((a) => a.startedMs))).toBeGreaterThan(3000);
      expect(proxy.stats.up).toBeGreaterThan(6 * 1024 * 1024);
      expect((await lsRemote(world, url)).get('refs/heads/main')).toBe(big);
      expect((await remoteKeys(world, 'slow')).filter((k) => k.endsWith('.bundle'))).toEqual([`slow/refs/heads/main/${big}.bundle`]);
    } finally {
      await proxy.close();
    }
  });

  test('a push killed mid-upload leaves the old state clonable; the next push succeeds once the lock is stale', async ({ world }) => {
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 512 * 1024 });
    try {
      const url = world.url('killed');
      const src = await repoWithRemote(world, 'src', url);
      await world.git(['push', '-q', 'origin', 'main'], src);
      const old = (await world.git(['rev-parse', 'HEAD'], src)).trim();
      await commitBlob(world, src, 'big.bin', 4);

      const ttl = { GIT_REMOTE_S3_LOCK_TTL: '2' };
      const doomed = startPush(world, src, ['origin', 'main'], { ...ttl, AWS_ENDPOINT_URL: proxy.endpoint });
      await waitForKey(world, 'killed/refs/heads/main/LOCK#.lock', 20_000);
      await new Promise((r) => setTimeout(r, 1500)); // well into the upload
      doomed.killGroup();
      const killed = await doomed.done;
      expect(killed.signal).toBe('SIGKILL');

      expect((await lsRemote(world, url)).get('refs/heads/main')).toBe(old);
      await world.git(['clone', '-q', url, 'after-crash'], world.dir);
      expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'after-crash'))).trim()).toBe(old);

      // Judged with a long TTL the dead push's lock is still live, however long the checks above took on
      // a loaded machine; with the 2 s TTL it is stale a moment later.
      const tooSoon = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: { GIT_REMOTE_S3_LOCK_TTL: '600' } });
      expect(tooSoon.code).not.toBe(0);
      expect(tooSoon.stderr).toContain('is locked by another push');

      await new Promise((r) => setTimeout(r, 3500));
      const retry = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: ttl });
      expect(retry.code, retry.stderr).toBe(0);
      expect(retry.stderr).toContain('took over the stale lock');
      const now = (await world.git(['rev-parse', 'HEAD'], src)).trim();
      expect((await remoteKeys(world, 'killed')).filter((k) => k.endsWith('.bundle'))).toEqual([`killed/refs/heads/main/${now}.bundle`]);
    } finally {
      await proxy.close();
    }
  });
});
