// Fetch for the bundle layout: each wanted bundle is downloaded (ranged GETs in parallel when large) and
// streamed through the header parser into `git index-pack --stdin`; bundles whose tip is already present
// are skipped. Nothing is written to a temporary file or held whole in memory.
import {
  CorruptObjectError,
  downloadObject,
  mapConcurrent,
  missingObjects,
  objectUrl,
  type RepoOptions,
  type SharedTerminal,
  shareTerminal,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { indexPackStream } from '../index-pack.js';
import { splitBundle } from './bundle-file.js';
import type { BundleObject } from './ref-table.js';

const FETCH_CONCURRENCY = 4;

/**
 * Makes the bundles' objects present in the repository at `options.cwd` (default: the current one);
 * `progress`: index-pack's own meters (`Receiving objects`, bytes and rate included), one bundle after another.
 */
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
  // Parts within one bundle already go in parallel; across bundles, a few at a time.
  const sharedBy = Math.min(FETCH_CONCURRENCY, wanted.length);
  const meters = progress ? shareTerminal() : undefined;
  await mapConcurrent(wanted, FETCH_CONCURRENCY, (bundle) => indexBundle(remote, bundle, { sharedBy, repo: options, meters }));
}

interface IndexOptions {
  /** Bundles downloading side by side, sharing the store's transfer concurrency. */
  readonly sharedBy: number;
  readonly repo: RepoOptions;
  readonly meters: SharedTerminal | undefined;
}

async function indexBundle(remote: Remote, bundle: BundleObject, options: IndexOptions): Promise<void> {
  const where = objectUrl(remote.store.bucket, bundle.key);
  const { repo } = options;
  const body = await downloadObject(remote.store, bundle.key, {
    size: bundle.size,
    sharedBy: options.sharedBy,
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
  await indexPackStream(pack, where, repo.cwd ? { cwd: repo.cwd } : {}, thin ? ['--fix-thin'] : [], options.meters);
  const stillMissing = await missingObjects([bundle.sha], repo);
  if (stillMissing.size > 0) throw new CorruptObjectError(where, `its pack does not contain ${bundle.sha}`);
}
