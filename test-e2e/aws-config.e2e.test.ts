// A user whose S3 settings live in ~/.aws/config (DESIGN §12), as for the AWS CLI: a `[services …]` section
// supplies the endpoint, `s3 = addressing_style` picks the addressing, max_attempts the retries,
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns configured endpoints off; our defaults apply only where the file
// says nothing, and git config's s3.addressingStyle still wins. Virtual-hosted requests reach a MinIO that
// knows its domain through the harness's recording forward proxy, so no DNS entry is needed.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { type HostProxy, startHostProxy } from '@git-remote-s3/test-harness/host-proxy';
import { type S3Server, startMinio } from '@git-remote-s3/test-harness/minio';
import { lsRemote, repoWithRemote, requestLines } from '@git-remote-s3/test-harness/repo';
import { adminClient, createBucket, deleteBucket } from '@git-remote-s3/test-harness/server';
import { afterAll, beforeAll, describe, expect } from 'vitest';

/** The domain the virtual-hosted MinIO serves buckets under (`<bucket>.<domain>`). */
const DOMAIN = 's3.aws-config.test';
let minio: S3Server;
let proxy: HostProxy;

beforeAll(async () => {
  minio = await startMinio({ env: { MINIO_DOMAIN: DOMAIN } });
  proxy = await startHostProxy(minio.endpoint);
});

afterAll(async () => {
  await proxy?.stop();
  await minio?.stop();
});

/** Writes ~/.aws/config in the world's HOME. */
async function awsConfig(world: World, text: string): Promise<void> {
  await mkdir(join(world.home, '.aws'), { recursive: true });
  await writeFile(join(world.home, '.aws', 'config'), text);
}

/** No endpoint and no keys in the environment: the file must supply them. */
const FROM_FILE_ONLY = { AWS_ENDPOINT_URL: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };

async function git(world: World, env: Record<string, string | undefined>, cwd: string, args: string[]): Promise<string> {
  const result = await world.run('git', args, { cwd, env });
  expect(result.code, `git ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stderr;
}

describe('~/.aws/config', () => {
  test('a [services] section named by the profile supplies the endpoint when AWS_ENDPOINT_URL is unset', async ({ world }) => {
    const { server } = world;
    await awsConfig(
      world,
      [
        '[profile dev]',
        'services = local-s3',
        `region = ${server.region}`,
        `aws_access_key_id = ${server.accessKeyId}`,
        `aws_secret_access_key = ${server.secretAccessKey}`,
        '[services local-s3]',
        's3 =',
        `  endpoint_url = ${server.endpoint}`,
        '',
      ].join('\n'),
    );
    const env = { ...FROM_FILE_ONLY, AWS_PROFILE: 'dev' };
    const repo = await repoWithRemote(world, 'src', world.url('services'));
    await git(world, env, repo, ['push', 'origin', 'main']);
    const head = (await world.git(['rev-parse', 'HEAD'], repo)).trim();
    expect((await lsRemote(world, world.url('services'), { env })).get('refs/heads/main')).toBe(head);
    // The bucket really got it: read back with our own store, not through the config file.
    expect((await world.store.list('services/')).objects.length).toBeGreaterThan(0);
  });

  test('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores the services endpoint and goes to AWS, max_attempts times', async ({ world }) => {
    const { server } = world;
    await awsConfig(
      world,
      [
        '[default]',
        'services = local-s3',
        'max_attempts = 2',
        '[services local-s3]',
        's3 =',
        `  endpoint_url = ${server.endpoint}`,
        '',
      ].join('\n'),
    );
    const repo = await repoWithRemote(world, 'src', world.url('ignored'));
    // AWS itself is out of reach here: a proxy that is down shows where the requests were going, at once.
    const env = {
      AWS_ENDPOINT_URL: undefined,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      GIT_REMOTE_S3_VERBOSE: '1',
    };
    const ignored = await world.run('git', ['push', 'origin', 'main'], { cwd: repo, env });
    expect(ignored.code).not.toBe(0);
    expect(ignored.stderr).toContain('error: cannot reach https://s3.amazonaws.com through proxy http://127.0.0.1:9 (ECONNREFUSED)');
    // The request that failed first was tried max_attempts times (the others may be cut short by the exit).
    const mostTries = (stderr: string) => {
      const counts = new Map<string, number>();
      for (const line of requestLines(stderr)) {
        const request = line.replace(/ -> .*$/, '');
        counts.set(request, (counts.get(request) ?? 0) + 1);
      }
      return Math.max(...counts.values());
    };
    expect(mostTries(ignored.stderr)).toBe(2);
    // AWS_MAX_ATTEMPTS wins over the file's max_attempts.
    const once = await world.run('git', ['push', 'origin', 'main'], { cwd: repo, env: { ...env, AWS_MAX_ATTEMPTS: '1' } });
    expect(once.code).not.toBe(0);
    expect(mostTries(once.stderr)).toBe(1);

    // Without the switch the same file's endpoint serves, and nothing went to the bucket before.
    expect((await world.store.list('ignored/')).objects).toEqual([]);
    await git(world, { AWS_ENDPOINT_URL: undefined }, repo, ['push', 'origin', 'main']);
    expect((await world.store.list('ignored/')).objects.length).toBeGreaterThan(0);
  });

  test('s3 addressing_style = virtual is used where our default would be path-style; git config s3.addressingStyle wins', async ({
    world,
  }) => {
    const bucket = world.bucket;
    const admin = adminClient(minio);
    await createBucket(admin, bucket);
    try {
      const env = {
        AWS_ENDPOINT_URL: `http://${DOMAIN}:${new URL(minio.endpoint).port}`,
        AWS_ACCESS_KEY_ID: minio.accessKeyId,
        AWS_SECRET_ACCESS_KEY: minio.secretAccessKey,
        HTTP_PROXY: `http://127.0.0.1:${proxy.port}`,
      };
      const storeHost = new URL(env.AWS_ENDPOINT_URL).host;
      const repo = await repoWithRemote(world, 'src', world.url('styles'));
      const hostsOf = async (args: string[], cwd: string) => {
        proxy.requests.splice(0);
        await git(world, env, cwd, args);
        return new Set(proxy.requests.map((r) => `${r.host} ${r.path.split('/')[1]}`));
      };

      // Nothing in the file: a custom endpoint gets path-style, /<bucket>/<key> on the endpoint's host.
      expect(await hostsOf(['push', 'origin', 'main'], repo)).toEqual(new Set([`${storeHost} ${bucket}`]));

      await awsConfig(world, '[default]\ns3 =\n  addressing_style = virtual\n');
      await world.git(['commit', '-q', '--allow-empty', '-m', 'two'], repo);
      const virtual = await hostsOf(['push', 'origin', 'main'], repo);
      expect([...virtual].every((h) => h.startsWith(`${bucket}.${storeHost} `))).toBe(true);
      const cloned = await hostsOf(['clone', '-q', world.url('styles'), 'copy'], world.dir);
      expect([...cloned].every((h) => h.startsWith(`${bucket}.${storeHost} `))).toBe(true);
      expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe(
        (await world.git(['rev-parse', 'HEAD'], repo)).trim(),
      );

      await world.git(['config', 's3.addressingStyle', 'path'], repo);
      await world.git(['commit', '-q', '--allow-empty', '-m', 'three'], repo);
      expect(await hostsOf(['push', 'origin', 'main'], repo)).toEqual(new Set([`${storeHost} ${bucket}`]));
    } finally {
      await deleteBucket(admin, bucket);
      admin.destroy();
    }
  });
});
