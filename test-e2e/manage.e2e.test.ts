// Managing a remote by hand: `git s3 list`, `protect`/`unprotect`, `delete-branch` and `doctor`, run as
// `git s3 …` in a repository with an s3 `origin` and as `git-remote-s3 … s3://…` outside any repository,
// against the real S3 server, with real git pushing and cloning around them.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBytes } from '@git-remote-s3/core';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, storedRefs, testOnLayout, useLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, layoutKeys, lsRemote, remoteKeys, repoWithRemote, requestLines } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A repository whose `origin` is `<prefix>` in the test bucket, with main pushed; returns it and main's sha. */
async function pushedRepo(world: World, prefix: string, scheme: 's3' | 's3+zip' = 's3') {
  const url = world.url(prefix, scheme);
  const repo = await repoWithRemote(world, 'src', url);
  await world.git(['push', '-q', 'origin', 'main'], repo);
  return { url, repo, sha: (await world.git(['rev-parse', 'HEAD'], repo)).trim() };
}

const gitS3 = (world: World, repo: string, args: readonly string[], env?: Record<string, string>) =>
  world.run('git', ['s3', ...args], { cwd: repo, ...(env ? { env } : {}) });
/** The binary under its helper name, run outside any repository. */
const remoteS3 = (world: World, args: readonly string[]) => world.run('git-remote-s3', args, { cwd: world.dir });

