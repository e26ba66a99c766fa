// Every failure a user can meet, produced for real: through git (the helper, the amazon-s3:// properties file,
// the LFS agent) and, beneath them, the §8 errors the store itself produces against the S3 server. Each says
// what failed, where, and what to do, in one line in git's voice; git exits non-zero with the remote left as
// it was.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openStore } from '@git-remote-s3/core';
import { serverLacks, test, type World } from '@git-remote-s3/test-harness/context';
import { useLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, lsRemote, readObject, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { restrictedCredentials } from '@git-remote-s3/test-harness/server';
import { describe, expect } from 'vitest';

/** Scenes that need narrower credentials, which the tests get from STS AssumeRole. */
const stsTest = test.skipIf(serverLacks('assumeRole'));
/** Scenes that plant a key with a control character and need the listing to show it as written. */
const ctlKeyTest = test.skipIf(serverLacks('controlCharacterKeys'));

describe('errors from the remote helper', () => {
  test('a bad url is refused before any request, showing the expected form', async ({ world }) => {
    const result = await world.run('git', ['ls-remote', 's3://my-bucket'], { cwd: world.dir, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "error: invalid remote url 's3://my-bucket': missing prefix after the bucket (the repository path); expected s3://",
    );
    expect(result.stderr).not.toMatch(/^s3: (GET|PUT)/m);
  });

  test('a missing bucket is named, with the endpoint and how to create it', async ({ world }) => {
    const result = await world.run('git', ['clone', 's3://no-such-bucket-e2e/repo', 'x'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `error: bucket 'no-such-bucket-e2e' does not exist at ${world.server.endpoint}; create it first (aws s3 mb s3://no-such-bucket-e2e) or check the remote url`,
    );
  });

  test('no credentials at all says where it looked and what to do', async ({ world }) => {
    const result = await world.run('git', ['ls-remote', world.url('repo')], {
      cwd: world.dir,
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /error: no valid AWS credentials from the default credential chain \(.+\); set AWS_PROFILE, AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, or run aws configure/,
    );
  });

  test('a named profile that does not exist is named in the message, with the files looked in', async ({ world }) => {
    const result = await world.run('git', ['ls-remote', `s3://ghost@${world.bucket}/repo`], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("error: AWS profile 'ghost' not found in ~/.aws/config or ~/.aws/credentials\n");
  });

  stsTest('denied writes name the action and the object, and the remote keeps its state', async ({ world }) => {
    const url = world.url('denied');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    await commitFile(world, src, 'x.txt', 'x\n');
    const readOnly = await restrictedCredentials(world.server, ['s3:ListBucket', 's3:GetObject']);
    const result = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: readOnly });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `! \\[remote rejected\\] main -> main \\(access denied: PutObject on s3://${world.bucket}/denied/refs/heads/main/LOCK#\\.lock; grant s3:PutObject`,
      ),
    );
    expect((await remoteKeys(world, 'denied')).filter((k) => k.endsWith('.bundle'))).toHaveLength(1);
  });

  stsTest('denied listing names ListBucket', async ({ world }) => {
    const noList = await restrictedCredentials(world.server, ['s3:GetObject']);
    const result = await world.run('git', ['ls-remote', world.url('repo')], { cwd: world.dir, env: noList });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`error: access denied: ListBucket on s3://${world.bucket}; grant s3:ListBucket`);
  });

  test('a push while another push holds the lock is refused with the lock, its age and the doctor command', async ({ world }) => {
    const url = world.url('locked');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    await commitFile(world, src, 'x.txt', 'x\n');
    await world.store.put('locked/refs/heads/main/LOCK#.lock', '');
    const result = await world.run('git', ['push', 'origin', 'main'], { cwd: src });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `! \\[remote rejected\\] main -> main \\(ref refs/heads/main is locked by another push \\(s3://${world.bucket}/locked/refs/heads/main/LOCK#\\.lock, \\d+s old\\); retry when it is done \\(a lock left by a push that died is stale in (1m00s|\\d+s), and the next push then takes it over\\)\\)`,
      ),
    );
    expect((await remoteKeys(world, 'locked')).filter((k) => k.endsWith('.bundle'))).toHaveLength(1);
  });

  test('two bundles for a ref while a push holds its lock make readers stop: retry, or doctor if it persists', async ({ world }) => {
    const url = world.url('twins');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    const first = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    const second = await commitFile(world, src, 'y.txt', 'y\n');
    await world.git(['push', 'origin', 'main:refs/heads/scratch'], src);
    await world.store.put(`twins/refs/heads/main/${second}.bundle`, await readObject(world, `twins/refs/heads/scratch/${second}.bundle`));
    await world.store.put('twins/refs/heads/main/LOCK#.lock', '');
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    // Nothing was changed by the reader: both bundles are still there for the push to finish with.
    expect((await remoteKeys(world, 'twins')).filter((k) => k.includes('/main/') && k.endsWith('.bundle')).sort()).toEqual(
      [`twins/refs/heads/main/${first}.bundle`, `twins/refs/heads/main/${second}.bundle`].sort(),
    );
    expect(result.stderr).toMatch(
      new RegExp(
        `error: ref refs/heads/main is being pushed right now \\(2 bundles while s3://${world.bucket}/twins/refs/heads/main/LOCK#\\.lock is \\d+s old\\); retry in a moment, or run 'git s3 doctor s3://${world.bucket}/twins' if it persists`,
      ),
    );
  });

  test('two bundles left by an interrupted push: readers use the newest, the next push keeps one and says so', async ({ world }) => {
    const url = world.url('leftover');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    const second = await commitFile(world, src, 'y.txt', 'y\n');
    await world.git(['push', 'origin', 'main:refs/heads/scratch'], src);
    const bundle = await readObject(world, `leftover/refs/heads/scratch/${second}.bundle`);
    await new Promise((r) => setTimeout(r, 1100)); // Last-Modified has one-second resolution
    await world.store.put(`leftover/refs/heads/main/${second}.bundle`, bundle);

    const clone = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(clone.code).toBe(0);
    expect(clone.stderr).toContain(
      `warning: refs/heads/main has 2 bundles (an interrupted push); using the newest, ${second.slice(0, 12)}`,
    );
    expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe(second);

    const third = await commitFile(world, src, 'z.txt', 'z\n');
    const push = await world.run('git', ['push', 'origin', 'main'], { cwd: src });
    expect(push.code).toBe(0);
    expect(push.stderr).toContain('removed 1 leftover bundle(s) of refs/heads/main from an interrupted push');
    expect((await remoteKeys(world, 'leftover')).filter((k) => k.includes('/main/'))).toEqual([`leftover/refs/heads/main/${third}.bundle`]);
  });

  test('a truncated bundle fails the clone naming the object, and nothing half-fetched is left as a ref', async ({ world }) => {
    const url = world.url('broken');
    const src = await repoWithRemote(world, 'src', url);
    for (let i = 0; i < 5; i++) await commitFile(world, src, `f${i}`, `${'data '.repeat(2000)}${i}\n`);
    await world.git(['push', 'origin', 'main'], src);
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    const key = `broken/refs/heads/main/${sha}.bundle`;
    const whole = await readObject(world, key);
    await world.store.put(key, whole.subarray(0, Math.floor(whole.length / 2)));

    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `error: s3://${world.bucket}/${key} is corrupt: git index-pack rejected it \\(.+\\); restore it from a good clone with a forced push`,
      ),
    );
  });

  test('a bundle with flipped bytes fails verification the same way', async ({ world }) => {
    const url = world.url('flipped');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    const key = `flipped/refs/heads/main/${sha}.bundle`;
    const bytes = await readObject(world, key);
    for (let i = bytes.length - 40; i < bytes.length - 20; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    await world.store.put(key, bytes);
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`error: s3://${world.bucket}/${key} is corrupt: git index-pack rejected it`);
  });

  ctlKeyTest('a key in the bucket that is not a valid ref name is ignored with a warning and never reaches git', async ({ world }) => {
    const url = world.url('weird');
    const src = await repoWithRemote(world, 'src', url);
    await world.git(['push', 'origin', 'main'], src);
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    await world.store.put(`weird/refs/heads/bad..name/${sha}.bundle`, 'x');
    await world.store.put(`weird/refs/heads/ctl\u0001x/${sha}.bundle`, 'x');
    const result = await world.run('git', ['ls-remote', url], { cwd: world.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: ignoring s3://${world.bucket}/weird/refs/heads/bad..name/${sha}.bundle: 'refs/heads/bad..name' contains '..'`,
    );
    expect(result.stderr).toContain('ctl\\x01x');
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[1]),
    ).toEqual(['HEAD', 'refs/heads/main']);
  });

  test('a push of a ref git itself would reject never reaches the bucket', async ({ world }) => {
    const url = world.url('refname');
    const src = await repoWithRemote(world, 'src', url);
    const result = await world.run('git', ['push', 'origin', 'main:refs/heads/bad..name'], { cwd: src });
    expect(result.code).not.toBe(0);
    expect(await remoteKeys(world, 'refname')).toEqual([]);
    expect((await lsRemote(world, url)).size).toBe(0);
    await writeFile(join(src, 'unused'), '');
  });
});

