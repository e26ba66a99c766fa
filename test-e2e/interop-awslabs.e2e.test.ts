// Interoperability with the Python awslabs git-remote-s3 (the pinned version, AWSLABS_REQUIREMENT) on the bundle
// layout (DESIGN §3): each tool clones, fetches, pushes to and deletes from what the other wrote, on the same
// bucket and prefix, and the Python tool's doctor finds what ours wrote healthy; its scoped LFS set-up works
// with our agent. Which helper git runs is picked by PATH: `world.env`
// for ours, `awslabsEnv(world.env)` for theirs. Prefixes are one segment, as their doctor assumes.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AWSLABS_REQUIREMENT, awslabsDir, awslabsEnv, ensureAwslabs } from '@git-remote-s3/test-harness/awslabs';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { BIN_DIRS } from '@git-remote-s3/test-harness/paths';
import { commitFile, initRepo, layoutKeys, lsRemote, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { beforeAll, describe, expect } from 'vitest';

beforeAll(async () => {
  await ensureAwslabs();
});

/** The ids of a repository's remote-tracking branches and tags, as `{ 'origin/main': sha, 'v1': sha }`. */
async function trackedRefs(world: World, repo: string): Promise<Record<string, string>> {
  const out = await world.git(['for-each-ref', '--format=%(objectname) %(refname:short)', 'refs/remotes/origin', 'refs/tags'], repo);
  const refs: Record<string, string> = {};
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [sha, name] = line.split(' ');
    refs[name ?? ''] = sha ?? '';
  }
  return refs;
}

async function revParse(world: World, repo: string, rev: string): Promise<string> {
  return (await world.git(['rev-parse', rev], repo)).trim();
}

/** The keys under `<prefix>/<ref>/`: its bundles, and any lock or marker left behind. */
async function refKeys(world: World, prefix: string, ref: string): Promise<string[]> {
  return (await remoteKeys(world, prefix)).filter((k) => k.startsWith(`${prefix}/${ref}/`));
}

/** Our push log's entries: ours alone writes them, and the Python tool never lists `<prefix>/logs/`. */
const logEntries = async (world: World, prefix: string) => (await remoteKeys(world, prefix)).filter((k) => k.startsWith(`${prefix}/logs/`));