describe('git s3 list', () => {
  test('prints HEAD, then an aligned row per ref with sha, size, age, protection and lock, from one listing and one GET', async ({
    world,
  }) => {
    const { repo, sha } = await pushedRepo(world, 'listing');
    await world.git(['tag', 'v1'], repo);
    const dev = await commitFile(world, repo, 'dev.txt', 'dev\n');
    await world.git(['push', '-q', 'origin', 'HEAD:refs/heads/dev', 'v1'], repo);
    await world.store.put('listing/refs/heads/main/PROTECTED#', '');
    await world.store.put('listing/refs/heads/dev/LOCK#.lock', 'held');

    const result = await gitS3(world, repo, ['list', 'origin'], { GIT_REMOTE_S3_VERBOSE: '1' });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('HEAD: refs/heads/main');
    const rows = lines.slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(new RegExp(`^${dev.slice(0, 7)}  refs/heads/dev +\\d+ bytes +\\d+s ago  locked \\d+s$`));
    expect(rows[1]).toMatch(new RegExp(`^${sha.slice(0, 7)}  refs/heads/main +\\d+ bytes +\\d+s ago  protected$`));
    expect(rows[2]).toMatch(new RegExp(`^${sha.slice(0, 7)}  refs/tags/v1 +\\d+ bytes +\\d+s ago$`));
    for (const column of [/refs\//, /\d+ bytes/, /\d+s ago/]) expect(new Set(rows.map((r) => r.search(column))).size).toBe(1);
    const requests = requestLines(result.stderr);
    expect(requests).toHaveLength(2);
    expect(requests.filter((l) => l.includes('?prefix=listing/refs/'))).toHaveLength(1);
    expect(requests.filter((l) => /\/listing\/HEAD -> 200/.test(l))).toHaveLength(1);
  });

  test('stops quietly when its reader stops early (git s3 list | head), as git does', async ({ world }) => {
    const { repo } = await pushedRepo(world, 'piped');
    // Enough refs that the report outgrows a pipe's buffer, so the reader surely goes away mid-report.
    const refs = Array.from({ length: 1500 }, (_, i) => `HEAD:refs/tags/t${String(i).padStart(4, '0')}-${'x'.repeat(40)}`);
    await world.git(['push', '-q', 'origin', ...refs], repo);
    const script = 'git s3 list origin | head -1; echo "status $' + '{PIPESTATUS[0]}" >&2';
    const result = await world.run('bash', ['-c', script], { cwd: repo });
    expect(result.stdout).toBe('HEAD: refs/heads/main\n');
    expect(result.stderr).toBe('status 0\n');
  });

  test('says so for an empty remote', async ({ world }) => {
    const result = await remoteS3(world, ['list', world.url('nothing')]);
    expect(result).toMatchObject({ code: 0, stdout: `no refs on ${world.url('nothing')}\n` });
  });
});

describe('the <remote> argument', () => {
  test('the same command gives the same answer as `git s3 … origin` in a repository and `git-remote-s3 … s3://…` outside one', async ({
    world,
  }) => {
    const { url, repo } = await pushedRepo(world, 'both');
    const inRepo = await gitS3(world, repo, ['doctor', 'origin']);
    const outside = await remoteS3(world, ['doctor', url]);
    expect(inRepo.code).toBe(0);
    expect(outside.code).toBe(0);
    expect(inRepo.stdout).toContain(`doctor: checking ${url}`);
    expect(outside.stdout).toBe(inRepo.stdout);
    const timeless = (text: string) => text.replace(/\d+s ago/g, '<age>');
    const listed = timeless((await gitS3(world, repo, ['list', 'origin'])).stdout);
    expect(listed).toMatch(/^HEAD: refs\/heads\/main\n\w{7} {2}refs\/heads\/main/);
    expect(timeless((await remoteS3(world, ['list', url])).stdout)).toBe(listed);
  });

  test('a name that is no remote of the repository is refused in one line, and outside a repository it says there is none', async ({
    world,
  }) => {
    const { repo } = await pushedRepo(world, 'names');
    const inRepo = await gitS3(world, repo, ['list', 'upstream']);
    expect(inRepo).toMatchObject({
      code: 129,
      stdout: '',
      stderr: "error: 'upstream' is neither a remote of this repository nor an s3:// url\n",
    });
    const noRepository =
      "error: not in a git repository ('origin' names no remote here; give an s3:// url, or run this inside the repository)\n";
    expect(await remoteS3(world, ['protect', 'origin', 'main'])).toMatchObject({ code: 1, stderr: noRepository });
    expect(await world.run('git', ['s3', 'list', 'origin'], { cwd: world.dir })).toMatchObject({
      code: 1,
      stdout: '',
      stderr: noRepository,
    });
  });

  test('an amazon-s3 url with its properties file names a packs remote', async ({ world }) => {
    await writeFile(join(world.home, '.s3props'), `accesskey: ${world.server.accessKeyId}\nsecretkey: ${world.server.secretAccessKey}\n`, {
      mode: 0o600,
    });
    const url = `amazon-s3://.s3props@${world.bucket}/jgit.git`;
    const repo = await repoWithRemote(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], repo);
    const sha = (await world.git(['rev-parse', 'HEAD'], repo)).trim();
    const listed = await remoteS3(world, ['list', url]);
    expect(listed).toMatchObject({
      code: 0,
      stdout: `HEAD: refs/heads/main\n${sha.slice(0, 7)}  refs/heads/main\n1 pack (packs layout)\n`,
    });
  });
});

describe.each(LAYOUTS)('git s3 protect and unprotect on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('a protected branch refuses a force push and deletion, takes fast-forwards, and takes a force push again once unprotected', async ({
    world,
  }) => {
    const { url, repo } = await pushedRepo(world, 'guarded');
    const protect = await gitS3(world, repo, ['protect', 'origin', 'main']);
    expect(protect).toMatchObject({ code: 0, stdout: 'branch main is now protected\n' });
    if (layout === 'bundle') expect(await world.store.head('guarded/refs/heads/main/PROTECTED#')).toMatchObject({ size: 0 });
    else expect((await world.store.getText('guarded/info/s3-protected'))?.text).toBe('refs/heads/main\n');
    expect((await gitS3(world, repo, ['protect', 'origin', 'main'])).stdout).toBe('branch main is already protected\n');

    const forward = await commitFile(world, repo, 'next.txt', 'next\n');
    await world.git(['push', '-q', 'origin', 'main'], repo);
    expect((await lsRemote(world, url)).get('refs/heads/main')).toBe(forward);
    const before = await remoteKeys(world, 'guarded');

    await world.git(['commit', '-q', '--amend', '-m', 'rewritten'], repo);
    const forced = await world.run('git', ['push', '--force', 'origin', 'main'], { cwd: repo });
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toContain(
      ` ! [remote rejected] main -> main (branch main is protected: refusing to force push it; run 'git s3 unprotect ${url} main' first if you mean it)`,
    );
    const deleted = await world.run('git', ['push', 'origin', ':main'], { cwd: repo });
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain(
      ` ! [remote rejected] main (branch main is protected: refusing to delete it; run 'git s3 unprotect ${url} main' first if you mean it)`,
    );
    expect(await remoteKeys(world, 'guarded')).toEqual(before);

    const unprotect = await gitS3(world, repo, ['unprotect', 'origin', 'main']);
    expect(unprotect).toMatchObject({ code: 0, stdout: 'branch main is no longer protected\n' });
    expect((await gitS3(world, repo, ['unprotect', 'origin', 'main'])).stdout).toBe('branch main was not protected\n');
    const again = await world.run('git', ['push', '--force', 'origin', 'main'], { cwd: repo });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('(forced update)');
    expect((await lsRemote(world, url)).get('refs/heads/main')).toBe((await world.git(['rev-parse', 'HEAD'], repo)).trim());
  });

  test('takes the branch by its full name refs/heads/keep as by keep: the push deleting it is refused, and unprotect lifts it', async ({
    world,
  }) => {
    const { url, repo } = await pushedRepo(world, 'fullname');
    await world.git(['push', '-q', 'origin', 'main:keep'], repo);
    const protect = await gitS3(world, repo, ['protect', 'origin', 'refs/heads/keep']);
    expect(protect).toMatchObject({ code: 0, stdout: 'branch keep is now protected\n' });
    if (layout === 'bundle') expect(await world.store.head('fullname/refs/heads/keep/PROTECTED#')).toMatchObject({ size: 0 });
    else expect((await world.store.getText('fullname/info/s3-protected'))?.text).toBe('refs/heads/keep\n');
    expect((await remoteKeys(world, 'fullname')).filter((k) => k.includes('refs/heads/refs/heads'))).toEqual([]);
    expect((await gitS3(world, repo, ['protect', 'origin', 'keep'])).stdout).toBe('branch keep is already protected\n');

    const deleted = await world.run('git', ['push', 'origin', ':keep'], { cwd: repo });
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain(
      ` ! [remote rejected] keep (branch keep is protected: refusing to delete it; run 'git s3 unprotect ${url} keep' first if you mean it)`,
    );
    expect((await lsRemote(world, url)).has('refs/heads/keep')).toBe(true);

    const unprotect = await gitS3(world, repo, ['unprotect', 'origin', 'refs/heads/keep']);
    expect(unprotect).toMatchObject({ code: 0, stdout: 'branch keep is no longer protected\n' });
    const removed = await gitS3(world, repo, ['delete-branch', 'origin', 'refs/heads/keep']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^deleted branch keep \(was [0-9a-f]{7}\)/);
    expect((await lsRemote(world, url)).has('refs/heads/keep')).toBe(false);
  });

  test('a name git would refuse as a branch is refused before anything is written', async ({ world }) => {
    const { repo } = await pushedRepo(world, 'badname');
    const result = await gitS3(world, repo, ['protect', 'origin', 'a..b']);
    expect(result).toMatchObject({ code: 129, stderr: "error: 'a..b' is not a valid branch name: contains '..'\n" });
    const keys = await remoteKeys(world, 'badname');
    expect(keys.filter((k) => k.includes('PROTECTED#') || k.endsWith('/info/s3-protected'))).toEqual([]);
  });
});