describe('errors from the remote helper on the packs layout', () => {
  /** A packs remote at `prefix` with two commits on main, pushed in two packs. */
  async function packsRemote(world: World, prefix: string) {
    await useLayout(world, 'packs');
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    for (let i = 0; i < 5; i++) await commitFile(world, src, `f${i}`, `${'data '.repeat(2000)}${i}\n`);
    await world.git(['push', '-q', 'origin', 'main'], src);
    return { url, src };
  }

  test('an info/refs line naming an invalid ref stops the clone, naming the object and the line', async ({ world }) => {
    const { url, src } = await packsRemote(world, 'badtable');
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    await world.store.put('badtable/info/refs', `${sha}\trefs/heads/main\n${sha}\trefs/heads/../../evil\n`);
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `error: s3://${world.bucket}/badtable/info/refs is corrupt: line 2 names an invalid ref 'refs/heads/../../evil'; restore it from a backup`,
    );
  });

  test('a pack list entry that is not a pack name never becomes a key or a path', async ({ world }) => {
    const { url } = await packsRemote(world, 'badlist');
    await world.store.put('badlist/objects/info/packs', 'P ../../../etc/passwd.pack\n\n');
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `error: s3://${world.bucket}/badlist/objects/info/packs is corrupt: line 1 is not 'P pack-<checksum>.pack'`,
    );
    expect(result.stderr).not.toMatch(/s3: GET .*passwd/);
  });

  test('a truncated pack fails the clone naming the object', async ({ world }) => {
    const { url } = await packsRemote(world, 'halfpack');
    const key = (await remoteKeys(world, 'halfpack')).find((k) => k.endsWith('.pack')) ?? '';
    const whole = await readObject(world, key);
    await world.store.put(key, whole.subarray(0, Math.floor(whole.length / 2)));
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(new RegExp(`error: s3://${world.bucket}/${key} is corrupt: git index-pack rejected it`));
  });
});

