// The protected branches of a packs remote (info/s3-protected): read, and changed by a conditional write.
import { conditionalUpdate, formatProtectedRefs, parseProtectedRefs, protectedRefsKey } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { where } from './bucket-url.js';

export interface ProtectedList {
  readonly refs: Set<string>;
  readonly etag: string | undefined;
}

export async function readProtectedRefs(remote: Remote): Promise<ProtectedList> {
  const key = protectedRefsKey(remote.url.prefix);
  const found = await remote.store.getText(key);
  return { refs: found ? parseProtectedRefs(found.text, where(remote, key)) : new Set(), etag: found?.etag };
}

/** Adds or removes a protected branch with a conditional write; false when nothing changed. */
export async function setProtected(remote: Remote, ref: string, protect: boolean): Promise<boolean> {
  const key = protectedRefsKey(remote.url.prefix);
  const written = await conditionalUpdate(remote.store, key, (text) => {
    const refs = text === undefined ? new Set<string>() : parseProtectedRefs(text, where(remote, key));
    if (refs.has(ref) === protect) return undefined;
    if (protect) refs.add(ref);
    else refs.delete(ref);
    return formatProtectedRefs(refs);
  });
  return written !== undefined;
}
