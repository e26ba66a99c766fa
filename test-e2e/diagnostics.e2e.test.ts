// What the helper says about its own work: verbose request logs (never secrets), the number of S3
// requests per operation, and progress meters when git asks for them.
import { join } from 'node:path';
import { test } from '@git-remote-s3/test-harness/context';
import { commitFile, repoWithRemote, requestLines } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

describe('diagnostics', () => {
  test('GIT_REMOTE_S3_VERBOSE=1 prints each request and git command, and never the credentials', async ({ world }) => {
    const url = world.url('verbose');
    const src = await repoWithRemote(world, 'src', url);
    const result = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^s3: PUT /${world.bucket}/verbose/refs/heads/main/LOCK#\\.lock -> 200 \\(\\d+ ms\\)$`, 'm'));
    expect(result.stderr).toMatch(/^s3: git pack-objects --stdout --revs/m);
    expect(result.stderr).not.toContain(world.server.secretAccessKey);
    expect(result.stderr).not.toContain(world.server.accessKeyId);
  });

  test('git -c transfer.verbosity=2 turns the same log on', async ({ world }) => {
    const url = world.url('transfer');
    const src = await repoWithRemote(world, 'src', url);
    const result = await world.run('git', ['-c', 'transfer.verbosity=2', 'push', 'origin', 'main'], { cwd: src });
    expect(result.code).toBe(0);
    expect(requestLines(result.stderr).length).toBeGreaterThan(0);
  });

  test('a one-ref update push makes at most 9 S3 requests (a first push 10), one of them its push log entry, and a no-op fetch at most 2', async ({
    world,
  }) => {
    const url = world.url('counts');
    const src = await repoWithRemote(world, 'src', url);
    const first = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    // The first push to an empty prefix also makes sure no packs-layout repository is there (one listing).
    expect(requestLines(first.stderr).length).toBeLessThanOrEqual(10);
    // Every push that changes a ref writes one push log entry (docs/push-log.md).
    expect(requestLines(first.stderr).filter((l) => /^s3: PUT \S+\/counts\/logs\/\S+\.json /.test(l))).toHaveLength(1);
    await commitFile(world, src, 'x.txt', 'x\n');
    const update = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(update.code).toBe(0);
    const updateRequests = requestLines(update.stderr);
    expect(updateRequests.length, updateRequests.join('\n')).toBeLessThanOrEqual(9);

    await world.git(['clone', '-q', url, 'copy'], world.dir);
    const noop = await world.run('git', ['fetch', 'origin'], { cwd: join(world.dir, 'copy'), env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(noop.code).toBe(0);
    const noopRequests = requestLines(noop.stderr);
    expect(noopRequests.length, noopRequests.join('\n')).toBeLessThanOrEqual(2);
  });

  test('with --progress, a transfer longer than a second shows a meter on stderr', async ({ world }) => {
    const url = world.url('progress');
    const src = await repoWithRemote(world, 'src', url);
    const { startThrottleProxy } = await import('@git-remote-s3/test-harness/throttle-proxy');
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 512 * 1024 });
    try {
      const { randomBytes } = await import('node:crypto');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(src, 'blob.bin'), randomBytes(2 * 1024 * 1024));
      await world.git(['add', 'blob.bin'], src);
      await world.git(['commit', '-q', '-m', 'blob'], src);
      const result = await world.run('git', ['push', '--progress', 'origin', 'main'], {
        cwd: src,
        env: { AWS_ENDPOINT_URL: proxy.endpoint },
      });
      expect(result.code).toBe(0);
      // git's own progress format (progress.c), in bytes: `Uploading objects: 100% (2049/2049 KiB), 2.00 MiB | 503.00 KiB/s, done.`
      expect(result.stderr).toMatch(
        /Uploading objects: 100% \(\d+\/\d+ (KiB|MiB)\), \d+(\.\d+)? (KiB|MiB) \| [\d.]+ (KiB|MiB|bytes)\/s, done\./,
      );
    } finally {
      await proxy.close();
    }
  });
});