describe('the amazon-s3:// properties file', () => {
  test('a missing file, missing keys and a file others can read each get a clear message naming the file', async ({ world }) => {
    const noKeys = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
    const file = join(world.home, '.jgit');
    const url = `amazon-s3://.jgit@${world.bucket}/props.git`;
    const missing = await world.run('git', ['ls-remote', url], { cwd: world.dir, env: noKeys });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      'error: amazon-s3 properties file ~/.jgit not found; create it with accesskey and secretkey lines (chmod 600)\n',
    );

    await writeFile(file, `accesskey: ${world.server.accessKeyId}\n`, { mode: 0o600 });
    const partial = await world.run('git', ['ls-remote', url], { cwd: world.dir, env: noKeys });
    expect(partial.code).not.toBe(0);
    expect(partial.stderr).toContain(`${file}: no secretkey line`);
    expect(partial.stderr).not.toContain(world.server.accessKeyId);

    await writeFile(file, `accesskey: ${world.server.accessKeyId}\nsecretkey: ${world.server.secretAccessKey}\n`, { mode: 0o644 });
    await chmod(file, 0o644);
    const readable = await world.run('git', ['ls-remote', url], { cwd: world.dir, env: noKeys });
    expect(readable.code, readable.stderr).toBe(0);
    expect(readable.stderr).toContain(`warning: ${file} is readable by other users; run 'chmod 600 ${file}'`);
    expect(readable.stderr).not.toContain(world.server.secretAccessKey);
  });
});

