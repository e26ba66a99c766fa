// git-lfs with the git-lfs-s3 agent, driven by the real git and git-lfs against the real local S3 server:
// objects land at <prefix>/lfs/<oid>, clones get real content with no extra step, corrupt objects never
// reach the work tree, and the install variants leave other remotes alone.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awslabsDir, awslabsEnv, ensureAwslabs } from '@git-remote-s3/test-harness/awslabs';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, initRepo, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { beforeAll, describe, expect } from 'vitest';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A repository with git-lfs tracking *.bin and `origin` at `url`. */
async function lfsRepo(world: World, name: string, url: string): Promise<string> {
  await world.git(['lfs', 'install', '--skip-repo'], world.dir);
  const repo = await initRepo(world, name);
  await world.git(['remote', 'add', 'origin', url], repo);
  await world.git(['lfs', 'track', '*.bin'], repo);
  await world.git(['add', '.gitattributes'], repo);
  await world.git(['commit', '-q', '-m', 'track bin files with LFS'], repo);
  return repo;
}

async function addFiles(world: World, repo: string, files: Record<string, Buffer>, message: string): Promise<void> {
  for (const [name, data] of Object.entries(files)) await writeFile(join(repo, name), data);
  await world.git(['add', ...Object.keys(files)], repo);
  await world.git(['commit', '-q', '-m', message], repo);
}

async function lfsObjectFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(entry.name);
  }
  return out;
}