describe('git s3 delete-branch', () => {
  test('deletes the bundle and repo.zip of a branch and nothing else', async ({ world }) => {
    const { url, repo, sha } = await pushedRepo(world, 'prune', 's3+zip');
    await world.git(['push', '-q', 'origin', 'main:feature'], repo);
    expect(await remoteKeys(world, 'prune')).toContain('prune/refs/heads/feature/repo.zip');

    const result = await gitS3(world, repo, ['delete-branch', 'origin', 'feature']);
    expect(result).toMatchObject({ code: 0, stdout: `deleted branch feature (was ${sha.slice(0, 7)}) from ${url}\n` });
    expect(await layoutKeys(world, 'prune')).toEqual([
      'prune/HEAD',
      `prune/refs/heads/main/${sha}.bundle`,
      'prune/refs/heads/main/repo.zip',
    ]);
    expect([...(await lsRemote(world, url)).keys()]).toEqual(['HEAD', 'refs/heads/main']);
  });

  test("takes the branch as awslabs' -b option, by url outside a repository", async ({ world }) => {
    const { url, repo } = await pushedRepo(world, 'dash-b');
    await world.git(['push', '-q', 'origin', 'main:old'], repo);
    const result = await remoteS3(world, ['delete-branch', url, '-b', 'old']);
    expect(result.code).toBe(0);
    expect((await remoteKeys(world, 'dash-b')).filter((k) => k.includes('/old/'))).toEqual([]);
  });
});

