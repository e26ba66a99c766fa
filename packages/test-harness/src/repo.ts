// Small repositories built with real git commands inside a test's world, and ways to look at a remote.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunOptions, World } from './context.js';

export interface RepoOptions {
  readonly objectFormat?: 'sha1' | 'sha256';
  readonly bare?: boolean;
}

/** `git init` of `<world.dir>/<name>` on branch main; returns its path. */
export async function initRepo(world: World, name: string, options: RepoOptions = {}): Promise<string> {
  const dir = join(world.dir, name);
  await world.git(
    [
      'init',
      '-q',
      '-b',
      'main',
      ...(options.objectFormat ? [`--object-format=${options.objectFormat}`] : []),
      ...(options.bare ? ['--bare'] : []),
      dir,
    ],
    world.dir,
  );
  return dir;
}

/** Writes `file` and commits it; returns the new commit id. */
export async function commitFile(world: World, repo: string, file: string, content: string, message = `change ${file}`): Promise<string> {
  await writeFile(join(repo, file), content);
  await world.git(['add', file], repo);
  await world.git(['commit', '-q', '-m', message], repo);
  return (await world.git(['rev-parse', 'HEAD'], repo)).trim();
}

/** A repository with one commit and `origin` at `url`. */
export async function repoWithRemote(world: World, name: string, url: string, options: RepoOptions = {}): Promise<string> {
  const repo = await initRepo(world, name, options);
  await commitFile(world, repo, 'README', `# ${name}\n`, 'initial commit');
  await world.git(['remote', 'add', 'origin', url], repo);
  return repo;
}

/** `git ls-remote` as a map of ref → id (HEAD included when advertised); `options.env` may pick another helper. */
export async function lsRemote(world: World, url: string, options?: RunOptions): Promise<Map<string, string>> {
  const out = await world.git(['ls-remote', url], world.dir, options);
  return new Map(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [sha, ref] = line.split('\t');
        return [ref ?? '', sha ?? ''];
      }),
  );
}

/** Every key under `<prefix>/` in the test bucket, sorted. */
export async function remoteKeys(world: World, prefix: string): Promise<string[]> {
  const { objects } = await world.store.list(`${prefix}/`);
  return objects.map((o) => o.key).sort();
}

/** The keys of the remote's layout under `<prefix>/`, sorted: every key but the push log's (`<prefix>/logs/`). */
export async function layoutKeys(world: World, prefix: string): Promise<string[]> {
  return (await remoteKeys(world, prefix)).filter((k) => !k.startsWith(`${prefix}/logs/`));
}

/** Counts the S3 requests in a verbose helper log (`s3: GET /bucket/key -> 200 (12 ms)` lines). */
export function requestLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^s3: (GET|PUT|POST|DELETE|HEAD) /.test(l));
}

/** The whole content of an object in the test bucket (tests only: small objects). */
export async function readObject(world: World, key: string): Promise<Buffer> {
  const { body } = await world.store.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
