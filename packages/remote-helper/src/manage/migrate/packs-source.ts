// A packs-layout remote as the source of a migration: its ref table, protected list and HEAD are read once
// with their ETags; just before the switch the table is sealed by rewriting the very bytes read with
// If-Match on that ETag, which fails if any push committed since; after the switch it is looked at again.
import {
  infoRefsKey,
  type LayoutName,
  type ListResult,
  looseRefsOf,
  MigrationAbortedError,
  MOVED_TABLE,
  PreconditionFailedError,
  packedRefsKey,
  parseInfoRefs,
  parsePacksHead,
  protectedRefsKey,
  type RefRecord,
  refsPrefix,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { where } from '../../layouts/packs/bucket-url.js';
import { fetchPacks } from '../../layouts/packs/fetch.js';
import { listLooseRefs, writeDerivedPackedRefs } from '../../layouts/packs/loose-refs.js';
import { readProtectedRefs } from '../../layouts/packs/protected-refs.js';
import { readBundleTable } from './bundle-source.js';
import { markedBranches } from './leftovers.js';
import type { Snapshot, Source } from './migration.js';
import { nameRefs, newHeadBranch, refsMissingFrom } from './plan.js';

interface ReadTable {
  readonly text: string;
  readonly etag: string | undefined;
  readonly refs: RefRecord[];
}

async function readTable(remote: Remote): Promise<ReadTable> {
  const key = infoRefsKey(remote.url.prefix);
  const found = await remote.store.getText(key);
  return { text: found?.text ?? '', etag: found?.etag, refs: found ? parseInfoRefs(found.text, where(remote, key)) : [] };
}

/**
 * `refsListing` is the listing of refs/ made while detecting the layout: a lock there is a push in progress
 * by a client that takes the remote for a bundle one (or a migration's), and it is refused like any lock.
 */
export async function openPacksSource(
  remote: Remote,
  refsListing: ListResult,
  head: { readonly text: string; readonly etag: string } | undefined,
  to: LayoutName,
): Promise<Source> {
  readBundleTable(remote, refsListing);
  const [table, protectedList] = await Promise.all([readTable(remote), readProtectedRefs(remote)]);
  // A marker is protection asked for by `git s3 protect` (which writes one whatever the layout): kept too.
  const protectedRefs = new Set([...protectedList.refs, ...markedBranches(remote, refsListing)]);
  return new PacksSource(remote, to, table, protectedList.etag, [...protectedRefs], head);
}

class PacksSource implements Source {
  readonly layout = 'packs' as const;
  readonly snapshot: Snapshot;
  readonly headEtag: string | undefined;
  /** The table's ETag as sealed: what it must still be after the switch. */
  private sealedEtag: string | undefined;

  constructor(
    private readonly remote: Remote,
    private readonly to: LayoutName,
    private readonly table: ReadTable,
    private readonly protectedEtag: string | undefined,
    protectedRefs: readonly string[],
    head: { readonly text: string; readonly etag: string } | undefined,
  ) {
    const refs = table.refs.map((r) => ({ ref: r.ref, sha: r.sha }));
    this.headEtag = head?.etag;
    this.sealedEtag = table.etag;
    this.snapshot = {
      refs,
      headBranch: newHeadBranch(head ? parsePacksHead(head.text) : undefined, refs),
      protectedRefs: [...protectedRefs].sort(),
      objectFormat: refs[0] ? (refs[0].sha.length === 64 ? 'sha256' : 'sha1') : undefined,
    };
  }

  async fetchInto(repo: string, progress: boolean): Promise<void> {
    await fetchPacks(
      this.remote,
      this.table.refs.map((r) => r.sha),
      progress,
      { cwd: repo },
    );
  }

  /**
   * Rewrites info/refs with the bytes read, on the condition that nobody replaced them: a push that
   * committed since makes this fail, and the migration stops with nothing lost. An unchanged protected list
   * is checked too (one GET: it has no pushers to race with, only `protect`).
   */
  async assertUnchanged(): Promise<void> {
    const abort = (what: string) => new MigrationAbortedError(this.remote.display, this.to, what);
    if (this.table.etag) {
      try {
        const sealed = await this.remote.store.put(infoRefsKey(this.remote.url.prefix), this.table.text, { ifMatch: this.table.etag });
        this.sealedEtag = sealed.etag;
      } catch (error) {
        if (error instanceof PreconditionFailedError) throw abort('a push landed in the packs layout during the migration');
        throw error;
      }
    } else if (await this.remote.store.head(infoRefsKey(this.remote.url.prefix))) {
      throw abort('a push landed in the packs layout during the migration');
    }
    const protectedNow = await this.remote.store.head(protectedRefsKey(this.remote.url.prefix));
    if (protectedNow?.etag !== this.protectedEtag) throw abort('the protected branches changed during the migration');
  }

  /**
   * Closes the table (the marker, written on the condition that nobody replaced the sealed table) so that
   * a pusher that read it before fails rather than commits to a table about to be deleted; a 412 means a
   * push landed since the seal, and says which refs.
   */
  async landedSinceSnapshot(): Promise<string | undefined> {
    if (this.sealedEtag) {
      try {
        await this.remote.store.put(infoRefsKey(this.remote.url.prefix), MOVED_TABLE, { ifMatch: this.sealedEtag });
        return undefined;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    const now = await readTable(this.remote);
    if (now.etag === this.sealedEtag) return undefined;
    const changed = [
      ...refsMissingFrom(now.refs, this.table.refs),
      ...refsMissingFrom(this.table.refs, now.refs).map((r) => ({ ref: r.ref })),
    ];
    const names = [...new Map(changed.map((r) => [r.ref, r])).values()];
    return names.length > 0
      ? `a push of ${nameRefs(names)} landed in the packs layout`
      : 'info/refs of the packs layout was rewritten (by a push or gc)';
  }

  async makeRoom(): Promise<number> {
    const loose = await listLooseRefs(this.remote);
    if (loose.length === 0) return 0;
    await writeDerivedPackedRefs(this.remote, this.table.refs);
    await this.remote.store.deleteMany(loose.map((l) => l.key));
    return loose.length;
  }

  /**
   * info/refs first: once it is gone the keys left are no repository to anyone. Loose refs (JGit's) go too:
   * left beside the bundles they would be keys the bundle layout does not know, and stale ones if the remote
   * moves back to packs.
   */
  async keysToDelete(): Promise<string[]> {
    const prefix = this.remote.url.prefix;
    const [info, objects, packedRefs, refs] = await Promise.all([
      this.remote.store.list(`${prefix}/info/`),
      this.remote.store.list(`${prefix}/objects/`),
      this.remote.store.head(packedRefsKey(prefix)),
      this.remote.store.list(refsPrefix(prefix)),
    ]);
    const loose = looseRefsOf(prefix, refs.objects).map((l) => l.key);
    const rest = [...keysOf(info), ...keysOf(objects), ...(packedRefs ? [packedRefs.key] : []), ...loose];
    const table = infoRefsKey(prefix);
    return rest.includes(table) ? [table, ...rest.filter((k) => k !== table)] : rest;
  }

  async release(): Promise<void> {}
}

const keysOf = (listing: ListResult): string[] => listing.objects.map((o) => o.key);