describe(`interoperability with the Python ${AWSLABS_REQUIREMENT}`, () => {
  test('the awslabs environment runs the Python git-remote-s3, git-s3 and git-lfs-s3, and ours otherwise', async ({ world }) => {
    const which = 'for c in git-remote-s3 git-s3 git-lfs-s3; do command -v "$c"; done';
    const theirs = await world.run('sh', ['-c', which], { env: awslabsEnv(world.env) });
    expect(theirs.code).toBe(0);
    expect(theirs.stdout.trim().split('\n').map(dirname)).toEqual(Array(3).fill(join(awslabsDir(), 'bin')));
    const ours = await world.run('sh', ['-c', which]);
    expect(ours.code).toBe(0);
    expect(ours.stdout.trim().split('\n').map(dirname)).toEqual(Array(3).fill(BIN_DIRS[0]));
  });

  test('a repository pushed by the Python tool clones with ours, and each then fetches what the other pushed', async ({ world }) => {
    const py = { env: awslabsEnv(world.env) };
    const prefix = 'from-python';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    await commitFile(world, src, 'a.txt', 'a\n');
    await world.git(['checkout', '-q', '-b', 'feature'], src);
    const feature = await commitFile(world, src, 'f.txt', 'feature\n');
    await world.git(['checkout', '-q', 'main'], src);
    await world.git(['tag', 'v1'], src);
    const main = await revParse(world, src, 'main');
    await world.git(['push', 'origin', 'main', 'feature', 'v1'], src, py);
    expect(await remoteKeys(world, prefix)).toEqual([
      `${prefix}/HEAD`,
      `${prefix}/refs/heads/feature/${feature}.bundle`,
      `${prefix}/refs/heads/main/${main}.bundle`,
      `${prefix}/refs/tags/v1/${main}.bundle`,
    ]);

    await world.git(['clone', '-q', url, 'ours'], world.dir);
    const ours = join(world.dir, 'ours');
    expect(await trackedRefs(world, ours)).toEqual({ 'origin/HEAD': main, 'origin/main': main, 'origin/feature': feature, v1: main });
    expect(await revParse(world, ours, 'HEAD')).toBe(main);
    expect(await readFile(join(ours, 'a.txt'), 'utf8')).toBe('a\n');
    expect(await world.git(['show', 'origin/feature:f.txt'], ours)).toBe('feature\n');

    const fromPython = await commitFile(world, src, 'b.txt', 'b\n');
    await world.git(['push', 'origin', 'main'], src, py);
    await world.git(['pull', '-q', '--ff-only', 'origin', 'main'], ours);
    expect(await revParse(world, ours, 'HEAD')).toBe(fromPython);
    expect(await readFile(join(ours, 'b.txt'), 'utf8')).toBe('b\n');

    const fromOurs = await commitFile(world, ours, 'c.txt', 'c\n');
    await world.git(['checkout', '-q', '-b', 'topic'], ours);
    const topic = await commitFile(world, ours, 't.txt', 'topic\n');
    await world.git(['push', 'origin', 'main', 'topic'], ours);
    expect(await refKeys(world, prefix, 'refs/heads/main')).toEqual([`${prefix}/refs/heads/main/${fromOurs}.bundle`]);
    expect(await refKeys(world, prefix, 'refs/heads/topic')).toEqual([`${prefix}/refs/heads/topic/${topic}.bundle`]);

    await world.git(['pull', '-q', '--ff-only', 'origin', 'main'], src, py);
    await world.git(['fetch', '-q', 'origin'], src, py);
    expect(await revParse(world, src, 'HEAD')).toBe(fromOurs);
    expect(await readFile(join(src, 'c.txt'), 'utf8')).toBe('c\n');
    expect(await revParse(world, src, 'origin/topic')).toBe(topic);

    await world.git(['clone', '-q', url, 'python-copy'], world.dir, py);
    const copy = join(world.dir, 'python-copy');
    expect(await trackedRefs(world, copy)).toEqual({
      'origin/HEAD': fromOurs,
      'origin/main': fromOurs,
      'origin/feature': feature,
      'origin/topic': topic,
      v1: main,
    });
    expect(await readFile(join(copy, 'c.txt'), 'utf8')).toBe('c\n');
    expect(await world.git(['show', 'origin/topic:t.txt'], copy)).toBe('topic\n');
  });

  test('what ours pushes from scratch clones with the Python tool, and its doctor finds every ref Ok', async ({ world }) => {
    const py = { env: awslabsEnv(world.env) };
    const prefix = 'from-ours';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    const main = await commitFile(world, src, 'a.txt', 'a\n');
    await world.git(['tag', 'v1'], src);
    await world.git(['tag', '-a', 'v2', '-m', 'release 2'], src);
    const v2 = await revParse(world, src, 'v2');
    await world.git(['checkout', '-q', '-b', 'side'], src);
    const side = await commitFile(world, src, 's.txt', 'side\n');
    await world.git(['checkout', '-q', 'main'], src);
    await world.git(['push', 'origin', 'main', 'side', 'v1', 'v2'], src);
    expect(await logEntries(world, prefix)).toHaveLength(1);
    expect(await layoutKeys(world, prefix)).toEqual([
      `${prefix}/HEAD`,
      `${prefix}/refs/heads/main/${main}.bundle`,
      `${prefix}/refs/heads/side/${side}.bundle`,
      `${prefix}/refs/tags/v1/${main}.bundle`,
      `${prefix}/refs/tags/v2/${v2}.bundle`,
    ]);

    await world.git(['clone', '-q', url, 'python-copy'], world.dir, py);
    const copy = join(world.dir, 'python-copy');
    expect(await trackedRefs(world, copy)).toEqual({ 'origin/HEAD': main, 'origin/main': main, 'origin/side': side, v1: main, v2 });
    expect((await world.git(['symbolic-ref', '--short', 'HEAD'], copy)).trim()).toBe('main');
    expect(await readFile(join(copy, 'a.txt'), 'utf8')).toBe('a\n');
    expect((await world.git(['cat-file', '-t', 'v2'], copy)).trim()).toBe('tag');
    expect(await world.git(['show', 'origin/side:s.txt'], copy)).toBe('side\n');

    // Its argument parser (0.3.2 to 0.4.2) requires a branch even for doctor, which ignores it. Empty stdin and a time
    // limit turn any prompt (it asks which bundle to keep, or which branch is HEAD) into a failure, not a hang.
    const doctor = await world.run('git-s3', ['doctor', 'origin', 'main'], { cwd: copy, env: py.env, input: '', timeoutMs: 60_000 });
    const report = `${doctor.stdout}\n${doctor.stderr}`;
    expect(doctor.signal, report).toBeNull();
    expect(doctor.code, report).toBe(0);
    expect(doctor.stdout).toContain(`${prefix}:\n`);
    for (const ref of ['refs/heads/main', 'refs/heads/side', 'refs/tags/v1', 'refs/tags/v2']) {
      expect(doctor.stdout).toMatch(new RegExp(`^\\s+${ref}: Ok$`, 'm'));
    }
    expect(doctor.stdout).toMatch(/^\s+HEAD: refs\/heads\/main$/m);
    expect(doctor.stdout).toContain('No stale locks found.');
    expect(doctor.stdout).not.toContain('Multiple refs');
    expect(doctor.stdout).not.toContain('Enter the number');
  });

  test('a branch deleted by either tool is gone for the other', async ({ world }) => {
    const py = { env: awslabsEnv(world.env) };
    const prefix = 'deletes';
    const url = world.url(prefix);
    const ours = await repoWithRemote(world, 'ours', url);
    const main = await revParse(world, ours, 'HEAD');
    await world.git(['branch', 'by-ours'], ours);
    await world.git(['push', 'origin', 'main', 'by-ours'], ours);
    await world.git(['clone', '-q', url, 'python'], world.dir, py);
    const python = join(world.dir, 'python');
    await world.git(['checkout', '-q', '-b', 'by-python'], python);
    const byPython = await commitFile(world, python, 'p.txt', 'p\n');
    await world.git(['push', 'origin', 'by-python'], python, py);
    for (const env of [{}, py]) {
      const refs = await lsRemote(world, url, env);
      expect(refs.get('refs/heads/by-ours')).toBe(main);
      expect(refs.get('refs/heads/by-python')).toBe(byPython);
    }

    await world.git(['push', 'origin', ':by-python'], ours);
    const seenByPython = await lsRemote(world, url, py);
    expect(seenByPython.has('refs/heads/by-python')).toBe(false);
    expect(seenByPython.get('refs/heads/by-ours')).toBe(main);
    expect(await refKeys(world, prefix, 'refs/heads/by-python')).toEqual([]);

    await world.git(['push', 'origin', ':by-ours'], python, py);
    const seenByOurs = await lsRemote(world, url);
    expect(seenByOurs.has('refs/heads/by-ours')).toBe(false);
    expect(seenByOurs.get('refs/heads/main')).toBe(main);
    expect(await layoutKeys(world, prefix)).toEqual([`${prefix}/HEAD`, `${prefix}/refs/heads/main/${main}.bundle`]);
    expect(await logEntries(world, prefix)).toHaveLength(2);
  });

  test('the two tools pushing alternately to one branch leave exactly one bundle for it and HEAD intact, the Python tool passing over our push log', async ({
    world,
  }) => {
    const py = { env: awslabsEnv(world.env) };
    const prefix = 'alternate';
    const url = world.url(prefix);
    const python = await initRepo(world, 'python');
    await world.git(['remote', 'add', 'origin', url], python);
    const ours = join(world.dir, 'ours');
    let last = '';
    for (let round = 0; round < 3; round++) {
      if (round > 0) await world.git(['pull', '-q', '--ff-only', 'origin', 'main'], python, py);
      last = await commitFile(world, python, `python-${round}.txt`, `python ${round}\n`);
      await world.git(['push', 'origin', 'main'], python, py);
      expect(await refKeys(world, prefix, 'refs/heads/main'), `after the Python push of round ${round}`).toEqual([
        `${prefix}/refs/heads/main/${last}.bundle`,
      ]);

      if (round === 0) await world.git(['clone', '-q', url, 'ours'], world.dir);
      else await world.git(['pull', '-q', '--ff-only', 'origin', 'main'], ours);
      last = await commitFile(world, ours, `ours-${round}.txt`, `ours ${round}\n`);
      await world.git(['push', 'origin', 'main'], ours);
      expect(await refKeys(world, prefix, 'refs/heads/main'), `after our push of round ${round}`).toEqual([
        `${prefix}/refs/heads/main/${last}.bundle`,
      ]);
    }

    // Our three pushes left three push log entries, which the Python tool's pulls and pushes never tripped on.
    expect(await logEntries(world, prefix)).toHaveLength(3);
    expect(await layoutKeys(world, prefix)).toEqual([`${prefix}/HEAD`, `${prefix}/refs/heads/main/${last}.bundle`]);
    expect((await world.store.getText(`${prefix}/HEAD`))?.text.trim()).toBe('refs/heads/main');
    for (const env of [{}, py]) {
      const refs = await lsRemote(world, url, env);
      expect(refs.get('HEAD')).toBe(last);
      expect(refs.get('refs/heads/main')).toBe(last);
    }
    await world.git(['clone', '-q', url, 'python-copy'], world.dir, py);
    const copy = join(world.dir, 'python-copy');
    expect(await revParse(world, copy, 'HEAD')).toBe(last);
    expect((await world.git(['rev-list', '--count', 'HEAD'], copy)).trim()).toBe('6');
    for (let round = 0; round < 3; round++) {
      expect(await readFile(join(copy, `python-${round}.txt`), 'utf8')).toBe(`python ${round}\n`);
      expect(await readFile(join(copy, `ours-${round}.txt`), 'utf8')).toBe(`ours ${round}\n`);
    }
  });
  test('a branch the Python tool pushed from another local name (its bundle names the local ref) clones with ours', async ({ world }) => {
    const py = { env: awslabsEnv(world.env) };
    const prefix = 'renamed';
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src, py);
    const other = await commitFile(world, src, 'o.txt', 'other\n');
    await world.git(['push', 'origin', 'main:other'], src, py);
    const bundleFile = join(world.dir, 'other.bundle');
    const { body } = await world.store.get(`${prefix}/refs/heads/other/${other}.bundle`);
    await writeFile(bundleFile, body);
    expect((await world.git(['bundle', 'list-heads', bundleFile], world.dir)).trim()).toBe(`${other} refs/heads/main`);

    await world.git(['clone', '-q', url, 'ours'], world.dir);
    const ours = join(world.dir, 'ours');
    expect(await revParse(world, ours, 'origin/other')).toBe(other);
    expect(await world.git(['show', 'origin/other:o.txt'], ours)).toBe('other\n');
  });

  test('a live lock at <ref>/LOCK#.lock stops the pushes of both tools, and neither leaves one behind', async ({ world }) => {
    const py = { env: awslabsEnv(world.env) };
    const prefix = 'locked';
    const url = world.url(prefix);
    const python = await repoWithRemote(world, 'python', url);
    const first = await revParse(world, python, 'HEAD');
    await world.git(['push', 'origin', 'main'], python, py);
    await world.git(['clone', '-q', url, 'ours'], world.dir);
    const ours = join(world.dir, 'ours');
    const lock = `${prefix}/refs/heads/main/LOCK#.lock`;
    await world.store.put(lock, '');

    const fromPython = await commitFile(world, python, 'p.txt', 'p\n');
    const refusedPython = await world.run('git', ['push', 'origin', 'main'], { cwd: python, env: py.env });
    expect(refusedPython.code, refusedPython.stderr).not.toBe(0);
    // it answers a live lock with the raw error of its conditional write (0.3.2 to 0.4.2)
    expect(refusedPython.stderr).toMatch(/\[remote rejected\] main -> main \(.*PreconditionFailed/);
    await commitFile(world, ours, 'o.txt', 'o\n');
    const refusedOurs = await world.run('git', ['push', 'origin', 'main'], { cwd: ours });
    expect(refusedOurs.code).not.toBe(0);
    expect(refusedOurs.stderr).toContain(lock);
    expect(await refKeys(world, prefix, 'refs/heads/main')).toEqual([lock, `${prefix}/refs/heads/main/${first}.bundle`].sort());

    await world.store.delete(lock);
    await world.git(['push', 'origin', 'main'], python, py);
    expect(await refKeys(world, prefix, 'refs/heads/main')).toEqual([`${prefix}/refs/heads/main/${fromPython}.bundle`]);
    await world.git(['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main'], ours);
    const merged = await revParse(world, ours, 'HEAD');
    await world.git(['push', 'origin', 'main'], ours);
    expect(await refKeys(world, prefix, 'refs/heads/main')).toEqual([`${prefix}/refs/heads/main/${merged}.bundle`]);
  });

  test('a branch protected with the Python git-s3 refuses our force push and delete, and takes our fast-forward', async ({ world }) => {
    const py = { env: awslabsEnv(world.env) };
    const prefix = 'protected';
    const url = world.url(prefix);
    const ours = await repoWithRemote(world, 'ours', url);
    await world.git(['push', 'origin', 'main'], ours);
    const marker = `${prefix}/refs/heads/main/PROTECTED#`;
    const protect = await world.run('git-s3', ['protect', 'origin', 'main'], { cwd: ours, env: py.env, input: '', timeoutMs: 60_000 });
    expect(protect.code, protect.stderr).toBe(0);
    expect(await world.store.head(marker)).toBeDefined();

    const ahead = await commitFile(world, ours, 'a.txt', 'a\n');
    await world.git(['push', 'origin', 'main'], ours);
    expect(await refKeys(world, prefix, 'refs/heads/main')).toEqual([`${prefix}/refs/heads/main/${ahead}.bundle`, marker].sort());

    await world.git(['commit', '-q', '--amend', '-m', 'rewritten'], ours);
    const forced = await world.run('git', ['push', '--force', 'origin', 'main'], { cwd: ours });
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toContain('protected');
    const deleted = await world.run('git', ['push', 'origin', ':main'], { cwd: ours });
    expect(deleted.code).not.toBe(0);
    expect(await refKeys(world, prefix, 'refs/heads/main')).toEqual([`${prefix}/refs/heads/main/${ahead}.bundle`, marker].sort());
    expect((await lsRemote(world, url, py)).get('refs/heads/main')).toBe(ahead);
  });

  test('a repository whose LFS the Python tool scoped to origin (0.4.x lfs-alias url) pushes and pulls LFS files through our agent unchanged', async ({
    world,
  }) => {
    const py = { env: awslabsEnv(world.env) };
    const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    // '+' is percent-encoded in the Python tool's alias: our agent must decode it to find the prefix.
    const prefix = 'py+lfs';
    const url = world.url(prefix);
    const alias = `https://lfs-alias.git-remote-s3.test/${world.bucket}/py%2Blfs`;
    await world.git(['lfs', 'install', '--skip-repo'], world.dir);
    const repo = await repoWithRemote(world, 'src', url);
    const install = await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo, env: py.env });
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toContain(`(LFS alias: ${alias})`);
    expect((await world.git(['config', 'remote.origin.lfsurl'], repo)).trim()).toBe(alias);
    expect((await world.git(['config', `lfs.${alias}.standalonetransferagent`], repo)).trim()).toBe('git-lfs-s3');

    await world.git(['lfs', 'track', '*.bin'], repo);
    const data = randomBytes(120 * 1024);
    await writeFile(join(repo, 'asset.bin'), data);
    await world.git(['add', '.gitattributes', 'asset.bin'], repo);
    await world.git(['commit', '-q', '-m', 'asset'], repo);
    await world.run('git-lfs-s3', ['enable-debug'], { cwd: repo });
    const configBefore = await readFile(join(repo, '.git', 'config'));
    const pushed = await world.run('git', ['push', 'origin', 'main'], { cwd: repo });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(await remoteKeys(world, prefix)).toContain(`${prefix}/lfs/${sha256(data)}`);
    const agentLog = await readFile(join(repo, '.git', 'lfs', 'tmp', 'git-lfs-s3.log'), 'utf8');
    expect(agentLog).toContain(`init upload for origin: s3://${world.bucket}/${prefix}`);
    // our helper saw the Python set-up as a set-up: no note, the alias untouched
    expect(pushed.stderr).not.toContain('git-lfs-s3 set up');
    expect((await readFile(join(repo, '.git', 'config'))).equals(configBefore)).toBe(true);

    // git-lfs given the alias itself names it to the agent in place of a remote: only the decoded URL finds the prefix.
    const more = randomBytes(10 * 1024);
    await writeFile(join(repo, 'more.bin'), more);
    await world.git(['add', 'more.bin'], repo);
    await world.git(['commit', '-q', '-m', 'more'], repo);
    const byAlias = await world.run('git', ['lfs', 'push', '--object-id', alias, sha256(more)], { cwd: repo });
    expect(byAlias.code, byAlias.stderr).toBe(0);
    expect(await remoteKeys(world, prefix)).toContain(`${prefix}/lfs/${sha256(more)}`);
    expect(await readFile(join(repo, '.git', 'lfs', 'tmp', 'git-lfs-s3.log'), 'utf8')).toContain(
      `init upload for ${alias}: s3://${world.bucket}/${prefix}`,
    );

    // A clone set up the Python tool's way (skip smudge, its install, pull) downloads through our agent.
    await world.run('git', ['clone', '-q', url, 'copy'], {
      cwd: world.dir,
      env: { GIT_LFS_SKIP_SMUDGE: '1', GIT_REMOTE_S3_AUTO_INSTALL_LFS: '0' },
    });
    const copy = join(world.dir, 'copy');
    expect((await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: copy, env: py.env })).code).toBe(0);
    expect((await world.git(['config', 'remote.origin.lfsurl'], copy)).trim()).toBe(alias);
    const pulled = await world.run('git', ['lfs', 'pull'], { cwd: copy });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(sha256(await readFile(join(copy, 'asset.bin')))).toBe(sha256(data));
  });
});
