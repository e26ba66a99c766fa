// Fetch for the packs layout: packs this repository has not indexed yet are downloaded (ranged GETs in
// parallel when large) and streamed into `git index-pack --stdin`; which packs were taken from which
// remote is remembered under <git-dir>/s3-remote, so a local repack never makes us download them again.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  CorruptObjectError,
  createProgress,
  downloadObject,
  GitFailedError,
  gitDir,
  mapConcurrent,
  missingObjects,
  objectUrl,
  packDirPrefix,
  packKeys,
  packListKey,
  parsePackList,
  type RepoOptions,
  spawnGit,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';

/** Makes the objects `wanted` present in the repository at `options.cwd` (default: the current one). */
export async function fetchPacks(remote: Remote, wanted: readonly string[], progress: boolean, options: RepoOptions = {}): Promise<void> {
  if ((await missingObjects(wanted, options)).size === 0) return;
  const prefix = remote.url.prefix;
  const [list, listing] = await Promise.all([remote.store.getText(packListKey(prefix)), remote.store.list(packDirPrefix(prefix))]);
  const names = list ? parsePackList(list.text, objectUrl(remote.store.bucket, packListKey(prefix))) : [];
  const sizes = new Map(listing.objects.map((o) => [o.key, o.size]));
  const record = join(
    await gitDir(options),
    's3-remote',
    `${createHash('sha256').update(`${remote.store.bucket}/${prefix}`).digest('hex').slice(0, 16)}.packs`,
  );
  const held = new Set((await readFile(record, 'utf8').catch(() => '')).split('\n').filter(Boolean));
  const todo = names.filter((n) => !held.has(n));
  const total = todo.reduce((n, name) => n + (sizes.get(packKeys(prefix, name).pack) ?? 0), 0);
  const meter = createProgress({ title: 'Downloading packs', total, enabled: progress });
  const done = new Map<string, number>();
  await mkdir(join(record, '..'), { recursive: true });
  await mapConcurrent(todo, 2, async (name) => {
    const key = packKeys(prefix, name).pack;
    const where = objectUrl(remote.store.bucket, key);
    const body = await downloadObject(remote.store, key, {
      ...(sizes.has(key) ? { size: sizes.get(key) as number } : {}),
      partSize: remote.settings.partSize,
      concurrency: Math.max(1, Math.floor(remote.settings.concurrency / 2)),
      onProgress: (n) => {
        done.set(name, n);
        meter.update([...done.values()].reduce((a, b) => a + b, 0));
      },
    });
    const git = spawnGit(['index-pack', '--stdin'], options.cwd ? { cwd: options.cwd } : {});
    git.stdout.resume();
    const [piped, indexed] = await Promise.allSettled([pipeline(body, git.stdin), git.done]);
    if (indexed.status === 'rejected') {
      const error = indexed.reason;
      if (error instanceof GitFailedError) {
        throw new CorruptObjectError(
          where,
          `git index-pack rejected it (${String(error.data.stderr ?? '')
            .trim()
            .split('\n')
            .pop()})`,
        );
      }
      throw error;
    }
    if (piped.status === 'rejected') throw piped.reason;
    await appendFile(record, `${name}\n`);
  });
  meter.finish();
  const still = await missingObjects(wanted, options);
  if (still.size > 0) {
    throw new CorruptObjectError(
      objectUrl(remote.store.bucket, packListKey(prefix)),
      `no pack holds ${[...still][0]}; the pack list is incomplete`,
    );
  }
}
