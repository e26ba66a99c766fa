// Interoperability with JGit's command line, the client the amazon-s3:// URL, its properties file and the
// packs layout come from (issue 15, DESIGN §2, §4): each side clones, fetches and pushes what the other wrote
// on one prefix, a plain copy of the prefix agrees with `git ls-remote`, JGit pushes after our gc, JGit's
// properties files (acl spellings, protocol) work for us, and a prefix JGit encrypted is refused. JGit
// addresses S3 only as http://<bucket>.<domain>/<key>: it talks to a MinIO of its own started with
// MINIO_DOMAIN, through a forward proxy that keeps the Host header, so no DNS entry is needed.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type ObjectStore, openStore } from '@git-remote-s3/core';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { type HostProxy, startHostProxy } from '@git-remote-s3/test-harness/host-proxy';
import { ensureJgit, JGIT_VERSION, javaMissing, jgit } from '@git-remote-s3/test-harness/jgit';
import { type S3Server, startMinio } from '@git-remote-s3/test-harness/minio';
import { commitFile, initRepo, lsRemote } from '@git-remote-s3/test-harness/repo';
import { adminClient, createBucket, deleteBucket } from '@git-remote-s3/test-harness/server';
import { afterAll, beforeAll, describe, expect } from 'vitest';

const NO_JAVA = javaMissing();
if (NO_JAVA) process.stderr.write(`interop-jgit: skipping the JGit interoperability tests: ${NO_JAVA}; install a JDK 17+ to run them\n`);

/** The domain JGit puts after the bucket name; MinIO takes the bucket from the Host header. */
const DOMAIN = 'jgit.test';
let minio: S3Server;
let proxy: HostProxy;

beforeAll(async () => {
  if (NO_JAVA) return;
  await ensureJgit();
  minio = await startMinio({ env: { MINIO_DOMAIN: DOMAIN } });
  proxy = await startHostProxy(minio.endpoint);
});

afterAll(async () => {
  await proxy?.stop();
  await minio?.stop();
});

/** A bucket on JGit's MinIO, properties files for each client, and ways to run each on it. */
interface Shared {
  readonly bucket: string;
  readonly store: ObjectStore;
  /** JGit's url: its properties file names the domain only (JGit's default protocol is http). */
  jgitUrl(prefix: string): string;
  /** Ours: the same keys with `domain: 127.0.0.1:<proxy>` and `protocol: http`, path-style through the proxy. */
  oursUrl(prefix: string): string;
  /** Writes both properties files with `extra` lines (acl, password…). */
  writeProps(extra?: string): Promise<void>;
  /** Runs JGit in `cwd` and fails the test with its output unless it exits 0; returns stdout. */
  jgit(args: readonly string[], cwd: string): Promise<string>;
  /** The environment that points s3:// urls (our helper and git s3) at JGit's MinIO. */
  readonly s3Env: Record<string, string>;
  dispose(): Promise<void>;
}

async function shared(world: World): Promise<Shared> {
  const bucket = world.bucket;
  const admin = adminClient(minio);
  await createBucket(admin, bucket);
  const credentials = { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
  const store = await openStore({ bucket, endpoint: minio.endpoint, credentials, env: {} });
  const keys = `accesskey: ${minio.accessKeyId}\nsecretkey: ${minio.secretAccessKey}\n`;
  const writeProps = async (extra = '') => {
    await writeFile(join(world.home, '.jgit_s3'), `${keys}domain: ${DOMAIN}\n${extra}`, { mode: 0o600 });
    await writeFile(join(world.home, '.ours_s3'), `${keys}domain: 127.0.0.1:${proxy.port}\nprotocol: http\n${extra}`, { mode: 0o600 });
  };
  await writeProps();
  return {
    bucket,
    store,
    jgitUrl: (prefix) => `amazon-s3://.jgit_s3@${bucket}/${prefix}`,
    oursUrl: (prefix) => `amazon-s3://.ours_s3@${bucket}/${prefix}`,
    writeProps,
    async jgit(args, cwd) {
      const result = await jgit(args, world.env, { cwd, home: world.home, proxyPort: proxy.port });
      expect(result.code, `jgit ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`).toBe(0);
      return result.stdout;
    },
    s3Env: {
      AWS_ENDPOINT_URL: minio.endpoint,
      AWS_ACCESS_KEY_ID: minio.accessKeyId,
      AWS_SECRET_ACCESS_KEY: minio.secretAccessKey,
    },
    async dispose() {
      store.close();
      await deleteBucket(admin, bucket);
      admin.destroy();
    },
  };
}

async function withShared(world: World, body: (s: Shared) => Promise<void>): Promise<void> {
  const s = await shared(world);
  try {
    await body(s);
  } finally {
    await s.dispose();
  }
}

async function revParse(world: World, repo: string, rev: string): Promise<string> {
  return (await world.git(['rev-parse', rev], repo)).trim();
}

/** A repository's refs under `namespace`, as `{ 'refs/remotes/origin/main': sha }`. */
async function refsUnder(world: World, repo: string, namespace: string): Promise<Record<string, string>> {
  const out = await world.git(['for-each-ref', '--format=%(refname) %(objectname)', namespace], repo);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')),
  );
}