describe('what the bucket can hold or send never reaches the "this is a bug" path', () => {
  /** A remote at `prefix` on `layout` with a few commits on main; returns its url and the source repository. */
  async function remoteOn(world: World, layout: 'bundle' | 'packs', prefix: string) {
    await useLayout(world, layout);
    const url = world.url(prefix);
    const src = await repoWithRemote(world, 'src', url);
    for (let i = 0; i < 3; i++) await commitFile(world, src, `f${i}`, `${'data '.repeat(2000)}${i}\n`);
    await world.git(['push', '-q', 'origin', 'main'], src);
    return { url, src, keys: await remoteKeys(world, prefix) };
  }

  test('a bundle with bytes after its pack fails the clone naming the object as corrupt', async ({ world }) => {
    const { url, keys } = await remoteOn(world, 'bundle', 'junk');
    const key = keys.find((k) => k.endsWith('.bundle')) ?? '';
    await world.store.put(key, Buffer.concat([await readObject(world, key), Buffer.alloc(1024 * 1024, 7)]));
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `error: s3://${world.bucket}/${key} is corrupt: data follows the end of its pack; restore it from a good clone with a forced push`,
    );
    expect(result.stderr).not.toContain('this is a bug');
  });

  test('an object under a bundle key that is no bundle at all fails the clone naming it', async ({ world }) => {
    const { url, keys } = await remoteOn(world, 'bundle', 'notbundle');
    const key = keys.find((k) => k.endsWith('.bundle')) ?? '';
    await world.store.put(key, '<html>not a bundle</html>\n\n');
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`error: s3://${world.bucket}/${key} is corrupt: it is not a git bundle (bad signature)`);
  });

  test('a pack with bytes after it fails the clone naming the object as corrupt', async ({ world }) => {
    const { url, keys } = await remoteOn(world, 'packs', 'junkpack');
    const key = keys.find((k) => k.endsWith('.pack')) ?? '';
    await world.store.put(key, Buffer.concat([await readObject(world, key), Buffer.alloc(1024 * 1024, 7)]));
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`error: s3://${world.bucket}/${key} is corrupt: data follows the end of its pack`);
    expect(result.stderr).not.toContain('this is a bug');
  });

  test('garbage in the HEAD of a packs remote is refused in one line, never cloned as an empty remote', async ({ world }) => {
    const { url } = await remoteOn(world, 'packs', 'badhead');
    await world.store.put('badhead/HEAD', Buffer.from([0, 1, 2, 0xff, 10]));
    // Read with a client that expects the bundle layout (the default): HEAD alone must not be guessed at.
    await writeFile(join(world.home, '.gitconfig'), (await readFile(join(world.home, '.gitconfig'), 'utf8')).replace(/\[s3\][^[]*/, ''));
    const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`error: cannot tell the layout of ${url}: s3://${world.bucket}/badhead/HEAD holds '\\x00\\x01\\x02`);
    expect(result.stderr).not.toContain('empty repository');
    expect(result.stderr).not.toContain('this is a bug');
  });

  test('a connection cut while a bundle streams in is a network error naming the endpoint', async ({ world }) => {
    const { url, keys } = await remoteOn(world, 'bundle', 'cut');
    const key = keys.find((k) => k.endsWith('.bundle')) ?? '';
    const proxy = await startCuttingProxy(world.server.endpoint, (path) => path.endsWith('.bundle'));
    try {
      const result = await world.run('git', ['clone', url, 'copy'], { cwd: world.dir, env: { AWS_ENDPOINT_URL: proxy.endpoint } });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(new RegExp(`error: cannot reach ${proxy.endpoint} \\(.+\\); check the endpoint and your network`));
      expect(result.stderr).not.toContain('this is a bug');
      expect(key).not.toBe('');
    } finally {
      await proxy.close();
    }
  });
});

/**
 * A proxy that forwards to `target` but, for GETs whose path `cut` picks, sends the headers and half the
 * body and a moment later resets the connection: what a flaky network or store does mid-download.
 */
