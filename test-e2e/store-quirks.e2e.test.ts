// Stores less well-behaved than MinIO (DESIGN §11 "Stores differ"), played by the proxy in front of the real
// server. Some are fussier about multi-object delete: one requires a Content-MD5 on `POST ?delete` (older Ceph,
// ECS), one lacks the call (501); branch deletion by push and by `git s3 delete-branch`, and gc's deletion of
// retired packs, must succeed through both and really remove the keys. Some carry a write out and then lose
// the answer (a 500 or a dropped connection, under load), here for 15 % of writes: pushes still land and say
// so, fetches, LFS round trips and management commands work, and no push leaves its lock behind.

import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, storedRefs, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, initRepo, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
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

const RATE = 0.15;

/** Porcelain push lines (`<flag>\t<src>:<dst>\t<summary>`), by destination ref. */
function pushFlags(stdout: string): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([ +\-*=!])\t[^:]*:(\S+)\t/.exec(line);
    if (m?.[1] && m[2]) flags[m[2]] = m[1];
  }
  return flags;
}

async function lockKeys(world: World, prefix: string): Promise<string[]> {
  return (await remoteKeys(world, prefix)).filter((k) => k.endsWith('LOCK#.lock'));
}

/**
 * Runs `body` with a proxy losing the answers of RATE of the writes, closing it afterwards. The seed picks which
 * (the same ones on every run): each test's seed makes the writes it is about among them, which it asserts.
 */
async function withLosingProxy<T>(
  world: World,
  loss: { mode: '500' | 'reset'; seed: number },
  body: (proxy: ThrottleProxy) => Promise<T>,
): Promise<T> {
  const proxy = await startThrottleProxy({ target: world.server.endpoint, loseAnswers: { rate: RATE, ...loss } });
  try {
    return await body(proxy);
  } finally {
    await proxy.close();
  }
}

describe.each(LAYOUTS)('a store that loses the answers of 15 in 100 writes, on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  for (const mode of ['500', 'reset'] as const) {
    test(`9 pushes and fetches in a row all land and report ok, with no lock left behind and none taken over (answers lost as ${mode})`, async ({
      world,
    }) => {
      await withLosingProxy(world, { mode, seed: 46 }, async (proxy) => {
        const through = { env: { AWS_ENDPOINT_URL: proxy.endpoint } };
        const prefix = 'flaky/repo';
        const url = world.url(prefix);
        const src = await repoWithRemote(world, 'src', url);
        const expected: Record<string, string> = {};
        let copy: string | undefined;
        for (let i = 1; i <= 9; i++) {
          const sha = i === 1 ? (await world.git(['rev-parse', 'HEAD'], src)).trim() : await commitFile(world, src, 'log', `line ${i}\n`);
          const refspecs = ['refs/heads/main'];
          expected['refs/heads/main'] = sha;
          if (i === 3) {
            await world.git(['tag', 'v3'], src);
            refspecs.push('refs/tags/v3');
            expected['refs/tags/v3'] = sha;
          }
          if (i === 4) {
            await world.git(['branch', 'topic'], src);
            refspecs.push('refs/heads/topic');
            expected['refs/heads/topic'] = sha;
          }
          if (i === 7) {
            refspecs.push(':refs/heads/topic');
            delete expected['refs/heads/topic'];
          }
          const push = await world.run('git', ['push', '--porcelain', 'origin', ...refspecs], { cwd: src, ...through });
          expect(push.code, `push ${i}: ${push.stderr}`).toBe(0);
          const flags = pushFlags(push.stdout);
          expect(Object.keys(flags).sort(), `push ${i}: ${push.stdout}`).toEqual(refspecs.map((r) => r.replace(/^:/, '')).sort());
          expect(
            Object.values(flags).filter((f) => f === '!'),
            `push ${i}: ${push.stdout}`,
          ).toEqual([]);
          // ok exactly when landed: every ref reported ok is in the bucket as pushed, and nothing else is.
          expect(await storedRefs(world, prefix), `push ${i}`).toEqual(expected);
          expect(await lockKeys(world, prefix), `push ${i}`).toEqual([]);
          expect(push.stderr).not.toMatch(/took over the stale lock|locked by another push/);

          if (copy === undefined) {
            await world.git(['clone', '-q', url, 'copy'], world.dir, through);
            copy = join(world.dir, 'copy');
          } else {
            await world.git(['fetch', '-q', '--prune', '--tags', 'origin'], copy, through);
          }
          expect((await world.git(['rev-parse', 'origin/main'], copy)).trim(), `fetch ${i}`).toBe(sha);
        }
        expect((await world.git(['rev-parse', 'v3^{commit}'], copy as string)).trim()).toBe(expected['refs/tags/v3']);

        // A push that cannot land is reported rejected, and the remote keeps what it had.
        await world.git(['reset', '-q', '--hard', 'HEAD~1'], src);
        await commitFile(world, src, 'other', 'diverged\n');
        const refused = await world.run('git', ['push', '--porcelain', 'origin', 'main'], { cwd: src, ...through });
        expect(refused.code).not.toBe(0);
        expect(pushFlags(refused.stdout)['refs/heads/main']).toBe('!');
        expect(await storedRefs(world, prefix)).toEqual(expected);
        expect(await lockKeys(world, prefix)).toEqual([]);

        // The conditional writes of this layout were among those whose answers were lost.
        const lost = proxy.lostAnswers.log.map((l) => l.kind);
        expect(lost).toContain(layout === 'bundle' ? 'PUT flaky/repo/refs/heads/main/LOCK%23.lock' : 'PUT flaky/repo/info/refs');
        if (layout === 'packs') expect(lost).toContain('PUT flaky/repo/objects/info/packs');
        expect(proxy.lostAnswers.count).toBeGreaterThanOrEqual(4);
      });
    });
  }

  test('an LFS round trip (a small create-only object and a multipart one) lands whole although answers are lost', async ({ world }) => {
    await withLosingProxy(world, { mode: 'reset', seed: 178 }, async (proxy) => {
      const env = { AWS_ENDPOINT_URL: proxy.endpoint, GIT_REMOTE_S3_PART_SIZE: String(5 * 1024 * 1024) };
      const prefix = 'flaky/lfs';
      const url = world.url(prefix);
      await world.git(['lfs', 'install', '--skip-repo'], world.dir);
      const repo = await initRepo(world, 'src');
      await world.git(['remote', 'add', 'origin', url], repo);
      await world.git(['lfs', 'track', '*.bin'], repo);
      const files = { 'small.bin': randomBytes(4096), 'large.bin': randomBytes(12 * 1024 * 1024) };
      for (const [name, data] of Object.entries(files)) await writeFile(join(repo, name), data);
      await world.git(['add', '.gitattributes', ...Object.keys(files)], repo);
      await world.git(['commit', '-q', '-m', 'lfs files'], repo);
      await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
      const push = await world.run('git', ['push', 'origin', 'main'], { cwd: repo, env });
      expect(push.code, push.stderr).toBe(0);

      for (const data of Object.values(files)) {
        const key = `${prefix}/lfs/${createHash('sha256').update(data).digest('hex')}`;
        expect((await world.store.head(key))?.size, key).toBe(data.byteLength);
      }
      expect(await lockKeys(world, prefix)).toEqual([]);
      const clone = await world.run('git', ['clone', '-q', url, 'copy'], { cwd: world.dir, env });
      expect(clone.code, clone.stderr).toBe(0);
      for (const [name, data] of Object.entries(files)) {
        expect((await readFile(join(world.dir, 'copy', name))).equals(data), name).toBe(true);
      }
      // The small object's create-only PUT and the large one's multipart completion lost their answers.
      const lost = proxy.lostAnswers.log.map((l) => l.kind);
      expect(lost).toContain('PUT flaky/lfs/lfs/<id>');
      expect(lost).toContain('COMPLETE-MULTIPART flaky/lfs/lfs/<id>');
    });
  });
});

