// The packs layout's ref table, info/refs: read with its ETag and replaced only by a conditional write, the
// one commit point of a push; and packed-refs, its derived copy for tools that read a bare repository.
import {
  conditionalUpdate,
  formatInfoRefs,
  formatPackedRefs,
  infoRefsKey,
  packedRefsKey,
  parseInfoRefs,
  type RefRecord,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { where } from './bucket-url.js';

/** The packs layout's refs as read from the info/refs object, with the ETag a commit is conditional on. */
export interface InfoRefsTable {
  readonly refs: RefRecord[];
  /** ETag of the info/refs read; undefined when the remote has none yet. */
  readonly etag: string | undefined;
}

export async function readRefTable(remote: Remote): Promise<InfoRefsTable> {
  const key = infoRefsKey(remote.url.prefix);
  const found = await remote.store.getText(key);
  return { refs: found ? parseInfoRefs(found.text, where(remote, key)) : [], etag: found?.etag };
}

/** Replaces info/refs if nobody did since `table` was read; PreconditionFailedError otherwise. */
export async function commitRefTable(remote: Remote, table: InfoRefsTable, next: readonly RefRecord[]): Promise<{ etag: string }> {
  const key = infoRefsKey(remote.url.prefix);
  return remote.store.put(key, formatInfoRefs(next), table.etag ? { ifMatch: table.etag } : { ifNoneMatch: '*' });
}

/**
 * Replaces info/refs with `change(refs read)` through core's conditional-update loop: on a rival's write the table
 * is read again and `change` runs again on it. Returns the ETag written; what `change` throws is thrown at once.
 */
export async function updateRefTable(remote: Remote, change: (refs: RefRecord[]) => readonly RefRecord[]): Promise<{ etag: string }> {
  const key = infoRefsKey(remote.url.prefix);
  return conditionalUpdate(remote.store, key, (text) =>
    formatInfoRefs(change(text === undefined ? [] : parseInfoRefs(text, where(remote, key)))),
  );
}

/** The derived packed-refs, for tools that read the prefix as a bare repository (`fullyPeeled`: see formatPackedRefs). */
export async function writePackedRefs(remote: Remote, refs: readonly RefRecord[], fullyPeeled: boolean): Promise<void> {
  await remote.store.put(packedRefsKey(remote.url.prefix), formatPackedRefs(refs, fullyPeeled));
}