describe.each(LAYOUTS)('git s3 delete-branch on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('deletes one branch and leaves every other ref as it was', async ({ world }) => {
    const { url, repo, sha } = await pushedRepo(world, 'cut');
    await world.git(['push', '-q', 'origin', 'main:feature', 'main:refs/tags/v1'], repo);
    const result = await gitS3(world, repo, ['delete-branch', 'origin', 'feature']);
    expect(result).toMatchObject({ code: 0, stdout: `deleted branch feature (was ${sha.slice(0, 7)}) from ${url}\n` });
    expect(await storedRefs(world, 'cut')).toEqual({ 'refs/heads/main': sha, 'refs/tags/v1': sha });
    expect([...(await lsRemote(world, url)).keys()].sort()).toEqual(['HEAD', 'refs/heads/main', 'refs/tags/v1']);
  });

  test('refuses a protected branch and a branch that does not exist, deleting nothing', async ({ world }) => {
    const { url, repo } = await pushedRepo(world, 'keep');
    await gitS3(world, repo, ['protect', 'origin', 'main']);
    const before = await remoteKeys(world, 'keep');
    const protectedResult = await gitS3(world, repo, ['delete-branch', 'origin', 'main']);
    expect(protectedResult).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: branch main is protected: refusing to delete it; run 'git s3 unprotect ${url} main' first if you mean it\n`,
    });
    const missing = await gitS3(world, repo, ['delete-branch', 'origin', 'nope']);
    expect(missing).toMatchObject({ code: 1, stderr: `error: branch nope does not exist on ${url}\n` });
    expect(await remoteKeys(world, 'keep')).toEqual(before);
  });
});

describe('git s3 doctor', () => {
  test('finds nothing wrong with a healthy remote and exits 0', async ({ world }) => {
    const { url, repo } = await pushedRepo(world, 'healthy');
    await world.git(['push', '-q', 'origin', 'main:dev'], repo);
    const result = await gitS3(world, repo, ['doctor', 'origin']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`doctor: checking ${url} (lock TTL 1m00s)\ndoctor: no problems found\n`);
  });

  test('reports a lock older than --lock-ttl as stale and deletes it only with --delete-stale-locks', async ({ world }) => {
    const { url, repo } = await pushedRepo(world, 'stale');
    const lock = 'stale/refs/heads/main/LOCK#.lock';
    await world.store.put(lock, 'left by a push that died');
    await sleep(2200);

    const report = await gitS3(world, repo, ['doctor', '--lock-ttl', '1', 'origin']);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(
      /problem: stale lock on refs\/heads\/main: s3:\/\/.*\/stale\/refs\/heads\/main\/LOCK#\.lock is \d+s old \(TTL 1s\)/,
    );
    expect(report.stdout).toContain(`hint: run 'git s3 doctor --delete-stale-locks --lock-ttl 1 ${url}'`);
    expect(report.stdout).toMatch(/doctor: 1 problem found, 0 fixed\n$/);
    expect(await world.store.head(lock)).toBeDefined();

    const fixed = await gitS3(world, repo, ['doctor', '--lock-ttl', '1', '--delete-stale-locks', 'origin']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/done: deleted the stale lock on refs\/heads\/main \(\d+s old\)/);
    expect(fixed.stdout).toMatch(/doctor: 1 problem found, 1 fixed\n$/);
    expect(await world.store.head(lock)).toBeUndefined();
  });

  test('leaves a live lock alone even with --delete-stale-locks, as a push in progress', async ({ world }) => {
    const { repo } = await pushedRepo(world, 'live');
    const lock = 'live/refs/heads/main/LOCK#.lock';
    await world.store.put(lock, 'a push in progress');
    const result = await gitS3(world, repo, ['doctor', '--delete-stale-locks', 'origin']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/note: refs\/heads\/main is locked by a push in progress \(\d+s old, TTL 1m00s\); left alone/);
    expect(result.stdout).not.toContain('done:');
    expect(await world.store.head(lock)).toBeDefined();
  });

  test.for(['--keep-newest-bundle', '--delete-bundle', '-d'])(
    'reports the two bundles an interrupted push leaves, and %s keeps the newest so a clone still works',
    async (flag, { world }) => {
      const { url, repo, sha: old } = await pushedRepo(world, 'twice');
      // A push of a newer commit that uploaded its bundle and died before deleting the old one.
      const newer = await commitFile(world, repo, 'newer.txt', 'newer\n');
      const bundleFile = join(world.dir, 'newer.bundle');
      await world.git(['bundle', 'create', '-q', bundleFile, 'main'], repo);
      await sleep(1100);
      await world.store.put(`twice/refs/heads/main/${newer}.bundle`, await readFile(bundleFile));

      const report = await gitS3(world, repo, ['doctor', 'origin']);
      expect(report.code).toBe(1);
      expect(report.stdout).toContain(
        `problem: refs/heads/main has 2 bundles (${newer.slice(0, 7)}, ${old.slice(0, 7)}), the trace of an interrupted push; the newest, ${newer.slice(0, 7)}, is the ref`,
      );
      expect(report.stdout).toContain(`hint: run 'git s3 doctor --keep-newest-bundle ${url}'`);

      // -d/--delete-bundle: the Python tool's doctor deletes the bundles it does not keep, as this does.
      const fixed = await remoteS3(world, ['doctor', flag, url]);
      expect(fixed.code).toBe(0);
      expect(fixed.stdout).toContain(`done: kept ${newer.slice(0, 7)} of refs/heads/main, deleted 1 older bundle`);
      expect(fixed.stdout).toMatch(/doctor: 1 problem found, 1 fixed\n$/);
      expect(await layoutKeys(world, 'twice')).toEqual(['twice/HEAD', `twice/refs/heads/main/${newer}.bundle`]);

      await world.git(['clone', '-q', url, 'copy'], world.dir);
      expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe(newer);
      expect(await readFile(join(world.dir, 'copy', 'newer.txt'), 'utf8')).toBe('newer\n');
    },
  );

  test('reports a missing HEAD and --set-head writes the branch ref as plain text', async ({ world }) => {
    const { url, repo } = await pushedRepo(world, 'headless');
    await world.git(['push', '-q', 'origin', 'main:dev'], repo);
    await world.store.delete('headless/HEAD');

    const report = await gitS3(world, repo, ['doctor', 'origin']);
    expect(report.code).toBe(1);
    expect(report.stdout).toContain('problem: HEAD is missing');
    expect(report.stdout).toContain(`hint: run 'git s3 doctor --set-head main ${url}'`);

    const fixed = await gitS3(world, repo, ['doctor', '--set-head', 'dev', 'origin']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('done: HEAD now names refs/heads/dev');
    expect((await world.store.getText('headless/HEAD'))?.text).toBe('refs/heads/dev');
    await world.git(['clone', '-q', url, 'copy'], world.dir);
    expect((await world.git(['rev-parse', '--abbrev-ref', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe('dev');
  });

  test('--set-head refuses a branch the remote does not have and changes nothing', async ({ world }) => {
    const { url, repo } = await pushedRepo(world, 'nohead');
    const result = await gitS3(world, repo, ['doctor', '--set-head', 'ghost', 'origin']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: cannot point HEAD at refs/heads/ghost: there is no such branch on ${url}\n`,
    });
    expect((await world.store.getText('nohead/HEAD'))?.text).toBe('refs/heads/main');
  });

  test('reports stray keys, a repo.zip without a bundle and a HEAD naming a deleted branch, with what to do for each', async ({
    world,
  }) => {
    const { url, repo } = await pushedRepo(world, 'clutter');
    await world.git(['push', '-q', 'origin', 'main:gone'], repo);
    await gitS3(world, repo, ['doctor', '--set-head', 'gone', 'origin']);
    await world.git(['push', '-q', 'origin', ':gone'], repo);
    await world.store.put('clutter/refs/heads/main/notes.txt', 'not ours');
    await world.store.put('clutter/refs/heads/old/repo.zip', 'PK');
    await world.store.put('clutter/refs/heads/next/PROTECTED#', '');

    const result = await gitS3(world, repo, ['doctor', 'origin']);
    expect(result.code).toBe(1);
    const bucket = `s3://${world.bucket}`;
    expect(result.stdout.split('\n')).toEqual([
      `doctor: checking ${url} (lock TTL 1m00s)`,
      'note: branch next is protected but has no bundle; the protection applies when it is pushed',
      `problem: ${bucket}/clutter/refs/heads/old/repo.zip is left over: refs/heads/old has no bundle`,
      "problem: HEAD names 'refs/heads/gone', which is not a branch of this remote",
      `problem: ${bucket}/clutter/refs/heads/main/notes.txt is not a key this layout knows (unknown object 'notes.txt'); readers ignore it`,
      `hint: push refs/heads/old again, or remove it: aws s3 rm ${bucket}/clutter/refs/heads/old/repo.zip`,
      `hint: run 'git s3 doctor --set-head main ${url}'`,
      `hint: remove it if nothing else needs it: aws s3 rm ${bucket}/clutter/refs/heads/main/notes.txt`,
      'doctor: 3 problems found, 0 fixed',
      '',
    ]);
  });

  test('advises migrating to the packs layout when a bundle remote holds more than 100 refs, and still exits 0', async ({ world }) => {
    const url = world.url('crowded');
    const repo = await repoWithRemote(world, 'src', url);
    const tags = Array.from({ length: 100 }, (_, i) => `HEAD:refs/tags/t${String(i).padStart(3, '0')}`);
    await world.git(['push', '-q', 'origin', 'main', ...tags], repo);

    const result = await gitS3(world, repo, ['doctor', 'origin']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `doctor: checking ${url} (lock TTL 1m00s)\nnote: 101 refs: on the bundle layout each ref is a full bundle, so pushes and clones grow costly with many refs; 'git s3 migrate ${url} --to packs' moves this remote to the packs layout, which keeps them in one ref table\ndoctor: no problems found\n`,
    );
  });
});

