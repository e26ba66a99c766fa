// Stores fussier than MinIO about multi-object delete (DESIGN §11 "Stores differ"), played by the proxy in
// front of the real MinIO: one that requires a Content-MD5 on `POST ?delete` (older Ceph, ECS) and one that
// lacks the call (501). Branch deletion by push and by `git s3 delete-branch`, and gc's deletion of retired
// packs, must succeed through both and really remove the keys.

import { test, type World } from '@git-remote-s3/test-harness/context';
import { commitFile, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { type StoreQuirks, startThrottleProxy, type ThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { describe, expect } from 'vitest';

/** Runs `fn` with every command's S3 traffic going through a proxy that plays `quirks`. */
async function behindQuirks(world: World, quirks: StoreQuirks, fn: (env: Record<string, string>, proxy: ThrottleProxy) => Promise<void>) {
  const proxy = await startThrottleProxy({ target: world.server.endpoint, quirks });
  try {
    await fn({ AWS_ENDPOINT_URL: proxy.endpoint, GIT_REMOTE_S3_VERBOSE: '1' }, proxy);
  } finally {
    await proxy.close();
  }
}

const keysOf = async (world: World, prefix: string, part: string) => (await remoteKeys(world, prefix)).filter((k) => k.includes(part));

/** An s3+zip remote with main, `gone` and `topic` pushed (each ref: a bundle and a repo.zip). */
async function zipRemote(world: World, prefix: string): Promise<string> {
  const repo = await repoWithRemote(world, 'zip', world.url(prefix, 's3+zip'));
  await world.git(['push', '-q', 'origin', 'main', 'main:gone', 'main:topic'], repo);
  return repo;
}

/** A packs remote with three pushes consolidated by a gc: three retired packs (six keys) wait for deletion. */
async function packsWithRetired(world: World, prefix: string): Promise<{ repo: string; retired: string[] }> {
  const repo = await repoWithRemote(world, 'packs', world.url(prefix));
  await world.git(['config', 's3.layout', 'packs'], repo);
  await world.git(['push', '-q', 'origin', 'main'], repo);
  for (const n of [1, 2]) {
    await commitFile(world, repo, `f${n}.txt`, `${n}\n`);
    await world.git(['push', '-q', 'origin', 'main'], repo);
  }
  const before = await keysOf(world, prefix, '/objects/pack/');
  const gc = await world.run('git', ['s3', 'gc', 'origin'], { cwd: repo });
  expect(gc.code, gc.stderr).toBe(0);
  const after = await keysOf(world, prefix, '/objects/pack/');
  const retired = before.filter((k) => after.includes(k) && /\.(pack|idx)$/.test(k));
  expect(retired.length).toBeGreaterThanOrEqual(6);
  return { repo, retired };
}

/** The three deletions through the proxy; returns each command's stderr and the multi-deletes each sent. */
async function deleteEverything(world: World, quirks: StoreQuirks) {
  const zip = await zipRemote(world, 'zip');
  const gone = await keysOf(world, 'zip', '/refs/heads/gone/');
  const topic = await keysOf(world, 'zip', '/refs/heads/topic/');
  expect(gone.length).toBeGreaterThanOrEqual(2);
  expect(topic.length).toBeGreaterThanOrEqual(2);
  const { repo: packs, retired } = await packsWithRetired(world, 'packs');
  const seen: Record<string, { stderr: string; multiDeletes: number; refused: number; md5: string[] }> = {};
  await behindQuirks(world, quirks, async (env, proxy) => {
    const step = async (name: string, cwd: string, args: string[]) => {
      const from = proxy.multiDeletes.length;
      const result = await world.run('git', args, { cwd, env });
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      const mine = proxy.multiDeletes.slice(from);
      seen[name] = {
        stderr: result.stderr,
        multiDeletes: mine.length,
        refused: mine.filter((r) => r.refusedWith !== undefined).length,
        md5: mine.map((r) => r.contentMd5),
      };
    };
    await step('push --delete', zip, ['push', 'origin', '--delete', 'gone']);
    await step('delete-branch', zip, ['s3', 'delete-branch', 'origin', 'topic']);
    await step('gc --grace 0', packs, ['s3', 'gc', '--grace', '0', 'origin']);
  });
  // The keys are really gone from the bucket, and the rest is intact.
  expect(await keysOf(world, 'zip', '/refs/heads/gone/')).toEqual([]);
  expect(await keysOf(world, 'zip', '/refs/heads/topic/')).toEqual([]);
  expect((await keysOf(world, 'zip', '/refs/heads/main/')).length).toBeGreaterThanOrEqual(2);
  const left = await remoteKeys(world, 'packs');
  expect(retired.filter((k) => left.includes(k))).toEqual([]);
  return seen;
}

describe('stores that are strict about multi-object delete', () => {
  test('a store requiring Content-MD5: push --delete, delete-branch and gc send one and need no fallback', async ({ world }) => {
    const seen = await deleteEverything(world, { requireContentMd5: true });
    for (const [name, s] of Object.entries(seen)) {
      // One multi-object delete each, carrying the right Content-MD5, accepted the first time.
      expect(s, name).toMatchObject({ multiDeletes: 1, refused: 0, md5: ['valid'] });
      expect(s.stderr, name).not.toContain('refused a multi-object delete');
    }
  });

  test('a store without multi-object delete (501): each command falls back to single deletes after one refusal', async ({ world }) => {
    const seen = await deleteEverything(world, { noMultiDelete: true });
    for (const [name, s] of Object.entries(seen)) {
      // Asked once, refused once, and never again in that process.
      expect(s, name).toMatchObject({ multiDeletes: 1, refused: 1 });
      expect(s.stderr, name).toMatch(/s3: .* refused a multi-object delete \(NotImplemented \(HTTP 501\)\): deleting one key at a time/);
      const singles = s.stderr.split('\n').filter((l) => /^s3: DELETE \S+ -> 204/.test(l));
      expect(singles.length, name).toBeGreaterThanOrEqual(2);
    }
  });
});