/** A repository with main (two commits), feature and an annotated tag v1, pushed by JGit to `prefix`. */
async function jgitPushed(world: World, s: Shared, prefix: string) {
  const src = await initRepo(world, `jgit-src-${prefix}`);
  await commitFile(world, src, 'README', 'jgit\n', 'initial commit');
  await world.git(['checkout', '-q', '-b', 'feature'], src);
  const feature = await commitFile(world, src, 'f.txt', 'feature\n');
  await world.git(['checkout', '-q', 'main'], src);
  const main = await commitFile(world, src, 'a.txt', 'a\n');
  await world.git(['tag', '-a', 'v1', '-m', 'release 1'], src);
  await s.jgit(['push', s.jgitUrl(prefix), 'refs/heads/main', 'refs/heads/feature', 'refs/tags/v1'], src);
  return { src, main, feature, tag: await revParse(world, src, 'v1') };
}

/** On top of what JGit pushed: we push a commit to main and delete feature. Returns our clone and main. */
async function oursOnTop(world: World, s: Shared, prefix: string) {
  await world.git(['clone', '-q', s.oursUrl(prefix), `ours-${prefix}`], world.dir);
  const ours = join(world.dir, `ours-${prefix}`);
  const main = await commitFile(world, ours, 'b.txt', 'ours\n');
  await world.git(['push', '-q', 'origin', 'main'], ours);
  await world.git(['push', '-q', 'origin', '--delete', 'feature'], ours);
  return { ours, main };
}