describe('git s3 doctor on the packs layout', () => {
  test('finds nothing wrong with a healthy remote, and says how many refs and packs it has, sized as gc sizes them', async ({ world }) => {
    await useLayout(world, 'packs');
    const { url, repo } = await pushedRepo(world, 'fine');
    const sizeOfPackFiles = async () => (await world.store.list('fine/objects/pack/')).objects.reduce((n, o) => n + o.size, 0);
    const one = await gitS3(world, repo, ['doctor', 'origin']);
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(one.stdout).toContain(`note: 1 ref, 1 pack (${formatBytes(await sizeOfPackFiles())})\n`);

    await commitFile(world, repo, 'b.txt', 'b\n');
    await world.git(['push', '-q', 'origin', 'main', 'main:dev'], repo);
    const result = await gitS3(world, repo, ['doctor', 'origin']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const size = formatBytes(await sizeOfPackFiles());
    expect(result.stdout).toBe(`doctor: checking ${url} (packs layout)\nnote: 2 refs, 2 packs (${size})\ndoctor: no problems found\n`);
    const gc = await gitS3(world, repo, ['gc', '--dry-run', 'origin']);
    expect(gc.stdout).toContain(`would consolidate 2 packs (${size}) into one`);
  });

  test('refuses a --lock-ttl that is no number of seconds, as on a bundle remote', async ({ world }) => {
    await useLayout(world, 'packs');
    const { repo } = await pushedRepo(world, 'ttl');
    const result = await gitS3(world, repo, ['doctor', '--lock-ttl', 'abc', 'origin']);
    expect(result.code).toBe(129);
    expect(result.stderr).toBe("error: --lock-ttl expects a number of seconds above 0 and at most 86400 (a day), not 'abc'\n");
    expect(result.stdout).toBe('');
  });

  test.for(['0', '-5', '86401'])('refuses --lock-ttl %s as a value out of range, in one line', async (ttl, { world }) => {
    await useLayout(world, 'packs');
    const { repo } = await pushedRepo(world, 'ttl');
    const result = await gitS3(world, repo, ['doctor', '--lock-ttl', ttl, 'origin']);
    expect(result).toMatchObject({
      code: 129,
      stdout: '',
      stderr: `error: --lock-ttl expects a number of seconds above 0 and at most 86400 (a day), not '${ttl}'\n`,
    });
  });

  test('reports a listed pack whose index is gone and a missing HEAD, and --set-head repairs HEAD', async ({ world }) => {
    await useLayout(world, 'packs');
    const { url, repo } = await pushedRepo(world, 'broken');
    const idx = (await remoteKeys(world, 'broken')).find((k) => k.endsWith('.idx')) ?? '';
    await world.store.delete(idx);
    await world.store.delete('broken/HEAD');
    await world.store.put('broken/packed-refs', '# pack-refs with: peeled fully-peeled sorted \n');
    const result = await gitS3(world, repo, ['doctor', 'origin']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `problem: HEAD is missing at s3://${world.bucket}/broken/HEAD; run 'git s3 doctor --set-head main ${url}'`,
    );
    expect(result.stdout).toMatch(/problem: pack-[0-9a-f]{40} is listed but s3:\/\/\S+\.idx is missing/);
    const main = (await world.git(['rev-parse', 'main'], repo)).trim();
    expect(result.stdout).toContain(
      `problem: s3://${world.bucket}/broken/packed-refs says refs/heads/main is absent, info/refs says ${main}\n`,
    );
    expect(result.stdout).toContain(`hint: run 'git s3 doctor --sync-refs ${url}'\n`);
    expect(result.stdout).toContain('doctor: 3 problems found');

    const fixed = await gitS3(world, repo, ['doctor', '--set-head', 'main', 'origin']);
    expect(fixed.stdout).toContain('done: HEAD now names refs/heads/main');
    expect((await world.store.getText('broken/HEAD'))?.text).toBe('ref: refs/heads/main\n');
  });
});