async function startCuttingProxy(target: string, cut: (path: string) => boolean): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const upstream = httpRequest(`${target}${req.url ?? ''}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (req.method !== 'GET' || !cut((req.url ?? '').split('?')[0] ?? '')) {
        answer.pipe(res);
        return;
      }
      const half = Math.floor(Number(answer.headers['content-length'] ?? 0) / 2);
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        if (sent >= half) return;
        res.write(chunk.subarray(0, half - sent));
        sent += Math.min(chunk.length, half - sent);
        if (sent >= half) {
          answer.destroy();
          // Late enough that the client has the answer and is reading its body.
          setTimeout(() => res.socket?.resetAndDestroy(), 300);
        }
      });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('what git-lfs can send the agent never reaches the "this is a bug" path', () => {
  test('an upload of a file that is gone, a bad oid and a line that is not JSON each get a one-line answer', async ({ world }) => {
    const repo = await repoWithRemote(world, 'src', world.url('lfs'));
    const oid = 'a'.repeat(64);
    const input = [
      JSON.stringify({ event: 'init', operation: 'upload', remote: 'origin', concurrent: false, concurrenttransfers: 1 }),
      JSON.stringify({ event: 'upload', oid, size: 3, path: join(world.dir, 'gone.bin') }),
      JSON.stringify({ event: 'upload', oid: '../../etc/passwd', size: 3, path: join(repo, 'README') }),
      '{not json',
      JSON.stringify({ event: 'terminate' }),
      '',
    ].join('\n');
    const result = await world.run('git-lfs-s3', [], { cwd: repo, input });
    expect(result.code).toBe(0);
    const answers = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: string; oid?: string; error?: { code: number; message: string } });
    expect(answers[0]).toEqual({});
    const byOid = new Map(answers.filter((a) => a.event === 'complete').map((a) => [a.oid, a.error?.message]));
    expect(byOid.get(oid)).toBe(
      `cannot open '${join(world.dir, 'gone.bin')}': no such file or directory (ENOENT); check the path, its permissions and the free disk space`,
    );
    expect(byOid.get('../../etc/passwd')).toBe("git-lfs sent an invalid oid '../../etc/passwd': an LFS oid is 64 lowercase hex characters");
    expect(result.stdout).not.toContain('this is a bug');
    expect(await remoteKeys(world, 'lfs')).toEqual([]);
  });
});

describe('store errors from a real S3 server', () => {
  test('a missing bucket is named with the endpoint and how to create it', async ({ world }) => {
    const store = await openStore({ bucket: 'no-such-bucket-here', env: world.env });
    await expect(store.list('repo/refs/')).rejects.toThrow(
      `bucket 'no-such-bucket-here' does not exist at ${world.server.endpoint}; create it first (aws s3 mb s3://no-such-bucket-here) or check the remote url`,
    );
    store.close();
  });

  test('wrong credentials are reported as rejected credentials, never printing the secret', async ({ world }) => {
    const env = { ...world.env, AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG1', AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' };
    const wrong = await openStore({ bucket: world.bucket, env });
    const error = await wrong.list('repo/').catch((e: unknown) => e as Error);
    expect(error).toHaveProperty('code', 'no-credentials');
    expect((error as Error).message).toMatch(
      /^no valid AWS credentials from the default credential chain \(.* rejected them: InvalidAccessKeyId\); set AWS_PROFILE/,
    );
    expect((error as Error).message).not.toContain('wrong-secret-value');
    wrong.close();
  });

  test('a missing key is reported with its full s3 url', async ({ world }) => {
    await expect(world.store.get('repo/refs/heads/main/none.bundle')).rejects.toThrow(
      `s3://${world.bucket}/repo/refs/heads/main/none.bundle does not exist`,
    );
  });

  test('an unknown profile is refused when the store opens, naming the profile and the files looked in', async ({ world }) => {
    const env = {
      ...world.env,
      AWS_CONFIG_FILE: `${world.home}/.aws/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${world.home}/.aws/credentials`,
    };
    const error = await openStore({ bucket: world.bucket, profile: 'nosuchprofile', env }).catch((e: unknown) => e as Error);
    expect(error).toHaveProperty('code', 'no-such-profile');
    expect((error as Error).message).toBe("AWS profile 'nosuchprofile' not found in ~/.aws/config or ~/.aws/credentials");
  });

  test('an unreachable endpoint is a network error naming it', async ({ world }) => {
    const store = await openStore({ bucket: world.bucket, env: { ...world.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    await expect(store.list('repo/')).rejects.toThrow(
      /^cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\); check the endpoint and your network$/,
    );
    store.close();
  });
});
