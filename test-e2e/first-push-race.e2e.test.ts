// Two first pushes to one empty prefix, one per layout: when a bundle-layout HEAD lands between the packs
// push's commit of info/refs and its HEAD, clients read the bundle layout, so the packs push's refs would go
// unread. The push must say so per ref (not `ok`), and its advice must not lose them.
import { join } from 'node:path';
import { test } from '@git-remote-s3/test-harness/context';
import { repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { startThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { expect } from 'vitest';

test('a packs first push that loses the HEAD race to a bundle-layout remote reports its refs as not pushed, and pushing again stores them', async ({
  world,
}) => {
  const url = world.url('race');
  const repo = await repoWithRemote(world, 'src', url);
  const main = (await world.git(['rev-parse', 'main'], repo)).trim();
  // Slow enough that the test can write HEAD after the pack is listed and before the push writes HEAD.
  const proxy = await startThrottleProxy({ target: world.server.endpoint, latencyMs: 400 });
  try {
    const push = world.run('git', ['-c', 's3.layout=packs', 'push', 'origin', 'main'], {
      cwd: repo,
      env: { AWS_ENDPOINT_URL: proxy.endpoint },
    });
    const deadline = Date.now() + 60_000;
    while (!(await world.store.head('race/objects/info/packs')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await world.store.put('race/HEAD', 'refs/heads/other', { ifNoneMatch: '*' });
    const result = await push;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /! \[remote rejected\] +main -> main \(another first push made .* a bundle-layout remote at the same moment/,
    );
    expect(result.stderr).toContain('push again: the remote is in the bundle layout now');
  } finally {
    await proxy.close();
  }
  // The advice works: a push now stores main as the remote's layout says, and a clone gets it.
  await world.git(['push', '-q', 'origin', 'main'], repo);
  expect((await world.store.list('race/refs/heads/main/')).objects.map((o) => o.key)).toEqual([`race/refs/heads/main/${main}.bundle`]);
  await world.store.put('race/HEAD', 'refs/heads/main');
  await world.git(['clone', '-q', url, 'copy'], world.dir);
  expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe(main);
});