describe('management commands on a store that loses the answers of 15 in 100 writes', () => {
  test('protect, migrate to packs and gc recognise their own landed writes and leave the remote whole', async ({ world }) => {
    await withLosingProxy(world, { mode: '500', seed: 2574 }, async (proxy) => {
      const through = { env: { AWS_ENDPOINT_URL: proxy.endpoint } };
      const prefix = 'flaky/mig';
      const src = await repoWithRemote(world, 'src', world.url(prefix));
      await world.git(['branch', 'topic'], src);
      await world.git(['push', '-q', 'origin', 'main', 'topic'], src, through);
      const protect = await world.run('git', ['s3', 'protect', 'origin', 'main'], { cwd: src, ...through });
      expect(protect.code, protect.stderr).toBe(0);
      expect(await world.store.head(`${prefix}/refs/heads/main/PROTECTED#`)).toBeDefined();

      const migrate = await world.run('git', ['s3', 'migrate', 'origin', '--to', 'packs'], { cwd: src, ...through });
      expect(migrate.code, migrate.stderr).toBe(0);
      expect((await world.store.getText(`${prefix}/HEAD`))?.text).toBe('ref: refs/heads/main\n');
      expect((await world.store.getText(`${prefix}/info/s3-protected`))?.text).toContain('refs/heads/main');
      const expected: Record<string, string> = {
        'refs/heads/main': (await world.git(['rev-parse', 'main'], src)).trim(),
        'refs/heads/topic': (await world.git(['rev-parse', 'topic'], src)).trim(),
      };
      expect(await storedRefs(world, prefix)).toEqual(expected);
      expect((await remoteKeys(world, prefix)).filter((k) => k.includes('/refs/heads/'))).toEqual([]);

      for (let i = 1; i <= 3; i++) expected['refs/heads/main'] = await commitFile(world, src, 'log', `line ${i}\n`);
      await world.git(['push', '-q', 'origin', 'main'], src, through);
      const gc = await world.run('git', ['s3', 'gc', '--grace', '0', 'origin'], { cwd: src, ...through });
      expect(gc.code, gc.stderr).toBe(0);
      expect(await storedRefs(world, prefix)).toEqual(expected);
      expect((await world.store.getText(`${prefix}/objects/info/packs`))?.text.match(/^P /gm)).toHaveLength(1);

      await world.git(['clone', '-q', world.url(prefix), 'copy'], world.dir, through);
      expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe(expected['refs/heads/main']);

      const lost = proxy.lostAnswers.log.map((l) => l.kind);
      expect(lost).toEqual(
        expect.arrayContaining([
          'PUT flaky/mig/refs/heads/main/PROTECTED%23',
          'PUT flaky/mig/objects/info/packs',
          'PUT flaky/mig/info/refs',
          'PUT flaky/mig/HEAD',
        ]),
      );
    });
  });
});