describe('git-lfs with git-lfs-s3', () => {
  test('1 KB, 5 MB and 60 MB files push to <prefix>/lfs/<oid> and a fresh clone gets them back; a second push uploads nothing', async ({
    world,
  }) => {
    const url = world.url('lfs/repo');
    const repo = await lfsRepo(world, 'src', url);
    const files = {
      'small.bin': randomBytes(1024),
      'medium.bin': randomBytes(5 * 1024 * 1024),
      'large.bin': randomBytes(60 * 1024 * 1024),
    };
    await addFiles(world, repo, files, 'three lfs files');
    const install = await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
    expect(install.stdout).toContain(`LFS objects go to s3://${world.bucket}/lfs/repo/lfs/`);
    await world.git(['push', 'origin', 'main'], repo);

    const keys = await remoteKeys(world, 'lfs/repo');
    for (const data of Object.values(files)) expect(keys).toContain(`lfs/repo/lfs/${sha256(data)}`);
    expect((await world.store.head(`lfs/repo/lfs/${sha256(files['large.bin'])}`))?.size).toBe(60 * 1024 * 1024);

    await world.git(['clone', '-q', url, 'copy'], world.dir);
    for (const [name, data] of Object.entries(files)) {
      expect(sha256(await readFile(join(world.dir, 'copy', name)))).toBe(sha256(data));
    }

    await world.run('git-lfs-s3', ['enable-debug'], { cwd: repo });
    const again = await world.run('git', ['lfs', 'push', '--all', 'origin'], { cwd: repo });
    expect(again.code, again.stderr).toBe(0);
    const debugLog = await readFile(join(repo, '.git', 'lfs', 'tmp', 'git-lfs-s3.log'), 'utf8');
    expect(debugLog.match(/already stored, skipped/g)).toHaveLength(3);
    // Small files are offered with a create-only PUT that the bucket refuses (412); nothing is stored.
    expect(debugLog).not.toMatch(/s3: PUT \S+ -> 200/);
    expect(debugLog).toMatch(/s3: PUT \S+ -> 412/);
  });

  test('200 small files push and clone with git-lfs running several agents at once', async ({ world }) => {
    const url = world.url('many');
    const repo = await lfsRepo(world, 'src', url);
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 200; i++) files[`f${String(i).padStart(3, '0')}.bin`] = randomBytes(2048 + i);
    await addFiles(world, repo, files, '200 files');
    await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
    const push = await world.run('git', ['push', 'origin', 'main'], { cwd: repo });
    expect(push.code, push.stderr).toBe(0);
    expect((await remoteKeys(world, 'many')).filter((k) => k.startsWith('many/lfs/'))).toHaveLength(200);

    await world.git(['clone', '-q', url, 'copy'], world.dir);
    for (const [name, data] of Object.entries(files)) {
      expect(sha256(await readFile(join(world.dir, 'copy', name))), name).toBe(sha256(data));
    }
  });

  test('a corrupted object fails the download with a clear message and nothing corrupt lands', async ({ world }) => {
    const url = world.url('corrupt');
    const repo = await lfsRepo(world, 'src', url);
    const data = randomBytes(100 * 1024);
    await addFiles(world, repo, { 'x.bin': data }, 'x');
    await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
    await world.git(['push', 'origin', 'main'], repo);
    const oid = sha256(data);
    await world.store.put(`corrupt/lfs/${oid}`, randomBytes(data.length));

    const clone = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(clone.stderr).toContain(`s3://${world.bucket}/corrupt/lfs/${oid} is corrupt: its SHA-256 is`);
    const copy = join(world.dir, 'copy');
    const inTree = existsSync(join(copy, 'x.bin')) ? await readFile(join(copy, 'x.bin')) : Buffer.alloc(0);
    // The work tree holds the pointer (or nothing), never the corrupt bytes.
    expect(inTree.length === 0 || inTree.toString('utf8').startsWith('version https://git-lfs.github.com/spec/v1')).toBe(true);
    expect(await lfsObjectFiles(join(copy, '.git', 'lfs', 'objects'))).toEqual([]);
    expect((await readdir(join(copy, '.git', 'lfs', 'tmp'))).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  test('install --remote origin leaves another remote and its LFS server untouched', async ({ world }) => {
    const repo = await lfsRepo(world, 'src', world.url('scoped'));
    await world.git(['remote', 'add', 'upstream', 'https://git.example.invalid/team/repo.git'], repo);
    await world.git(['config', 'remote.upstream.lfsurl', 'https://lfs.example.invalid/team/repo'], repo);
    const before = (await world.git(['config', '--get-regexp', '^(remote\\.upstream|lfs)\\.'], repo)).trim().split('\n');
    const install = await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
    expect(install.code).toBe(0);
    const after = (await world.git(['config', '--get-regexp', '^(remote\\.upstream|lfs)\\.'], repo)).trim().split('\n');
    for (const line of before.filter((l) => l.startsWith('remote.upstream'))) expect(after).toContain(line);
    expect(after.filter((l) => l.includes('upstream') || l.includes('example.invalid'))).toEqual(
      before.filter((l) => l.includes('upstream') || l.includes('example.invalid')),
    );
    expect(after.some((l) => l === 'lfs.standalonetransferagent git-lfs-s3')).toBe(false);
    expect((await world.git(['config', 'remote.origin.lfsurl'], repo)).trim()).toBe(`https://git-lfs-s3.invalid/s3/${world.bucket}/scoped`);

    const uninstall = await world.run('git-lfs-s3', ['uninstall', '--remote', 'origin'], { cwd: repo });
    expect(uninstall.code).toBe(0);
    const left = await world.run('git', ['config', 'remote.origin.lfsurl'], { cwd: repo });
    expect(left.code).toBe(1);
    expect((await world.git(['config', 'remote.upstream.lfsurl'], repo)).trim()).toBe('https://lfs.example.invalid/team/repo');
  });

  test('install, uninstall and enable-debug outside a repository say there is none in one line; install --global works there', async ({
    world,
  }) => {
    const outside = { cwd: world.dir, env: { GIT_CEILING_DIRECTORIES: world.dir } };
    expect(await world.run('git-lfs-s3', ['install'], outside)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: not in a git repository (use --global to set it up for every repository)\n',
    });
    expect(await world.run('git-lfs-s3', ['install', '--remote', 'origin'], outside)).toMatchObject({
      code: 1,
      stderr: 'error: not in a git repository (use --global to set it up for every repository)\n',
    });
    expect(await world.run('git-lfs-s3', ['uninstall'], outside)).toMatchObject({
      code: 1,
      stderr: 'error: not in a git repository (use --global to remove the set-up from ~/.gitconfig)\n',
    });
    expect(await world.run('git-lfs-s3', ['enable-debug'], outside)).toMatchObject({
      code: 1,
      stderr: 'error: not in a git repository (run it in the repository whose transfers to log)\n',
    });
    const global = await world.run('git-lfs-s3', ['install', '--global'], outside);
    expect(global.code, global.stderr).toBe(0);
    expect((await world.git(['config', '--global', 'lfs.standalonetransferagent'], world.dir)).trim()).toBe('git-lfs-s3');
  });

  test('LFS-only: the repository on a file:// remote, its LFS objects in S3 through --url', async ({ world }) => {
    const bare = await initRepo(world, 'hosted.git', { bare: true });
    const repo = await lfsRepo(world, 'src', `file://${bare}`);
    const data = randomBytes(64 * 1024);
    await addFiles(world, repo, { 'asset.bin': data }, 'asset');
    const s3 = world.url('lfs-only');
    expect((await world.run('git-lfs-s3', ['install', '--remote', 'origin', '--url', s3], { cwd: repo })).code).toBe(0);
    const push = await world.run('git', ['push', 'origin', 'main'], { cwd: repo });
    expect(push.code, push.stderr).toBe(0);
    expect(await remoteKeys(world, 'lfs-only')).toEqual([`lfs-only/lfs/${sha256(data)}`]);

    // The documented one-time set-up of a new clone: skip smudging, point origin's LFS at S3, pull.
    await world.run('git', ['clone', `file://${bare}`, 'copy'], { cwd: world.dir, env: { GIT_LFS_SKIP_SMUDGE: '1' } });
    const copy = join(world.dir, 'copy');
    await world.git(['lfs', 'install', '--local'], copy);
    expect((await world.run('git-lfs-s3', ['install', '--remote', 'origin', '--url', s3], { cwd: copy })).code).toBe(0);
    await world.git(['lfs', 'pull'], copy);
    expect(sha256(await readFile(join(copy, 'asset.bin')))).toBe(sha256(data));
  });

  test('enable-debug writes a log of the transfers and disable-debug stops it', async ({ world }) => {
    const url = world.url('debug');
    const repo = await lfsRepo(world, 'src', url);
    await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
    const on = await world.run('git-lfs-s3', ['enable-debug'], { cwd: repo });
    expect(on.stdout).toContain('git-lfs-s3.log');
    await addFiles(world, repo, { 'one.bin': randomBytes(1000) }, 'one');
    await world.git(['push', 'origin', 'main'], repo);
    const logFile = join(repo, '.git', 'lfs', 'tmp', 'git-lfs-s3.log');
    const first = await readFile(logFile, 'utf8');
    expect(first).toMatch(/init upload for origin: s3:\/\//);
    expect(first).toMatch(/upload [0-9a-f]{64} \(1000 bytes\) done in \d+ ms/);
    expect(first).toMatch(/s3: PUT \/.*\/debug\/lfs\/[0-9a-f]{64} -> 200/);
    expect(first).not.toContain(world.server.secretAccessKey);

    await world.run('git-lfs-s3', ['disable-debug'], { cwd: repo });
    await addFiles(world, repo, { 'two.bin': randomBytes(1000) }, 'two');
    await world.git(['push', 'origin', 'main'], repo);
    expect(await readFile(logFile, 'utf8')).toBe(first);
  });

  test('a missing bucket and missing credentials reach git-lfs as legible errors', async ({ world }) => {
    const repo = await lfsRepo(world, 'src', 's3://no-such-bucket-lfs/repo');
    await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
    await addFiles(world, repo, { 'a.bin': randomBytes(500) }, 'a');
    const missing = await world.run('git', ['lfs', 'push', '--all', 'origin'], { cwd: repo });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("bucket 'no-such-bucket-lfs' does not exist");

    await world.git(['remote', 'set-url', 'origin', world.url('creds')], repo);
    await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
    const noCreds = await world.run('git', ['lfs', 'push', '--all', 'origin'], {
      cwd: repo,
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(noCreds.code).not.toBe(0);
    expect(noCreds.stderr).toContain('no valid AWS credentials from the default credential chain');
  });
});

describe('the helper sets up git-lfs-s3 only for a repository that uses LFS', () => {
  test('a push and a fetch from a repository without LFS leave .git/config byte for byte as it was', async ({ world }) => {
    await world.git(['lfs', 'install', '--skip-repo'], world.dir);
    const repo = await repoWithRemote(world, 'plain', world.url('plain'));
    await commitFile(world, repo, '.gitattributes', '*.txt text eol=lf\n');
    const config = join(repo, '.git', 'config');
    const before = await readFile(config);
    const push = await world.run('git', ['push', 'origin', 'main'], { cwd: repo });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).not.toContain('git-lfs-s3');
    await world.git(['fetch', 'origin'], repo);
    expect((await readFile(config)).equals(before)).toBe(true);

    const clone = await world.run('git', ['clone', world.url('plain'), 'copy'], { cwd: world.dir });
    expect(clone.code, clone.stderr).toBe(0);
    expect(clone.stderr).not.toContain('git-lfs-s3');
    const lfsKeys = await world.run('git', ['config', '--local', '--get-regexp', 'lfs'], { cwd: join(world.dir, 'copy') });
    expect(lfsKeys.stdout).toBe('');
  });

  test('the first push of an LFS repository sets the agent up before git-lfs uploads, and says so in one line', async ({ world }) => {
    const url = world.url('first');
    const repo = await lfsRepo(world, 'src', url);
    const data = randomBytes(40 * 1024);
    await addFiles(world, repo, { 'a.bin': data }, 'a');
    const push = await world.run('git', ['push', 'origin', 'main'], { cwd: repo });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr.match(/^note: git-lfs-s3 set up for remote 'origin'$/gm)).toHaveLength(1);
    expect(await remoteKeys(world, 'first')).toContain(`first/lfs/${sha256(data)}`);
    expect((await world.git(['config', 'remote.origin.lfsurl'], repo)).trim()).toBe(`https://git-lfs-s3.invalid/s3/${world.bucket}/first`);

    const again = await world.run('git', ['push', 'origin', 'main'], { cwd: repo });
    expect(again.stderr).not.toContain('git-lfs-s3 set up');
  });

  test('LFS tracked from a subdirectory (its own .gitattributes) is set up on the first push, and a fresh clone checks it out', async ({
    world,
  }) => {
    const url = world.url('sub-attrs');
    await world.git(['lfs', 'install', '--skip-repo'], world.dir);
    const repo = await initRepo(world, 'src');
    await world.git(['remote', 'add', 'origin', url], repo);
    await mkdir(join(repo, 'assets'));
    await world.git(['lfs', 'track', '*.bin'], join(repo, 'assets'));
    const data = randomBytes(30 * 1024);
    await writeFile(join(repo, 'assets', 'a.bin'), data);
    await world.git(['add', '.'], repo);
    await world.git(['commit', '-q', '-m', 'assets in LFS'], repo);
    expect(existsSync(join(repo, '.gitattributes'))).toBe(false);

    const push = await world.run('git', ['push', 'origin', 'main'], { cwd: repo });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain("note: git-lfs-s3 set up for remote 'origin'");
    expect(await remoteKeys(world, 'sub-attrs')).toContain(`sub-attrs/lfs/${sha256(data)}`);

    const clone = await world.run('git', ['clone', '-q', url, 'copy'], { cwd: world.dir });
    expect(clone.code, clone.stderr).toBe(0);
    expect(sha256(await readFile(join(world.dir, 'copy', 'assets', 'a.bin')))).toBe(sha256(data));
  });

  test('pushing an LFS branch that is not checked out sets the agent up before git-lfs uploads its objects', async ({ world }) => {
    const url = world.url('side-branch');
    await world.git(['lfs', 'install', '--skip-repo'], world.dir);
    const repo = await initRepo(world, 'src');
    await world.git(['remote', 'add', 'origin', url], repo);
    await commitFile(world, repo, 'README', 'no LFS on main\n');
    await world.git(['checkout', '-q', '-b', 'feat'], repo);
    await world.git(['lfs', 'track', '*.bin'], repo);
    const data = randomBytes(30 * 1024);
    await writeFile(join(repo, 'z.bin'), data);
    await world.git(['add', '.'], repo);
    await world.git(['commit', '-q', '-m', 'feat with LFS'], repo);
    await world.git(['checkout', '-q', 'main'], repo);

    const push = await world.run('git', ['push', 'origin', 'feat'], { cwd: repo });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain("note: git-lfs-s3 set up for remote 'origin'");
    expect(await remoteKeys(world, 'side-branch')).toContain(`side-branch/lfs/${sha256(data)}`);
  });
});

describe('LFS interoperability with the Python awslabs git-lfs-s3', () => {
  beforeAll(async () => {
    await ensureAwslabs();
  });

  test('each agent downloads what the other uploaded to the same prefix', async ({ world }) => {
    const url = world.url('interop');
    const theirs = { ...awslabsEnv(world.env) };
    const pythonAgent = join(awslabsDir(), 'bin', 'git-lfs-s3');

    // Python uploads; ours downloads in a fresh clone.
    const py = await lfsRepo(world, 'py', url);
    await world.git(['config', 'lfs.customtransfer.git-lfs-s3.path', pythonAgent], py);
    await world.git(['config', 'lfs.standalonetransferagent', 'git-lfs-s3'], py);
    const fromPython = randomBytes(200 * 1024);
    await addFiles(world, py, { 'py.bin': fromPython }, 'from python');
    const pushed = await world.run('git', ['push', 'origin', 'main'], { cwd: py, env: theirs });
    expect(pushed.code, pushed.stderr).toBe(0);
    await world.git(['clone', '-q', url, 'ours'], world.dir);
    const ours = join(world.dir, 'ours');
    expect(sha256(await readFile(join(ours, 'py.bin')))).toBe(sha256(fromPython));

    // Ours uploads; Python downloads.
    const fromOurs = randomBytes(150 * 1024);
    await addFiles(world, ours, { 'ts.bin': fromOurs }, 'from typescript');
    await world.git(['push', 'origin', 'main'], ours);
    await world.run('git', ['pull', '-q', 'origin', 'main'], { cwd: py, env: { ...theirs, GIT_LFS_SKIP_SMUDGE: '1' } });
    const pulled = await world.run('git', ['lfs', 'pull'], { cwd: py, env: theirs });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(sha256(await readFile(join(py, 'ts.bin')))).toBe(sha256(fromOurs));
  });
});

describe.each(LAYOUTS)('git-lfs-s3 beside the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('git clone of an s3 remote with LFS files checks out real content with no extra command', async ({ world }) => {
    const url = world.url('auto');
    const repo = await lfsRepo(world, 'src', url);
    await world.git(['config', 'lfs.standalonetransferagent', 'git-lfs-s3'], repo);
    await world.git(['config', 'lfs.customtransfer.git-lfs-s3.path', 'git-lfs-s3'], repo);
    const data = randomBytes(300 * 1024);
    await addFiles(world, repo, { 'blob.bin': data }, 'blob');
    await world.git(['push', 'origin', 'main'], repo);

    const clone = await world.run('git', ['clone', url, 'fresh'], { cwd: world.dir });
    expect(clone.code, clone.stderr).toBe(0);
    expect(clone.stderr.match(/^note: git-lfs-s3 set up for remote 'origin'$/gm)).toHaveLength(1);
    expect(sha256(await readFile(join(world.dir, 'fresh', 'blob.bin')))).toBe(sha256(data));
    const lfsUrl = (await world.git(['config', 'remote.origin.lfsurl'], join(world.dir, 'fresh'))).trim();
    expect(lfsUrl).toBe(`https://git-lfs-s3.invalid/s3/${world.bucket}/auto`);
  });
});
