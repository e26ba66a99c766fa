// A user behind an HTTP proxy (DESIGN §12): with HTTP_PROXY (or http_proxy) set, every S3 request of a
// push, a clone and their LFS objects goes through the proxy, as git, git-lfs and the AWS CLI do; NO_PROXY
// names hosts reached directly. The proxy is the harness's recording forward proxy in front of the run's server.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { type HostProxy, type ProxiedRequest, startHostProxy } from '@git-remote-s3/test-harness/host-proxy';
import { LAYOUTS, useLayout } from '@git-remote-s3/test-harness/layouts';
import { initRepo, requestLines } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

/** A repository with one commit and one LFS file (*.bin tracked), `origin` at `url` with git-lfs-s3 set up. */
async function lfsRepo(world: World, url: string, lfsData: Buffer): Promise<string> {
  await world.git(['lfs', 'install', '--skip-repo'], world.dir);
  const repo = await initRepo(world, 'src');
  await world.git(['remote', 'add', 'origin', url], repo);
  await world.git(['lfs', 'track', '*.bin'], repo);
  await writeFile(join(repo, 'README'), '# behind a proxy\n');
  await writeFile(join(repo, 'data.bin'), lfsData);
  await world.git(['add', '.gitattributes', 'README', 'data.bin'], repo);
  await world.git(['commit', '-q', '-m', 'a file and an LFS file'], repo);
  const install = await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
  expect(install.code, install.stderr).toBe(0);
  return repo;
}

/** Runs git, fails with its stderr unless it exits 0, and returns stderr (the verbose request log). */
async function git(world: World, env: Record<string, string>, cwd: string, args: string[]): Promise<string> {
  const result = await world.run('git', args, { cwd, env });
  expect(result.code, `git ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stderr;
}

/** `PUT /bucket/key`: a request as the helper's log names it (listings without their query). */
const logged = (line: string) => line.replace(/^s3: (\S+) (\S+?)(\?prefix=\S*)? -> .*$/, '$1 $2');
const proxied = (r: ProxiedRequest) => `${r.method} ${decodeURIComponent(r.path.replace(/\?.*$/, ''))}`;

/**
 * The requests of `made` that `seen` lacks, counting repeats. The proxy may see more than the logs show: git-lfs
 * lists the remote's refs through our helper (`git ls-remote`) and keeps that run's stderr to itself.
 */
function missedBy(seen: readonly string[], made: readonly string[]): string[] {
  const left = [...seen];
  return made.filter((request) => {
    const at = left.indexOf(request);
    if (at >= 0) left.splice(at, 1);
    return at < 0;
  });
}

/** git-lfs runs the agent with its debug log on (the `enable-debug` setting, for this command only). */
const AGENT_LOG = ['-c', 'lfs.customtransfer.git-lfs-s3.args=debug'];

/** The S3 requests the LFS agent logged in `repo` (git-lfs keeps the agent's stderr to itself). */
async function agentLog(repo: string): Promise<string[]> {
  const log = await readFile(join(repo, '.git', 'lfs', 'tmp', 'git-lfs-s3.log'), 'utf8');
  // `<time> [<pid>] s3: PUT /bucket/key -> 200 (3 ms)`
  return requestLines(log.replace(/^\S+ \[\d+\] /gm, ''));
}

async function withProxy(world: World, body: (proxy: HostProxy) => Promise<void>): Promise<void> {
  const proxy = await startHostProxy(world.server.endpoint);
  try {
    await body(proxy);
  } finally {
    await proxy.stop();
  }
}

describe('an HTTP proxy in the environment', () => {
  test.for(LAYOUTS)(
    '%s layout: every S3 request of a push, a clone and their LFS object goes through HTTP_PROXY',
    async (layout, { world }) => {
      await useLayout(world, layout);
      await withProxy(world, async (proxy) => {
        const storeHost = new URL(world.server.endpoint).host;
        const lfsData = randomBytes(64 * 1024);
        const oid = createHash('sha256').update(lfsData).digest('hex');
        const repo = await lfsRepo(world, world.url('proxied'), lfsData);

        // Uppercase for the push, lowercase for the clone: both spellings count, as for curl and the AWS CLI.
        const pushLog = await git(world, { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, GIT_REMOTE_S3_VERBOSE: '1' }, repo, [
          ...AGENT_LOG,
          'push',
          'origin',
          'main',
        ]);
        const pushed = proxy.requests.splice(0).map(proxied);
        const pushRequests = [...requestLines(pushLog), ...(await agentLog(repo))].map(logged);
        expect(pushed).toContain(`PUT /${world.bucket}/proxied/lfs/${oid}`);
        expect(missedBy(pushed, pushRequests), 'requests logged that never went through the proxy').toEqual([]);

        const cloneLog = await git(world, { http_proxy: `http://127.0.0.1:${proxy.port}`, GIT_REMOTE_S3_VERBOSE: '1' }, world.dir, [
          ...AGENT_LOG,
          'clone',
          world.url('proxied'),
          'copy',
        ]);
        const cloned = proxy.requests.map(proxied);
        const cloneRequests = [...requestLines(cloneLog), ...(await agentLog(join(world.dir, 'copy')))].map(logged);
        expect(cloned).toContain(`GET /${world.bucket}/proxied/lfs/${oid}`);
        expect(missedBy(cloned, cloneRequests), 'requests logged that never went through the proxy').toEqual([]);
        expect(await readFile(join(world.dir, 'copy', 'data.bin'))).toEqual(lfsData);
        // Addressed to the store (absolute-form through the proxy), never to the proxy as an endpoint.
        expect(new Set(proxy.requests.map((r) => r.host))).toEqual(new Set([storeHost]));
      });
    },
  );

  test('NO_PROXY=127.0.0.1 sends a push, a clone and their LFS object straight to the store, past the proxy', async ({ world }) => {
    await withProxy(world, async (proxy) => {
      const lfsData = randomBytes(4096);
      const repo = await lfsRepo(world, world.url('direct'), lfsData);
      const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: '127.0.0.1', GIT_REMOTE_S3_VERBOSE: '1' };
      const pushLog = await git(world, env, repo, ['push', 'origin', 'main']);
      await git(world, { ...env, NO_PROXY: '', no_proxy: 'localhost,127.0.0.1' }, world.dir, ['clone', world.url('direct'), 'copy']);
      expect(requestLines(pushLog).length).toBeGreaterThan(0);
      expect(await readFile(join(world.dir, 'copy', 'data.bin'))).toEqual(lfsData);
      expect(proxy.requests).toEqual([]);
    });
  });

  test('a proxy that is down fails the push with a network error instead of going around it', async ({ world }) => {
    await withProxy(world, async (proxy) => {
      await proxy.stop();
      const repo = await initRepo(world, 'src');
      await writeFile(join(repo, 'README'), '# unreachable\n');
      await world.git(['add', 'README'], repo);
      await world.git(['commit', '-q', '-m', 'one'], repo);
      const result = await world.run('git', ['push', world.url('down'), 'main'], {
        cwd: repo,
        env: { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, AWS_MAX_ATTEMPTS: '1' },
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(
        `error: cannot reach ${world.server.endpoint} through proxy http://127.0.0.1:${proxy.port} (ECONNREFUSED); check the endpoint and your network`,
      );
      expect(await world.store.list('down/')).toMatchObject({ objects: [] });
    });
  });
});
