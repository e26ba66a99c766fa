// A bundle-layout remote as the source of a migration: refused while any ref is locked; then every ref's
// lock is held (pushes to existing refs are refused as "locked"), its bundles are read under those locks,
// and any key that changes under refs/ afterwards (a push of a new ref) is noticed before and after the switch.
import {
  type LayoutName,
  type ListResult,
  LockHeldError,
  LockLostError,
  looseRefsOf,
  MigrationAbortedError,
  MigrationRefusedError,
  objectUrl,
  refsPrefix,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { fetchBundles } from '../../layouts/bundle/fetch.js';
import { ambiguityError, type BundleObject, type BundleRefTable, buildRefTable, resolveRef } from '../../layouts/bundle/ref-table.js';
import type { MigratedRef, Snapshot, Source } from './migration.js';
import { keyChanges, lockedRefusal, nameRefs, newHeadBranch } from './plan.js';
import { RefLocks } from './ref-locks.js';

/**
 * The listing without loose refs (`refs/heads/x` holding an id): those are the packs layout's, written by JGit
 * or any tool that took the prefix for a bare repository; the packs side of a migration deletes them.
 */
export function withoutLooseRefs(prefix: string, listing: ListResult): ListResult {
  const loose = new Set(looseRefsOf(prefix, listing.objects).map((l) => l.key));
  return loose.size === 0 ? listing : { ...listing, objects: listing.objects.filter((o) => !loose.has(o.key)) };
}

/** The remote's refs/ read from one listing: refused when a key is not the layout's, or a ref is locked. */
export function readBundleTable(remote: Remote, listing: ListResult): BundleRefTable {
  const { objects } = withoutLooseRefs(remote.url.prefix, listing);
  const table = buildRefTable(remote.url.prefix, objects, listing.serverTime);
  const [invalid] = table.invalid;
  if (invalid) {
    throw new MigrationRefusedError(
      remote.display,
      `${objectUrl(remote.store.bucket, invalid.key)} is not a key of the bundle layout (${invalid.reason}); move or delete it first ('git s3 doctor ${remote.display}' lists such keys)`,
    );
  }
  for (const entry of table.refs.values()) {
    if (entry.lock) {
      throw lockedRefusal(
        { ref: entry.ref, key: entry.lock.key, lastModified: entry.lock.lastModified },
        { serverTime: table.serverTime, ttlMs: remote.settings.lockTtlMs, bucket: remote.store.bucket, display: remote.display },
      );
    }
  }
  return table;
}

export interface RefBundle {
  readonly ref: string;
  readonly bundle: BundleObject;
}

/** Each ref's current bundle, by ref name; refused when one cannot be told (two of the same age: doctor). */
export function currentBundles(remote: Remote, table: BundleRefTable): RefBundle[] {
  const bundles: RefBundle[] = [];
  for (const entry of [...table.refs.values()].sort((a, b) => (a.ref < b.ref ? -1 : 1))) {
    const resolution = resolveRef(entry, remote.settings.lockTtlMs, table.serverTime, true);
    if (resolution.kind === 'ambiguous') {
      const error = ambiguityError(entry, resolution.why, table.serverTime, remote.store.bucket, remote.display);
      throw new MigrationRefusedError(remote.display, error.message);
    }
    if (resolution.kind === 'one') bundles.push({ ref: entry.ref, bundle: resolution.bundle });
  }
  return bundles;
}

/** Keys under refs/ other than `ours` (the migration's own locks): what a push changes. */
const stateKeys = (prefix: string, listing: ListResult, ours: ReadonlySet<string>): string[] =>
  withoutLooseRefs(prefix, listing)
    .objects.map((o) => o.key)
    .filter((k) => !ours.has(k));

export async function openBundleSource(
  remote: Remote,
  listing: ListResult,
  head: { readonly text: string; readonly etag: string } | undefined,
  to: LayoutName,
): Promise<Source> {
  const first = readBundleTable(remote, listing);
  const locks = await lockEveryRef(remote, [...first.refs.keys()]);
  try {
    // Read again under the locks: this listing is the snapshot (a push may have finished before them).
    const fresh = await remote.store.list(refsPrefix(remote.url.prefix));
    const ours = locks.keys();
    const table = buildRefTable(remote.url.prefix, fresh.objects, fresh.serverTime);
    const unlocked = [...table.refs.keys()].filter((ref) => !first.refs.has(ref));
    if (unlocked.length > 0) {
      throw new MigrationRefusedError(
        remote.display,
        `a push of ${nameRefs(unlocked.map((ref) => ({ ref })))} landed as it started; run it again`,
      );
    }
    const bundles = currentBundles(remote, table);
    const snapshotKeys = stateKeys(remote.url.prefix, fresh, ours);
    return new BundleSource(remote, to, locks, bundles, snapshotKeys, head, table);
  } catch (error) {
    await locks.release();
    throw error;
  }
}

async function lockEveryRef(remote: Remote, refs: readonly string[]): Promise<RefLocks> {
  try {
    return await RefLocks.acquire(remote, refs);
  } catch (error) {
    if (error instanceof LockHeldError) throw new MigrationRefusedError(remote.display, error.message);
    throw error;
  }
}

class BundleSource implements Source {
  readonly layout = 'bundle' as const;
  readonly snapshot: Snapshot;
  readonly headEtag: string | undefined;

  constructor(
    private readonly remote: Remote,
    private readonly to: LayoutName,
    private readonly locks: RefLocks,
    private readonly bundles: readonly RefBundle[],
    private readonly snapshotKeys: readonly string[],
    head: { readonly text: string; readonly etag: string } | undefined,
    table: BundleRefTable,
  ) {
    const refs: MigratedRef[] = bundles.map(({ ref, bundle }) => ({ ref, sha: bundle.sha }));
    this.headEtag = head?.etag;
    this.snapshot = {
      refs,
      headBranch: newHeadBranch(head?.text.trim(), refs),
      protectedRefs: [...table.refs.values()].filter((e) => e.protected).map((e) => e.ref),
      objectFormat: refs[0] ? (refs[0].sha.length === 64 ? 'sha256' : 'sha1') : undefined,
    };
  }

  async fetchInto(repo: string, progress: boolean): Promise<void> {
    await fetchBundles(
      this.remote,
      this.bundles.map((b) => b.bundle),
      progress,
      { cwd: repo },
    );
  }

  async assertUnchanged(): Promise<void> {
    try {
      this.locks.assertHeld();
    } catch (error) {
      if (error instanceof LockLostError) throw new MigrationAbortedError(this.remote.display, this.to, error.message);
      throw error;
    }
    const landed = await this.landedSinceSnapshot();
    if (landed) throw new MigrationAbortedError(this.remote.display, this.to, `${landed} during the migration`);
  }

  async landedSinceSnapshot(): Promise<string | undefined> {
    const listing = await this.remote.store.list(refsPrefix(this.remote.url.prefix));
    const { added, removed } = keyChanges(this.snapshotKeys, stateKeys(this.remote.url.prefix, listing, this.locks.keys()));
    if (added.length === 0 && removed.length === 0) return undefined;
    const refs = new Set([...added, ...removed].map((key) => refOfKey(this.remote.url.prefix, key)));
    return `a push of ${nameRefs([...refs].map((ref) => ({ ref })))} landed in the bundle layout`;
  }

  async makeRoom(): Promise<number> {
    return 0;
  }

  async keysToDelete(): Promise<string[]> {
    return [...this.snapshotKeys];
  }

  async release(): Promise<void> {
    await this.locks.release();
  }
}

/** `<prefix>/refs/heads/x/<name>` → `refs/heads/x`. */
function refOfKey(prefix: string, key: string): string {
  return key.slice(prefix.length + 1, key.lastIndexOf('/'));
}
