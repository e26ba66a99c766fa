// A bucket in another region than the configured one (DESIGN §2, §11): a second MinIO that says it is in
// eu-west-3, used with AWS_REGION=us-east-1 and with no region configured at all. Every command (the helper
// on both layouts, the management commands, the LFS agent with a multipart upload) follows the store's answer,
// works, and with verbosity on names the region it used.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ObjectStore, openStore } from '@git-remote-s3/core';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS } from '@git-remote-s3/test-harness/layouts';
import { type S3Server, startMinio } from '@git-remote-s3/test-harness/minio';
import { commitFile, initRepo } from '@git-remote-s3/test-harness/repo';
import { adminClient, createBucket, deleteBucket } from '@git-remote-s3/test-harness/server';
import { afterAll, beforeAll, describe, expect } from 'vitest';

const REGION = 'eu-west-3';
let regional: S3Server;

beforeAll(async () => {
  regional = await startMinio({ env: { MINIO_REGION: REGION } });
});

afterAll(async () => {
  await regional?.stop();
});

/** The configured region of each case: a wrong one, and none at all (not even AWS_DEFAULT_REGION). */
const CONFIGURED = [
  { name: 'AWS_REGION=us-east-1', env: { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' }, from: 'us-east-1' },
  { name: 'no region configured', env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, from: 'us-east-1' },
] as const;

/** A bucket on the eu-west-3 server, the environment that points every command at it, and a store to read it. */
async function regionalBucket(world: World, regionEnv: Readonly<Record<string, string | undefined>>) {
  const bucket = `${world.bucket}-eu`;
  const admin = adminClient({ ...regional, region: REGION });
  await createBucket(admin, bucket);
  const env = {
    AWS_ENDPOINT_URL: regional.endpoint,
    AWS_ACCESS_KEY_ID: regional.accessKeyId,
    AWS_SECRET_ACCESS_KEY: regional.secretAccessKey,
    GIT_REMOTE_S3_VERBOSE: '1',
    ...regionEnv,
  };
  // Opened without a region: it finds eu-west-3 by itself, as the commands do.
  const store = await openStore({
    bucket,
    endpoint: regional.endpoint,
    credentials: { accessKeyId: regional.accessKeyId, secretAccessKey: regional.secretAccessKey },
    env: {},
  });
  return {
    bucket,
    env,
    store,
    dispose: async () => {
      store.close();
      await deleteBucket(admin, bucket);
      admin.destroy();
    },
  };
}

/** Runs git with `env` and fails with its stderr unless it exits 0; returns stderr (the verbose log). */
async function git(world: World, env: Record<string, string | undefined>, cwd: string, args: string[]): Promise<string> {
  const result = await world.run('git', args, { cwd, env });
  expect(result.code, `git ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return `${result.stdout}${result.stderr}`;
}

const switched = (bucket: string, from: string) => `s3: bucket ${bucket} is in region ${REGION}, not ${from}: using ${REGION}`;

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await store.list(`${prefix}/`)).objects.map((o) => o.key);
}

describe.each(CONFIGURED)('a bucket in eu-west-3 with $name', ({ env: regionEnv, from }) => {
  test.for(LAYOUTS)('%s layout: push, clone, fetch, git s3 list and doctor work and the log names eu-west-3', async (layout, { world }) => {
    const b = await regionalBucket(world, regionEnv);
    try {
      const url = `s3://${b.bucket}/repo`;
      const src = await initRepo(world, 'src');
      if (layout === 'packs') await world.git(['config', 's3.layout', 'packs'], src);
      const first = await commitFile(world, src, 'README', 'hello\n');
      await world.git(['remote', 'add', 'origin', url], src);
      const push = await git(world, b.env, src, ['push', 'origin', 'main']);
      expect(push).toContain(switched(b.bucket, from));
      // Told once: every later request of the process goes to eu-west-3 directly.
      expect(push.split(switched(b.bucket, from))).toHaveLength(2);
      const stored = await keys(b.store, 'repo');
      expect(stored.some((k) => (layout === 'packs' ? k.endsWith('.pack') : k.endsWith(`${first}.bundle`)))).toBe(true);

      const clone = await git(world, b.env, world.dir, ['clone', url, 'copy']);
      expect(clone).toContain(switched(b.bucket, from));
      const copy = join(world.dir, 'copy');
      expect((await world.git(['rev-parse', 'HEAD'], copy)).trim()).toBe(first);

      const second = await commitFile(world, src, 'more.txt', 'more\n');
      await git(world, b.env, src, ['push', 'origin', 'main']);
      await git(world, b.env, copy, ['fetch', 'origin']);
      expect((await world.git(['rev-parse', 'origin/main'], copy)).trim()).toBe(second);

      const list = await world.run('git', ['s3', 'list', 'origin'], { cwd: src, env: b.env });
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain('main');
      expect(list.stdout).toContain(second.slice(0, 7));
      expect(list.stderr).toContain(switched(b.bucket, from));
      const doctor = await world.run('git', ['s3', 'doctor', 'origin'], { cwd: src, env: b.env });
      expect(doctor.code, `${doctor.stdout}${doctor.stderr}`).toBe(0);
      expect(doctor.stderr).toContain(switched(b.bucket, from));
    } finally {
      await b.dispose();
    }
  });

  test('LFS: a 20 MiB object (multipart) and a small one push and come back in a fresh clone; the agent log names eu-west-3', async ({
    world,
  }) => {
    const b = await regionalBucket(world, regionEnv);
    try {
      const url = `s3://${b.bucket}/lfs`;
      await world.git(['lfs', 'install', '--skip-repo'], world.dir);
      const repo = await initRepo(world, 'src');
      await world.git(['remote', 'add', 'origin', url], repo);
      await world.git(['lfs', 'track', '*.bin'], repo);
      const files = { 'large.bin': randomBytes(20 * 1024 * 1024), 'small.bin': randomBytes(1000) };
      for (const [name, data] of Object.entries(files)) await writeFile(join(repo, name), data);
      await world.git(['add', '.gitattributes', ...Object.keys(files)], repo);
      await world.git(['commit', '-q', '-m', 'lfs files'], repo);
      await world.run('git-lfs-s3', ['install', '--remote', 'origin'], { cwd: repo });
      await world.run('git-lfs-s3', ['enable-debug'], { cwd: repo });
      await git(world, b.env, repo, ['push', 'origin', 'main']);
      const agentLog = await readFile(join(repo, '.git', 'lfs', 'tmp', 'git-lfs-s3.log'), 'utf8');
      expect(agentLog).toContain(switched(b.bucket, from));
      // The large object went up in parts (create and complete are POSTs) after the switch.
      expect(agentLog.split(switched(b.bucket, from))[1]).toMatch(/s3: POST \S+\/lfs\/lfs\/[0-9a-f]{64} -> 200/);
      const large = (await keys(b.store, 'lfs')).filter((k) => k.startsWith('lfs/lfs/'));
      expect(large).toHaveLength(2);

      await git(world, b.env, world.dir, ['clone', url, 'copy']);
      for (const [name, data] of Object.entries(files)) {
        expect((await readFile(join(world.dir, 'copy', name))).equals(data), name).toBe(true);
      }
    } finally {
      await b.dispose();
    }
  });
});
