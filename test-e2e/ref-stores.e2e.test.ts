// Readers of the bare repository a packs-layout prefix is (JGit's amazon-s3 transport, git on a plain copy)
// consult packed-refs and loose `refs/…` keys besides info/refs. Here JGit's writes are made directly with the
// test store as JGit makes them (a loose key `<id>\n` per pushed ref, info/refs without `^{}` lines), and
// every ref store must then say what info/refs says after our push, delete, doctor --sync-refs and migrate.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { commitFile, lsRemote, readObject, remoteKeys, repoWithRemote, requestLines } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

async function packsRemote(world: World, prefix: string) {
  const url = world.url(prefix);
  const repo = await repoWithRemote(world, 'src', url);
  await world.git(['config', 's3.layout', 'packs'], repo);
  await world.git(['push', '-q', 'origin', 'main'], repo);
  return { url, repo };
}

const rev = async (world: World, repo: string, what: string) => (await world.git(['rev-parse', what], repo)).trim();

/** A loose ref as JGit writes one for every ref it pushes. */
const writeLooseRef = (world: World, prefix: string, ref: string, sha: string) => world.store.put(`${prefix}/${ref}`, `${sha}\n`);

/** Every key of the prefix downloaded into a directory: the bare repository any reader of the bucket sees. */
async function plainCopy(world: World, prefix: string, name = 'copy'): Promise<string> {
  const dir = join(world.dir, name);
  for (const key of await remoteKeys(world, prefix)) {
    const file = join(dir, key.slice(prefix.length + 1));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, await readObject(world, key));
  }
  await mkdir(join(dir, 'refs'), { recursive: true });
  return dir;
}

/** `git for-each-ref` of a bare copy, as ref → id. */
async function copyRefs(world: World, copy: string): Promise<Map<string, string>> {
  const out = await world.git(['--git-dir', copy, 'for-each-ref', '--format=%(refname) %(objectname)'], world.dir);
  return new Map(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  );
}

const gitS3 = (world: World, cwd: string, args: readonly string[]) => world.run('git', ['s3', ...args], { cwd });