/** Downloads every key under `<prefix>/` into a directory: a plain copy of the prefix. */
async function plainCopy(world: World, s: Shared, prefix: string): Promise<string> {
  const dir = join(world.dir, `copy-${prefix}`);
  await mkdir(join(dir, 'refs'), { recursive: true });
  for (const { key } of (await s.store.list(`${prefix}/`)).objects) {
    const file = join(dir, key.slice(prefix.length + 1));
    await mkdir(dirname(file), { recursive: true });
    const { body } = await s.store.get(key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    await writeFile(file, Buffer.concat(chunks));
  }
  return dir;
}

describe.skipIf(NO_JAVA)(`sharing an amazon-s3 remote with JGit ${JGIT_VERSION}`, () => {
  test('a repository JGit pushed clones through git-remote-s3 with the same refs, and fetches what JGit pushes next', async ({ world }) =>
    withShared(world, async (s) => {
      const pushed = await jgitPushed(world, s, 'from-jgit.git');
      await world.git(['clone', '-q', s.oursUrl('from-jgit.git'), 'clone'], world.dir);
      const clone = join(world.dir, 'clone');
      expect(await refsUnder(world, clone, 'refs/remotes/origin')).toEqual({
        'refs/remotes/origin/HEAD': pushed.main,
        'refs/remotes/origin/feature': pushed.feature,
        'refs/remotes/origin/main': pushed.main,
      });
      expect(await revParse(world, clone, 'v1')).toBe(pushed.tag);
      expect(await revParse(world, clone, 'v1^{commit}')).toBe(pushed.main);
      expect(await revParse(world, clone, 'HEAD')).toBe(pushed.main);

      const next = await commitFile(world, pushed.src, 'c.txt', 'next\n');
      await s.jgit(['push', s.jgitUrl('from-jgit.git'), 'refs/heads/main'], pushed.src);
      await world.git(['fetch', '-q', 'origin'], clone);
      expect(await revParse(world, clone, 'origin/main')).toBe(next);
      await world.git(['fsck', '--no-progress'], clone);
    }));

  test('after we push on top of JGit and delete a branch JGit created, JGit fetches with prune exactly our refs', async ({ world }) =>
    withShared(world, async (s) => {
      const prefix = 'mixed.git';
      await jgitPushed(world, s, prefix);
      await s.jgit(['clone', s.jgitUrl(prefix), 'jgit-clone'], world.dir);
      const jgitClone = join(world.dir, 'jgit-clone');
      const { main } = await oursOnTop(world, s, prefix);

      await s.jgit(['fetch', '--prune'], jgitClone);
      expect(await refsUnder(world, jgitClone, 'refs/remotes/origin')).toEqual({ 'refs/remotes/origin/main': main });
      const listed = await lsRemote(world, s.oursUrl(prefix));
      expect(listed.get('refs/heads/main')).toBe(main);
      expect(listed.has('refs/heads/feature')).toBe(false);
    }));

  test('a plain copy of the prefix is a bare repository whose refs and peeled tags agree with git ls-remote', async ({ world }) =>
    withShared(world, async (s) => {
      const prefix = 'copied.git';
      const pushed = await jgitPushed(world, s, prefix);
      const { main } = await oursOnTop(world, s, prefix);

      const copy = await plainCopy(world, s, prefix);
      const fromCopy = await lsRemote(world, copy);
      const fromHelper = await lsRemote(world, s.oursUrl(prefix));
      const withoutPeeled = (refs: Map<string, string>) => new Map([...refs].filter(([ref]) => !ref.endsWith('^{}')));
      expect(withoutPeeled(fromCopy)).toEqual(fromHelper);
      expect(Object.fromEntries(fromCopy)).toEqual({
        HEAD: main,
        'refs/heads/main': main,
        'refs/tags/v1': pushed.tag,
        'refs/tags/v1^{}': pushed.main,
      });
      await world.git(['--git-dir', copy, 'fsck', '--no-progress', '--connectivity-only'], world.dir);
      // JGit's tag is loose, so git peels it above whatever packed-refs says; packed-refs alone must not
      // tell a reader that the tag does not peel: a fully-peeled header needs its ^ line.
      const packed = await readFile(join(copy, 'packed-refs'), 'utf8');
      const tagLine = `${pushed.tag} refs/tags/v1\n`;
      expect(packed).toContain(tagLine);
      if (packed.split('\n')[0]?.includes('fully-peeled')) expect(packed).toContain(`${tagLine}^${pushed.main}\n`);
    }));

  test('JGit pushes after git s3 gc, and then both JGit and git-remote-s3 clone every ref', async ({ world }) =>
    withShared(world, async (s) => {
      const prefix = 'gc.git';
      const pushed = await jgitPushed(world, s, prefix);
      await commitFile(world, pushed.src, 'second.txt', 'second\n');
      await s.jgit(['push', s.jgitUrl(prefix), 'refs/heads/main'], pushed.src);
      await world.git(['clone', '-q', s.oursUrl(prefix), 'ours'], world.dir);
      const ours = join(world.dir, 'ours');
      await world.git(['checkout', '-q', '-b', 'ours'], ours);
      const oursTip = await commitFile(world, ours, 'o.txt', 'ours\n');
      await world.git(['push', '-q', 'origin', 'ours'], ours);
      const packsBefore = (await s.store.getText(`${prefix}/objects/info/packs`))?.text.trim().split('\n') ?? [];
      expect(packsBefore).toHaveLength(3);

      const gc = await world.run('git', ['s3', 'gc', s.oursUrl(prefix)]);
      expect(gc.code, gc.stderr).toBe(0);
      expect((await s.store.getText(`${prefix}/objects/info/packs`))?.text.trim().split('\n')).toHaveLength(1);

      const last = await commitFile(world, pushed.src, 'third.txt', 'third\n');
      await s.jgit(['push', s.jgitUrl(prefix), 'refs/heads/main'], pushed.src);

      await world.git(['clone', '-q', s.oursUrl(prefix), 'ours-after'], world.dir);
      const oursAfter = join(world.dir, 'ours-after');
      await s.jgit(['clone', s.jgitUrl(prefix), 'jgit-after'], world.dir);
      const jgitAfter = join(world.dir, 'jgit-after');
      for (const clone of [oursAfter, jgitAfter]) {
        expect(await refsUnder(world, clone, 'refs/remotes/origin/main')).toEqual({ 'refs/remotes/origin/main': last });
        expect(await revParse(world, clone, 'origin/ours')).toBe(oursTip);
        expect(await revParse(world, clone, 'origin/feature')).toBe(pushed.feature);
        await world.git(['fsck', '--no-progress'], clone);
      }
    }));

  test.for([
    ['PRIVATE', 'private'],
    ['public', 'public-read'],
    ['Public-Read', 'public-read'],
    ['PUBLIC_READ', 'public-read'],
  ] as const)(
    "JGit's acl spelling %s and protocol: http work for both clients, and both write objects %s",
    async ([acl, canned], { world }) =>
      withShared(world, async (s) => {
        await s.writeProps(`acl: ${acl}\n`);
        const prefix = 'acl.git';
        const before = proxy.requests.length;
        const pushed = await jgitPushed(world, s, prefix);
        const { main } = await oursOnTop(world, s, prefix);
        expect((await lsRemote(world, s.oursUrl(prefix))).get('refs/heads/main')).toBe(main);

        const puts = proxy.requests.slice(before).filter((r) => r.method === 'PUT' && r.path.includes(prefix));
        const jgitPuts = puts.filter((r) => r.host === `${s.bucket}.${DOMAIN}`);
        const ourPuts = puts.filter((r) => r.host === `127.0.0.1:${proxy.port}`);
        expect(jgitPuts.length).toBeGreaterThan(0);
        // protocol: http took our requests to the proxy's plain-http port, path-style
        expect(ourPuts.length).toBeGreaterThan(0);
        expect(new Set(jgitPuts.map((r) => r.headers['x-amz-acl']))).toEqual(new Set([canned]));
        // private is S3's default: we send no acl header for it
        expect(new Set(ourPuts.map((r) => r.headers['x-amz-acl']))).toEqual(new Set([canned === 'private' ? undefined : canned]));
        expect(pushed.main).not.toBe(main);
      }),
  );

  test('a prefix JGit encrypted (password in its properties file) is refused in one line, never cloned as empty', async ({ world }) =>
    withShared(world, async (s) => {
      const prefix = 'secret.git';
      await s.writeProps('password: correct horse battery staple\n');
      const src = await initRepo(world, 'secret-src');
      await commitFile(world, src, 'README', 'secret\n');
      await s.jgit(['push', s.jgitUrl(prefix), 'refs/heads/main'], src);
      expect((await s.store.getText(`${prefix}/HEAD`))?.text).not.toMatch(/^ref: /);

      const url = s.oursUrl(prefix);
      const viaProps = await world.run('git', ['clone', url, 'via-props'], { cwd: world.dir });
      expect(viaProps.code).not.toBe(0);
      const refusal = `error: ${url} is encrypted by JGit (password in ${join(world.home, '.ours_s3')}); git-remote-s3 cannot read JGit's encryption`;
      expect(viaProps.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([refusal]);
      expect(viaProps.stderr).not.toContain('correct horse');
      expect((await world.run('git', ['-C', 'via-props', 'rev-parse'], { cwd: world.dir })).code).not.toBe(0);

      // Read with plain credentials, its HEAD is ciphertext: neither layout, so every command refuses it.
      const s3Url = `s3://${s.bucket}/${prefix}`;
      const unknown = `error: cannot tell the layout of ${s3Url}: s3://${s.bucket}/${prefix}/HEAD holds '`;
      const commands = [
        ['clone', s3Url, 'via-s3'],
        ['ls-remote', s3Url],
        ['s3', 'list', s3Url],
        ['s3', 'doctor', s3Url],
        ['s3', 'gc', s3Url],
        ['s3', 'migrate', s3Url, '--to', 'bundle'],
      ];
      for (const args of commands) {
        const result = await world.run('git', args, { cwd: world.dir, env: s.s3Env });
        expect(result.code, `git ${args.join(' ')}`).not.toBe(0);
        expect(result.stderr, `git ${args.join(' ')}`).toContain(unknown);
      }
      const keys = (await s.store.list(`${prefix}/`)).objects.map((o) => o.key);
      expect(keys).toContain(`${prefix}/info/refs`);
      expect(keys.filter((k) => k.includes('/lfs/') || k.includes('s3-'))).toEqual([]);
    }));
});
