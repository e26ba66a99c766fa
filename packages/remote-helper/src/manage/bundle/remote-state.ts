// What the management side of a bundle-layout remote looks at: one listing of `<prefix>/refs/` and the text
// of `<prefix>/HEAD`, read concurrently (two requests, whatever the number of refs); or one ref's keys, looked
// at again under its lock.
import { headKey, type ListResult, refDirPrefix, refsPrefix } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { type BundleRefTable, buildRefTable, type RefEntry } from '../../layouts/bundle/ref-table.js';

export interface RemoteState {
  readonly table: BundleRefTable;
  /** What `<prefix>/HEAD` says, trimmed; undefined when there is no HEAD object. */
  readonly head: string | undefined;
  /** The ETag of that HEAD, for a conditional rewrite. */
  readonly headEtag?: string;
}

/** What choosing the layout already read: HEAD (undefined: there is none), and the refs listing when it was read. */
export interface FirstLook {
  readonly head: { readonly text: string; readonly etag: string } | undefined;
  readonly refs: ListResult | undefined;
}

/** Reads the state, or completes `seen` (what the layout detector read a moment ago) without asking twice. */
export async function readRemoteState(remote: Remote, seen?: FirstLook): Promise<RemoteState> {
  const prefix = remote.url.prefix;
  const [listing, head] = await Promise.all([
    seen?.refs ?? remote.store.list(refsPrefix(prefix)),
    seen ? seen.head : remote.store.getText(headKey(prefix)),
  ]);
  return { table: buildRefTable(prefix, listing.objects, listing.serverTime), head: head?.text.trim(), headEtag: head?.etag };
}

/** The keys of one ref, from a listing of its own directory; `entry` is undefined when it has none. */
export async function readRef(remote: Remote, ref: string): Promise<{ entry: RefEntry | undefined; serverTime: Date }> {
  const prefix = remote.url.prefix;
  const listing = await remote.store.list(refDirPrefix(prefix, ref));
  return { entry: buildRefTable(prefix, listing.objects, listing.serverTime).refs.get(ref), serverTime: listing.serverTime };
}
