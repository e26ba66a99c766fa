// `git s3 gc` on a packs-layout remote, with real git against the real local server: many packs become
// one, the old ones stay for the grace period and a later gc deletes them; clones, fetches and pushes that
// run meanwhile all succeed, and so does a gc killed half-way; a fetch after gc stays incremental; the
// user's own repository never leaks into the remote; other remotes are refused or left alone.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunResult, test, type World } from '@git-remote-s3/test-harness/context';
import { commitFile, lsRemote, remoteKeys, repoWithRemote, requestLines } from '@git-remote-s3/test-harness/repo';
import { startThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { describe, expect } from 'vitest';

async function packsRepo(world: World, name: string, url: string, objectFormat?: 'sha256'): Promise<string> {
  const repo = await repoWithRemote(world, name, url, objectFormat ? { objectFormat } : {});
  await world.git(['config', 's3.layout', 'packs'], repo);
  return repo;
}

/** Commits `kib` KiB of incompressible data as `name`; returns the commit. */
async function commitRandom(world: World, repo: string, name: string, kib: number): Promise<string> {
  await writeFile(join(repo, name), randomBytes(kib * 1024));
  await world.git(['add', name], repo);
  await world.git(['commit', '-q', '-m', `add ${name}`], repo);
  return (await world.git(['rev-parse', 'HEAD'], repo)).trim();
}

/** `count` pushes of one commit each to main: `count` more packs. */
async function pushCommits(world: World, repo: string, count: number, kib = 1): Promise<void> {
  for (let i = 0; i < count; i++) {
    await commitRandom(world, repo, `file${i}.bin`, kib);
    await world.git(['push', '-q', 'origin', 'main'], repo);
  }
}

const gitS3 = (world: World, repo: string, args: readonly string[], env?: Record<string, string>) =>
  world.run('git', ['s3', ...args], { cwd: repo, ...(env ? { env } : {}) });

/** Runs a command in its own process group, so the test can kill it with its helpers. */
function start(world: World, cwd: string, command: string, args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, { cwd, env: { ...world.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let finishedAt = 0;
  const done = new Promise<RunResult & { finishedAt: number }>((resolve) =>
    child.on('close', (code, signal) => {
      finishedAt = Date.now();
      resolve({ code, signal, stdout, stderr, finishedAt });
    }),
  );
  return { done, killGroup: () => process.kill(-(child.pid ?? 0), 'SIGKILL'), finished: () => finishedAt };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const packList = async (world: World, prefix: string) =>
  ((await world.store.getText(`${prefix}/objects/info/packs`))?.text ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^P (.*)\.pack$/, '$1'));
const packFiles = async (world: World, prefix: string) =>
  (await remoteKeys(world, prefix)).filter((k) => k.endsWith('.pack')).map((k) => k.replace(/^.*\/(pack-[0-9a-f]+)\.pack$/, '$1'));
const retiredNames = async (world: World, prefix: string) =>
  ((await world.store.getText(`${prefix}/objects/info/s3-retired`))?.text ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[1]);

/** Clones `url` as `name` and checks that it has every ref of the remote at the right id, and every object they need. */
async function expectFaithfulClone(world: World, url: string, name: string): Promise<string> {
  const remote = await lsRemote(world, url);
  await world.git(['clone', '-q', url, name], world.dir);
  const copy = join(world.dir, name);
  const local = new Map(
    (await world.git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/remotes/origin/', 'refs/tags/'], copy))
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string])
      .filter(([ref]) => ref !== 'refs/remotes/origin/HEAD')
      .map(([ref, sha]) => [ref.replace('refs/remotes/origin/', 'refs/heads/'), sha]),
  );
  remote.delete('HEAD');
  expect(local).toEqual(remote);
  await world.git(['fsck', '--no-progress', '--connectivity-only'], copy);
  return copy;
}

describe('git s3 gc', () => {
  test('consolidates many packs into one, never prunes, keeps the old packs for the grace period; a later gc deletes them', async ({
    world,
  }) => {
    const url = world.url('gc/repo');
    const src = await packsRepo(world, 'src', url);
    await world.git(['tag', '-a', 'v1', '-m', 'one'], src);
    await world.git(['push', '-q', 'origin', 'main', 'v1'], src);
    await pushCommits(world, src, 3);
    const lost = await commitFile(world, src, 'lost.txt', 'only on a deleted branch\n');
    await world.git(['push', '-q', 'origin', 'HEAD:refs/heads/tmp'], src);
    await world.git(['push', '-q', 'origin', ':tmp'], src);
    await world.git(['reset', '-q', '--hard', 'HEAD~1'], src);
    await world.git(['push', '-q', 'origin', 'main:side'], src);
    const before = await packList(world, 'gc/repo');
    expect(before).toHaveLength(5);
    // An orphan, as a push that died between uploading its pack and listing it leaves.
    const orphan = `pack-${'0'.repeat(40)}`;
    for (const ext of ['pack', 'idx']) await world.store.put(`gc/repo/objects/pack/${orphan}.${ext}`, 'x');

    const dry = await gitS3(world, src, ['gc', '--dry-run', 'origin']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^would consolidate 5 packs \(.+\) into one and retire them for the grace period$/m);
    expect(dry.stdout).toMatch(/gc: dry run, nothing changed\n$/);
    expect(await packList(world, 'gc/repo')).toEqual(before);

    const gc = await gitS3(world, src, ['gc', 'origin']);
    expect(gc.code, gc.stderr).toBe(0);
    const after = await packList(world, 'gc/repo');
    expect(after).toHaveLength(1);
    const [consolidated] = after;
    const lines = gc.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`gc: ${url} (grace period 1h00m)`);
    expect(lines[1]).toMatch(new RegExp(`^consolidated 5 packs \\(.+\\) into ${consolidated} \\(.+, \\d+ objects\\)$`));
    expect(lines[2]).toMatch(
      /^5 retired packs \(.+\) stay for clones and fetches that listed them; a gc may delete them after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in (59m\d\ds|1h00m)\)$/,
    );
    expect(lines[3]).toMatch(
      /^1 unlisted pack \(2 bytes\) too young to judge stays \(a push may be listing it\); a gc may delete it after/,
    );
    expect(lines[4]).toBe('gc: done; the pack list names 1 pack');
    expect((await retiredNames(world, 'gc/repo')).sort()).toEqual([...before].sort());
    expect((await packFiles(world, 'gc/repo')).sort()).toEqual([...before, consolidated, orphan].sort());

    const copy = await expectFaithfulClone(world, url, 'copy');
    // Nothing was pruned: the commit of the deleted branch is still in the (only) pack.
    expect((await world.git(['cat-file', '-t', lost], copy)).trim()).toBe('commit');

    const again = await gitS3(world, src, ['gc', '--grace', '0', 'origin']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to consolidate: the pack list names 1 pack\n');
    expect(again.stdout).toMatch(/^deleted 5 retired packs \(.+\): their grace period is over$/m);
    // An orphan is judged only once an hour old, whatever --grace says: a push may be about to list it.
    expect(again.stdout).toMatch(/^1 unlisted pack \(2 bytes\) too young to judge stays/m);
    expect(again.stderr).toContain('warning: retired packs were deleted after only 0s');
    expect((await packFiles(world, 'gc/repo')).sort()).toEqual([consolidated, orphan].sort());
    expect(await retiredNames(world, 'gc/repo')).toEqual([]);
    expect((await remoteKeys(world, 'gc/repo')).filter((k) => k.includes('/objects/pack/'))).toHaveLength(4);
    await expectFaithfulClone(world, url, 'copy2');
  });

  test('gc leaves a clonable remote while a fetch runs concurrently', async ({ world }) => {
    const url = world.url('busy');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await pushCommits(world, src, 3, 512);
    const old = await packList(world, 'busy');
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 256 * 1024 });
    try {
      const clone = start(world, world.dir, 'git', ['clone', '-q', url, 'slow'], {
        AWS_ENDPOINT_URL: proxy.endpoint,
        GIT_REMOTE_S3_VERBOSE: '1',
      });
      // The clone has read the old pack list once pack data flows.
      await until('the clone to download packs', () => proxy.stats.down > 128 * 1024 || clone.finished() > 0);
      const gc = await gitS3(world, src, ['gc', 'origin']);
      expect(gc.code, gc.stderr).toBe(0);
      expect(clone.finished(), 'the clone ended before gc did: no overlap').toBe(0);
      const cloned = await clone.done;
      expect(cloned.code, cloned.stderr).toBe(0);
      const downloaded = requestLines(cloned.stderr).filter((l) => l.startsWith('s3: GET') && l.includes('.pack'));
      expect(downloaded.length).toBeGreaterThan(0);
      // Every pack it downloaded is one gc retired while the clone ran.
      expect(downloaded.filter((line) => !old.some((name) => line.includes(name)))).toEqual([]);
    } finally {
      await proxy.close();
    }
    expect(await packList(world, 'busy')).toHaveLength(1);
    const copy = join(world.dir, 'slow');
    expect((await world.git(['rev-parse', 'origin/main'], copy)).trim()).toBe((await world.git(['rev-parse', 'main'], src)).trim());
    await world.git(['fsck', '--no-progress', '--connectivity-only'], copy);
    await expectFaithfulClone(world, url, 'fresh');
  });

  test('a push while gc runs keeps its pack listed, and both land', async ({ world }) => {
    const url = world.url('racing');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await pushCommits(world, src, 2, 512);
    await world.git(['clone', '-q', url, 'pusher'], world.dir);
    const pusher = join(world.dir, 'pusher');
    const pushed = await commitFile(world, pusher, 'during-gc.txt', 'pushed while gc runs\n');
    await world.git(['push', '-q', 'origin', 'HEAD:refs/heads/during'], pusher);
    let later = '';
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 512 * 1024 });
    try {
      const gc = start(world, src, 'git', ['s3', 'gc', 'origin'], { AWS_ENDPOINT_URL: proxy.endpoint });
      await until('gc to download packs', () => proxy.stats.down > 64 * 1024);
      later = await commitFile(world, pusher, 'later.txt', 'pushed while gc downloads\n');
      const push = await world.run('git', ['push', 'origin', 'HEAD:refs/heads/during'], { cwd: pusher });
      expect(push.code, push.stderr).toBe(0);
      expect(gc.finished(), 'gc ended before the push did: no overlap').toBe(0);
      const done = await gc.done;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain('consolidated 4 packs');
      expect((await lsRemote(world, url)).get('refs/heads/during')).toBe(later);
      const listed = await packList(world, 'racing');
      expect(listed, 'the consolidated pack and the pack pushed meanwhile').toHaveLength(2);
    } finally {
      await proxy.close();
    }
    const check = await expectFaithfulClone(world, url, 'check');
    expect((await world.git(['rev-parse', 'origin/during'], check)).trim()).toBe(later);
    expect((await world.git(['cat-file', '-t', pushed], check)).trim()).toBe('commit');
  });

  test('a gc killed while uploading leaves the remote as it was; the next gc completes', async ({ world }) => {
    const url = world.url('killed');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await pushCommits(world, src, 2, 1024);
    const before = await packList(world, 'killed');
    const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 512 * 1024 });
    try {
      const gc = start(world, src, 'git', ['s3', 'gc', 'origin'], { AWS_ENDPOINT_URL: proxy.endpoint });
      await until('gc to upload', () => proxy.stats.up > 128 * 1024);
      gc.killGroup();
      expect((await gc.done).signal).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }
    expect(await packList(world, 'killed')).toEqual(before);
    expect(await retiredNames(world, 'killed')).toEqual([]);
    await expectFaithfulClone(world, url, 'after-kill');
    const gc = await gitS3(world, src, ['gc', 'origin']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toContain('consolidated 3 packs');
    await expectFaithfulClone(world, url, 'after-gc');
  });

  test('after gc, fetching one new small commit downloads only its small pack, not the consolidated one', async ({ world }) => {
    const url = world.url('incr');
    const src = await packsRepo(world, 'src', url);
    await commitRandom(world, src, 'big.bin', 1024);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await pushCommits(world, src, 2);
    await world.git(['clone', '-q', url, 'copy'], world.dir);
    const copy = join(world.dir, 'copy');
    expect((await gitS3(world, src, ['gc', 'origin'])).code).toBe(0);
    const [consolidated] = await packList(world, 'incr');
    const head = await commitFile(world, src, 'small.txt', 'one small change\n');
    await world.git(['push', '-q', 'origin', 'main'], src);

    const proxy = await startThrottleProxy({ target: world.server.endpoint });
    try {
      const fetch = await world.run('git', ['fetch', 'origin'], {
        cwd: copy,
        env: { AWS_ENDPOINT_URL: proxy.endpoint, GIT_REMOTE_S3_VERBOSE: '1' },
      });
      expect(fetch.code, fetch.stderr).toBe(0);
      const gets = requestLines(fetch.stderr).filter((l) => l.startsWith('s3: GET'));
      expect(gets.filter((l) => l.includes(`${consolidated}.idx`))).toHaveLength(1);
      expect(gets.filter((l) => l.includes(`${consolidated}.pack`))).toHaveLength(0);
      expect(gets.filter((l) => l.includes('.pack'))).toHaveLength(1);
      expect(proxy.stats.down, JSON.stringify(proxy.stats)).toBeLessThan(64 * 1024);
      // info/refs and HEAD (the listing), the pack list, one listing of objects/pack/, one index, one pack.
      expect(proxy.stats.requests, JSON.stringify(proxy.stats.byType)).toBeLessThanOrEqual(6);
    } finally {
      await proxy.close();
    }
    expect((await world.git(['rev-parse', 'origin/main'], copy)).trim()).toBe(head);
    await world.git(['fsck', '--no-progress', '--connectivity-only'], copy);
    // Recorded as taken: the next fetch with something new does not look at it again.
    await commitFile(world, src, 'more.txt', 'more\n');
    await world.git(['push', '-q', 'origin', 'main'], src);
    const next = await world.run('git', ['fetch', 'origin'], { cwd: copy, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(requestLines(next.stderr).filter((l) => l.includes(consolidated ?? '?'))).toEqual([]);
  });

  test('a SHA-256 remote is consolidated in its own object format', async ({ world }) => {
    const url = world.url('sha256');
    const src = await packsRepo(world, 'src', url, 'sha256');
    await world.git(['push', '-q', 'origin', 'main'], src);
    await pushCommits(world, src, 2);
    const gc = await gitS3(world, src, ['gc', 'origin']);
    expect(gc.code, gc.stderr).toBe(0);
    const [pack] = await packList(world, 'sha256');
    expect(pack).toMatch(/^pack-[0-9a-f]{64}$/);
    await expectFaithfulClone(world, url, 'copy');
  });

  test("run as `git --git-dir=<repo> s3 gc`, consolidates the remote's objects only, never that repository's own", async ({ world }) => {
    const url = world.url('gitdir');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await pushCommits(world, src, 1);
    const secret = await commitFile(world, src, 'secret.txt', 'never pushed\n');
    // git exports GIT_DIR to `git s3` here; the scratch repository of gc must not inherit it.
    const gc = await world.run('git', ['--git-dir', join(src, '.git'), 's3', 'gc', 'origin'], { cwd: world.dir });
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toContain('consolidated 2 packs');
    const copy = await expectFaithfulClone(world, url, 'copy');
    expect((await world.run('git', ['cat-file', '-e', secret], { cwd: copy })).code).not.toBe(0);
    expect(await world.git(['count-objects', '-v'], src)).toMatch(/^packs: 0$/m);
  });

  test('refuses a bundle-layout remote, and has nothing to do on an empty one', async ({ world }) => {
    const url = world.url('bundles');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    const refused = await gitS3(world, src, ['gc', 'origin']);
    expect(refused).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: gc is for the packs layout, and ${url} uses the bundle layout, which keeps one self-contained bundle per ref: there is nothing to consolidate\n`,
    });
    const keys = await remoteKeys(world, 'bundles');
    expect(keys.some((k) => k.endsWith('.bundle'))).toBe(true);

    const empty = await world.run('git-remote-s3', ['gc', world.url('nothing')], { cwd: world.dir });
    expect(empty).toMatchObject({ code: 0, stdout: `nothing to do: ${world.url('nothing')} is empty\n`, stderr: '' });
    const badGrace = await world.run('git-remote-s3', ['gc', '--grace', 'soon', world.url('nothing')], { cwd: world.dir });
    expect(badGrace).toMatchObject({
      code: 129,
      stderr: "error: --grace expects a duration such as 90s, 15m, 1h or 0 (at most 365d), not 'soon'\n",
    });
  });
});

describe("fetch's record of the packs it took", () => {
  test('a pack taken before is downloaded again when a local gc pruned objects a fetch now needs', async ({ world }) => {
    const url = world.url('pruned');
    const src = await packsRepo(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await world.git(['clone', '-q', url, 'copy'], world.dir);
    const copy = join(world.dir, 'copy');
    await world.git(['checkout', '-q', '-b', 'topic'], src);
    const topic = await commitFile(world, src, 'topic.txt', 'topic\n');
    await world.git(['push', '-q', 'origin', 'topic'], src);
    await world.git(['fetch', '-q', 'origin'], copy);
    // The branch goes away, and the clone's gc prunes its objects.
    await world.git(['push', '-q', 'origin', ':topic'], src);
    await world.git(['fetch', '-q', '--prune', 'origin'], copy);
    await world.git(['reflog', 'expire', '--expire=now', '--all'], copy);
    await world.git(['gc', '-q', '--prune=now'], copy);
    expect((await world.run('git', ['cat-file', '-e', topic], { cwd: copy })).code).not.toBe(0);
    // Pushed again, the branch needs the same objects: the same pack, which the clone's record says it took.
    await world.git(['push', '-q', 'origin', 'topic'], src);
    const fetch = await world.run('git', ['fetch', 'origin'], { cwd: copy });
    expect(fetch.code, fetch.stderr).toBe(0);
    expect(fetch.stderr).toContain('objects are missing here that packs taken from');
    expect((await world.git(['rev-parse', 'origin/topic'], copy)).trim()).toBe(topic);
  });
});
