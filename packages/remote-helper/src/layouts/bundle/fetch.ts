// Fetch for the bundle layout: each wanted bundle is downloaded (ranged GETs in parallel when large) and
// streamed through the header parser into `git index-pack --stdin`; bundles whose tip is already present
// are skipped. Nothing is written to a temporary file or held whole in memory.
import { pipeline } from 'node:stream/promises';
import {
  CorruptObjectError,
  createProgress,
  downloadObject,
  GitFailedError,
  GitRemoteS3Error,
  mapConcurrent,
  missingObjects,
  objectUrl,
  type RepoOptions,
  spawnGit,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { splitBundle } from './bundle-file.js';
import type { BundleObject } from './ref-table.js';

const FETCH_CONCURRENCY = 4;

/** Makes the bundles' objects present in the repository at `options.cwd` (default: the current one). */
export async function fetchBundles(
  remote: Remote,
  bundles: readonly BundleObject[],
  progress: boolean,
  options: RepoOptions = {},
): Promise<void> {
  const unique = [...new Map(bundles.map((b) => [b.sha, b])).values()];
  const missing = await missingObjects(
    unique.map((b) => b.sha),
    options,
  );
  const wanted = unique.filter((b) => missing.has(b.sha));
  if (wanted.length === 0) return;
  const total = wanted.reduce((n, b) => n + b.size, 0);
  const meter = createProgress({ title: 'Downloading bundles', total, enabled: progress });
  const done = new Map<string, number>();
  const report = (sha: string, bytes: number) => {
    done.set(sha, bytes);
    meter.update([...done.values()].reduce((a, b) => a + b, 0));
  };
  // Parts within one bundle already go in parallel; across bundles, a few at a time.
  const sharedBy = Math.min(FETCH_CONCURRENCY, wanted.length);
  await mapConcurrent(wanted, FETCH_CONCURRENCY, (bundle) =>
    indexBundle(remote, bundle, { sharedBy, repo: options, onProgress: (n) => report(bundle.sha, n) }),
  );
  meter.finish();
}

interface IndexOptions {
  /** Bundles downloading side by side, sharing the store's transfer concurrency. */
  readonly sharedBy: number;
  readonly repo: RepoOptions;
  readonly onProgress: (n: number) => void;
}

async function indexBundle(remote: Remote, bundle: BundleObject, options: IndexOptions): Promise<void> {
  const where = objectUrl(remote.store.bucket, bundle.key);
  const { repo } = options;
  const body = await downloadObject(remote.store, bundle.key, {
    size: bundle.size,
    sharedBy: options.sharedBy,
    onProgress: options.onProgress,
  });
  const { header, pack } = await splitBundle(body, where);
  if (!header.refs.some((r) => r.sha === bundle.sha)) {
    pack.destroy();
    throw new CorruptObjectError(where, `its header does not list ${bundle.sha}`);
  }
  const thin = header.prerequisites.length > 0;
  if (thin) {
    const absent = await missingObjects(header.prerequisites, repo);
    if (absent.size > 0) {
      pack.destroy();
      throw new CorruptObjectError(where, `it needs ${absent.size} object(s) this repository does not have; it is not self-contained`);
    }
  }
  const git = spawnGit(['index-pack', '--stdin', ...(thin ? ['--fix-thin'] : [])], repo.cwd ? { cwd: repo.cwd } : {});
  git.stdout.resume();
  const [piped, indexed] = await Promise.allSettled([pipeline(pack, git.stdin), git.done]);
  // A download that broke (network, store) is the cause when index-pack then saw an early end: say that.
  if (piped.status === 'rejected' && piped.reason instanceof GitRemoteS3Error) throw piped.reason;
  if (indexed.status === 'rejected') {
    const error = indexed.reason;
    if (error instanceof GitFailedError) {
      const stderr = String(error.data.stderr ?? '').trim();
      throw new CorruptObjectError(where, `git index-pack rejected it (${stderr.split('\n').pop() ?? 'no detail'})`);
    }
    throw error;
  }
  // git took a whole pack and stopped reading: what follows it in the object is not git's (git itself
  // calls a bundle file like this corrupt, 'pack has junk at the end').
  if (piped.status === 'rejected') {
    throw piped.reason instanceof GitRemoteS3Error ? piped.reason : new CorruptObjectError(where, 'data follows the end of its pack');
  }
  const stillMissing = await missingObjects([bundle.sha], repo);
  if (stillMissing.size > 0) throw new CorruptObjectError(where, `its pack does not contain ${bundle.sha}`);
}