describe('loose refs a JGit push left', () => {
  test('our push updates a stale loose ref, and a plain copy of the prefix agrees with ls-remote', async ({ world }) => {
    const { url, repo } = await packsRemote(world, 'jg/up');
    await writeLooseRef(world, 'jg/up', 'refs/heads/main', await rev(world, repo, 'main'));
    const next = await commitFile(world, repo, 'a.txt', 'a\n');
    await world.git(['push', '-q', 'origin', 'main'], repo);

    expect((await world.store.getText('jg/up/refs/heads/main'))?.text).toBe(`${next}\n`);
    const copy = await plainCopy(world, 'jg/up');
    expect(await copyRefs(world, copy)).toEqual(new Map([['refs/heads/main', next]]));
    expect(await lsRemote(world, copy)).toEqual(await lsRemote(world, url));
  });

  test('a deleted branch loses its loose key (push --delete and git s3 delete-branch), so it does not come back for a reader of the bare repository', async ({
    world,
  }) => {
    const { url, repo } = await packsRemote(world, 'jg/del');
    const main = await rev(world, repo, 'main');
    await world.git(['push', '-q', 'origin', 'main:topic', 'main:other'], repo);
    for (const ref of ['refs/heads/main', 'refs/heads/topic', 'refs/heads/other']) await writeLooseRef(world, 'jg/del', ref, main);

    await world.git(['push', '-q', 'origin', '--delete', 'topic'], repo);
    const deleted = await gitS3(world, repo, ['delete-branch', 'origin', 'other']);
    expect(deleted.code, deleted.stderr).toBe(0);

    const keys = await remoteKeys(world, 'jg/del');
    expect(keys.filter((k) => k.startsWith('jg/del/refs/'))).toEqual(['jg/del/refs/heads/main']);
    const copy = await plainCopy(world, 'jg/del');
    expect(await copyRefs(world, copy)).toEqual(new Map([['refs/heads/main', main]]));
    expect(await lsRemote(world, copy)).toEqual(await lsRemote(world, url));
  });

  test('a push makes one LIST more than before, and writes only for loose refs that exist', async ({ world }) => {
    const { repo } = await packsRemote(world, 'jg/cost');
    /** `s3: GET /<bucket>/jg/cost/HEAD -> 200 (3 ms)` → `GET HEAD`; a listing → `LIST refs/`; pack names elided. */
    const request = (line: string) => {
      const m = /^s3: (\w+) \/[^/]+\/(?:\?prefix=jg\/cost\/(\S*)|jg\/cost\/(\S*)) /.exec(line);
      return m?.[2] !== undefined
        ? `LIST ${m[2]}`
        : `${m?.[1]} ${(m?.[3] ?? line).replace(/pack-[0-9a-f]+/, 'pack-*').replace(/^logs\/\S+\.json$/, 'logs/*')}`;
    };
    const push = async () => {
      await commitFile(world, repo, `f${Date.now()}.txt`, 'x\n');
      const result = await world.run('git', ['push', 'origin', 'main'], { cwd: repo, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
      expect(result.code, result.stderr).toBe(0);
      return requestLines(result.stderr).map(request).sort();
    };
    // Before loose refs were kept in step, a push made 8 requests: all of these but the LIST (and the push log's PUT, added later).
    const before = [
      'GET HEAD',
      'GET info/refs',
      'PUT objects/pack/pack-*.pack',
      'PUT objects/pack/pack-*.idx',
      'GET objects/info/packs',
      'PUT objects/info/packs',
      'PUT info/refs',
      'PUT packed-refs',
      'PUT logs/*',
    ];
    expect(await push()).toEqual([...before, 'LIST refs/'].sort());

    // With a loose key for the pushed ref: it is rewritten, and info/refs looked at once to see that no
    // later commit landed meanwhile.
    await writeLooseRef(world, 'jg/cost', 'refs/heads/main', await rev(world, repo, 'main'));
    expect(await push()).toEqual([...before, 'LIST refs/', 'PUT refs/heads/main', 'HEAD info/refs'].sort());
  });
});

describe('git s3 doctor and the ref stores', () => {
  test('names a stale loose ref and one of a deleted branch with both values; --sync-refs repairs them and doctor is then clean', async ({
    world,
  }) => {
    const { url, repo } = await packsRemote(world, 'jg/doc');
    const old = await rev(world, repo, 'main');
    const next = await commitFile(world, repo, 'b.txt', 'b\n');
    await world.git(['push', '-q', 'origin', 'main'], repo);
    // As a JGit push that died between its loose writes and info/refs, or an older tool, would leave them.
    await writeLooseRef(world, 'jg/doc', 'refs/heads/main', old);
    await writeLooseRef(world, 'jg/doc', 'refs/heads/gone', old);

    const report = await gitS3(world, repo, ['doctor', 'origin']);
    expect(report.code).toBe(1);
    const bucket = `s3://${world.bucket}/jg/doc`;
    expect(report.stdout).toContain(
      `problem: loose ref ${bucket}/refs/heads/main says ${old}, info/refs says ${next}: git and JGit reading the bucket see the loose value\n`,
    );
    expect(report.stdout).toContain(
      `problem: loose ref ${bucket}/refs/heads/gone says ${old}, info/refs has no refs/heads/gone: git and JGit reading the bucket still see it\n`,
    );
    expect(report.stdout).toContain(`hint: run 'git s3 doctor --sync-refs ${url}'\n`);
    expect(report.stdout).toMatch(/doctor: 2 problems found\n$/);

    const repair = await gitS3(world, repo, ['doctor', '--sync-refs', 'origin']);
    expect(repair.code, repair.stdout).toBe(0);
    expect(repair.stdout).toContain(
      'done: rewrote packed-refs and 1 loose ref from info/refs; removed 1 loose ref of refs info/refs lacks\n',
    );
    expect((await world.store.getText('jg/doc/refs/heads/main'))?.text).toBe(`${next}\n`);
    expect(await world.store.head('jg/doc/refs/heads/gone')).toBeUndefined();

    const again = await gitS3(world, repo, ['doctor', 'origin']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/doctor: no problems found\n$/);
    expect(await copyRefs(world, await plainCopy(world, 'jg/doc'))).toEqual(new Map([['refs/heads/main', next]]));
  });

  test('names a packed-refs entry that disagrees with info/refs and a key under refs/ that is no ref', async ({ world }) => {
    const { url, repo } = await packsRemote(world, 'jg/pk');
    const main = await rev(world, repo, 'main');
    const other = 'f'.repeat(40);
    await world.store.put('jg/pk/packed-refs', `# pack-refs with: peeled fully-peeled sorted \n${other} refs/heads/main\n`);
    await world.store.put('jg/pk/refs/heads/bad..name', `${main}\n`);
    const report = await gitS3(world, repo, ['doctor', url]);
    expect(report.code).toBe(1);
    const bucket = `s3://${world.bucket}/jg/pk`;
    expect(report.stdout).toContain(`problem: ${bucket}/packed-refs says refs/heads/main is ${other}, info/refs says ${main}\n`);
    expect(report.stdout).toContain(`problem: ${bucket}/refs/heads/bad..name is not a ref ('refs/heads/bad..name' contains '..')\n`);
    expect(report.stdout).toContain(`hint: remove it if nothing else needs it: aws s3 rm ${bucket}/refs/heads/bad..name\n`);
  });

  test('--sync-refs on a bundle remote is only noted: that layout keeps no info/refs, packed-refs or loose refs', async ({ world }) => {
    const url = world.url('jg/bundle');
    const repo = await repoWithRemote(world, 'src', url);
    await world.git(['push', '-q', 'origin', 'main'], repo);
    const report = await gitS3(world, repo, ['doctor', '--sync-refs', 'origin']);
    expect(report.code).toBe(0);
    expect(report.stdout).toBe(
      `doctor: checking ${url} (lock TTL 1m00s)\nnote: --sync-refs is for the packs layout; a bundle remote keeps no info/refs, packed-refs or loose refs\ndoctor: no problems found\n`,
    );
  });

  test('without info/refs, refs that packed-refs and loose keys name are reported, and --sync-refs deletes none of them', async ({
    world,
  }) => {
    const { url, repo } = await packsRemote(world, 'jg/noinfo');
    await writeLooseRef(world, 'jg/noinfo', 'refs/heads/main', await rev(world, repo, 'main'));
    await world.store.delete('jg/noinfo/info/refs');
    const report = await gitS3(world, repo, ['doctor', '--sync-refs', url]);
    expect(report.code).toBe(1);
    expect(report.stdout).toContain(
      `problem: s3://${world.bucket}/jg/noinfo/info/refs is missing, but packed-refs and loose refs name 1 ref: this tool lists none of them\n`,
    );
    expect(report.stdout).not.toContain('--sync-refs');
    expect(report.stdout).not.toContain('done:');
    expect(await world.store.head('jg/noinfo/refs/heads/main')).toBeDefined();
    expect((await world.store.getText('jg/noinfo/packed-refs'))?.text).toContain(' refs/heads/main\n');
  });
});

describe('annotated tags JGit listed without a peeled line', () => {
  /** Annotated tag v1 on main pushed, then left as JGit leaves it: info/refs without ^{}, a loose key for the tag. */
  async function jgitTag(world: World, prefix: string, repo: string) {
    await world.git(['tag', '-a', 'v1', '-m', 'one'], repo);
    await world.git(['push', '-q', 'origin', 'v1'], repo);
    const tag = await rev(world, repo, 'v1');
    const commit = await rev(world, repo, 'main');
    await world.store.put(`${prefix}/info/refs`, `${commit}\trefs/heads/main\n${tag}\trefs/tags/v1\n`);
    await writeLooseRef(world, prefix, 'refs/tags/v1', tag);
    return { tag, commit };
  }

  /** `git show-ref -d` of a bare copy without the loose tag key, so that packed-refs alone answers. */
  async function peeledInCopy(world: World, prefix: string, name: string): Promise<string> {
    const copy = await plainCopy(world, prefix, name);
    await world.run('rm', ['-f', join(copy, 'refs', 'tags', 'v1')]);
    return world.git(['--git-dir', copy, 'show-ref', '-d', 'v1'], world.dir);
  }

  test('a push from a repository that has the tag writes its peeled line to info/refs and packed-refs', async ({ world }) => {
    const { repo } = await packsRemote(world, 'jg/tag');
    const { tag, commit } = await jgitTag(world, 'jg/tag', repo);
    const next = await commitFile(world, repo, 'c.txt', 'c\n');
    await world.git(['push', '-q', 'origin', 'main'], repo);

    expect((await world.store.getText('jg/tag/info/refs'))?.text).toBe(
      `${next}\trefs/heads/main\n${tag}\trefs/tags/v1\n${commit}\trefs/tags/v1^{}\n`,
    );
    const packed = (await world.store.getText('jg/tag/packed-refs'))?.text;
    expect(packed).toBe(`# pack-refs with: peeled fully-peeled sorted \n${next} refs/heads/main\n${tag} refs/tags/v1\n^${commit}\n`);
    expect(await peeledInCopy(world, 'jg/tag', 'copy')).toBe(`${tag} refs/tags/v1\n${commit} refs/tags/v1^{}\n`);
  });

  test('a push from a repository without the tag object does not declare it unpeeled: a reader peels it from the pack', async ({
    world,
  }) => {
    const { url, repo } = await packsRemote(world, 'jg/notag');
    // A copy of the repository made before the tag was: a clone of the remote would have the tag object,
    // inside the pack it came in.
    await world.git(['clone', '-q', '--no-local', repo, 'notags'], world.dir);
    const notags = join(world.dir, 'notags');
    await world.git(['remote', 'set-url', 'origin', url], notags);
    const { tag, commit } = await jgitTag(world, 'jg/notag', repo);
    await world.git(['cat-file', '-e', tag], notags).then(
      () => expect.fail('the clone has the tag object'),
      () => {},
    );
    await commitFile(world, notags, 'd.txt', 'd\n');
    await world.git(['push', '-q', 'origin', 'main'], notags);

    const packed = (await world.store.getText('jg/notag/packed-refs'))?.text ?? '';
    expect(packed.split('\n')[0]).toBe('# pack-refs with: sorted ');
    expect(packed).toContain(`${tag} refs/tags/v1\n`);
    expect(await peeledInCopy(world, 'jg/notag', 'copy')).toBe(`${tag} refs/tags/v1\n${commit} refs/tags/v1^{}\n`);
  });
});

describe('git s3 migrate and loose refs', () => {
  test('migrating to the bundle layout removes the loose refs, and migrating back leaves none', async ({ world }) => {
    const { url, repo } = await packsRemote(world, 'jg/mig');
    const main = await rev(world, repo, 'main');
    await writeLooseRef(world, 'jg/mig', 'refs/heads/main', main);

    const toBundle = await gitS3(world, repo, ['migrate', '--to', 'bundle', url]);
    expect(toBundle.code, toBundle.stderr).toBe(0);
    let keys = await remoteKeys(world, 'jg/mig');
    expect(keys.filter((k) => k.startsWith('jg/mig/refs/'))).toEqual([`jg/mig/refs/heads/main/${main}.bundle`]);
    expect((await gitS3(world, repo, ['doctor', url])).code).toBe(0);

    const toPacks = await gitS3(world, repo, ['migrate', '--to', 'packs', url]);
    expect(toPacks.code, toPacks.stderr).toBe(0);
    keys = await remoteKeys(world, 'jg/mig');
    expect(keys.filter((k) => k.startsWith('jg/mig/refs/'))).toEqual([]);
    expect((await lsRemote(world, url)).get('refs/heads/main')).toBe(main);
  });

  test('a packs remote already migrated keeps its loose refs when migrate --to packs runs again', async ({ world }) => {
    const { url, repo } = await packsRemote(world, 'jg/again');
    const main = await rev(world, repo, 'main');
    await writeLooseRef(world, 'jg/again', 'refs/heads/main', main);
    const result = await gitS3(world, repo, ['migrate', '--to', 'packs', url]);
    expect(result.code, result.stderr).toBe(0);
    expect((await world.store.getText('jg/again/refs/heads/main'))?.text).toBe(`${main}\n`);
  });
});
