// What `git s3 migrate` needs of each layout, as the source (the layout the remote holds) and as the target
// (the one asked for): one entry per layout, so that migrate.ts never asks which layout it holds.
import { formatBytes, type LayoutName, type ListResult, parseBundleLayoutKey } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { buildRefTable, resolveRef } from '../../layouts/bundle/ref-table.js';
import { readRefTable } from '../../layouts/packs/info-refs.js';
import { setProtected } from '../../layouts/packs/protected-refs.js';
import { currentBundles, openBundleSource, readBundleTable } from './bundle-source.js';
import { BundleTarget } from './bundle-target.js';
import { findBundleLeftovers, findPacksLeftovers, type Leftovers, markedBranches, removeLeftovers } from './leftovers.js';
import type { MigratedRef, Reporter, Snapshot, Source, Target } from './migration.js';
import { openPacksSource } from './packs-source.js';
import { PacksTarget } from './packs-target.js';
import { newHeadBranch } from './plan.js';

/** What the remote showed when migrate began: its HEAD (with ETag) and the listing of `<prefix>/refs/`. */
export interface Evidence {
  readonly head: { readonly text: string; readonly etag: string } | undefined;
  readonly refs: ListResult;
}

export interface MigrationEndpoint {
  /** What readers of the layout read, for messages (`the remote's bundles`). */
  readonly objectsName: string;
  /** Said after the source's snapshot: what taking it holds until the end ('' for nothing). */
  readonly holdNote: string;
  /**
   * Whether the remote, detected in this layout, holds nothing to migrate: protection set before a first push
   * (`git s3 protect` on an empty remote writes a marker) is no repository, and applies when that push comes.
   */
  holdsNothing(remote: Remote, evidence: Evidence): boolean;
  /** Opens the remote's layout as the source: its snapshot, taken under whatever locks the layout has. */
  openSource(remote: Remote, evidence: Evidence, to: LayoutName): Promise<Source>;
  /** `--dry-run`: the snapshot a migration would take, read without a lock or a write, and what it would read. */
  planSnapshot(remote: Remote, evidence: Evidence, to: LayoutName): Promise<{ snapshot: Snapshot; toRead: string }>;
  /** A target writing this layout beside the source. */
  newTarget(remote: Remote, report: Reporter): Target;
  /** Keys of this layout an interrupted migration to it left, to remove before writing it again. */
  staleTargetKeys(remote: Remote, refs: readonly MigratedRef[]): Promise<Leftovers>;
  /** The remote already holds this layout: removes what an interrupted migration away from the other one left. */
  removeOtherLayout(remote: Remote, evidence: Evidence, report: Reporter): Promise<void>;
}

const bundleEndpoint: MigrationEndpoint = {
  objectsName: 'bundles',
  holdNote: '; holding their locks: pushes to them are refused until the end',
  holdsNothing: (remote, evidence) =>
    evidence.head === undefined && evidence.refs.objects.every((o) => parseBundleLayoutKey(remote.url.prefix, o.key).kind === 'protected'),
  openSource: (remote, evidence, to) => openBundleSource(remote, evidence.refs, evidence.head, to),
  async planSnapshot(remote, evidence) {
    const table = readBundleTable(remote, evidence.refs);
    const bundles = currentBundles(remote, table);
    const refs = bundles.map(({ ref, bundle }) => ({ ref, sha: bundle.sha }));
    const snapshot = {
      refs,
      headBranch: newHeadBranch(evidence.head?.text.trim(), refs),
      protectedRefs: [...table.refs.values()].filter((e) => e.protected).map((e) => e.ref),
      objectFormat: undefined,
    };
    return { snapshot, toRead: `; ${formatBytes(bundles.reduce((n, b) => n + b.bundle.size, 0))} of bundles to read` };
  },
  newTarget: (remote, report) => new BundleTarget(remote, report),
  staleTargetKeys: (remote, refs) => findBundleLeftovers(remote, refs, { keepMarkers: true }),
  async removeOtherLayout(remote, evidence, report) {
    await removeLeftovers(remote, await findPacksLeftovers(remote, newestBundles(remote, evidence.refs)), report);
  },
};

const packsEndpoint: MigrationEndpoint = {
  objectsName: 'packs',
  holdNote: '',
  holdsNothing: () => false,
  openSource: (remote, evidence, to) => openPacksSource(remote, evidence.refs, evidence.head, to),
  async planSnapshot(remote, evidence, to) {
    const source = await openPacksSource(remote, evidence.refs, evidence.head, to);
    return { snapshot: source.snapshot, toRead: '' };
  },
  newTarget: (remote, report) => new PacksTarget(remote, report),
  staleTargetKeys: (remote, refs) => findPacksLeftovers(remote, refs),
  async removeOtherLayout(remote, evidence, report) {
    const leftovers = await findBundleLeftovers(remote, (await readRefTable(remote)).refs, { keepMarkers: false });
    await keepMarkedProtection(remote, evidence.refs, report);
    await removeLeftovers(remote, leftovers, report);
  },
};

/** The one place that maps a layout's name to what migrate does with it. */
export const ENDPOINTS: Readonly<Record<LayoutName, MigrationEndpoint>> = { bundle: bundleEndpoint, packs: packsEndpoint };

/**
 * A PROTECTED# marker in a packs remote is protection asked for with `git s3 protect`, which writes one
 * whatever the layout: it moves into info/s3-protected, where the packs layout looks, before it is deleted.
 */
async function keepMarkedProtection(remote: Remote, refsListing: ListResult, report: Reporter): Promise<void> {
  for (const ref of markedBranches(remote, refsListing)) {
    if (await setProtected(remote, ref, true)) report.say(`moved the protection of ${ref} from its PROTECTED# marker to info/s3-protected`);
  }
}

/** Each ref's newest bundle, whatever its locks: only to name what leftovers hold that the remote does not. */
function newestBundles(remote: Remote, listing: ListResult): MigratedRef[] {
  const table = buildRefTable(remote.url.prefix, listing.objects, listing.serverTime);
  return [...table.refs.values()].flatMap((entry) => {
    const resolution = resolveRef(entry, remote.settings.lockTtlMs, table.serverTime, true);
    return resolution.kind === 'one' ? [{ ref: entry.ref, sha: resolution.bundle.sha }] : [];
  });
}
