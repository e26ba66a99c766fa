// The state of a bundle-layout remote read from one listing of `<prefix>/refs/`, and the rules that pick
// a ref's current bundle (DESIGN §3 step 1). Pure, so every case is unit-tested without a server.
import {
  type BundleLayoutKey,
  judgeLock,
  MultipleBundlesError,
  type ObjectInfo,
  objectUrl,
  PushInProgressError,
  parseBundleLayoutKey,
} from '@git-remote-s3/core';

export interface BundleObject {
  readonly sha: string;
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface RefEntry {
  readonly ref: string;
  /** Newest first by Last-Modified. */
  readonly bundles: BundleObject[];
  lock: ObjectInfo | undefined;
  protected: boolean;
  zip: ObjectInfo | undefined;
}

/** The bundle layout's refs as built from one listing of the prefix (no object holds them; compare the packs layout's InfoRefsTable). */
export interface BundleRefTable {
  readonly refs: Map<string, RefEntry>;
  /** Keys that are not ours or whose ref name git would reject: ignored, and warned about. */
  readonly invalid: { readonly key: string; readonly reason: string }[];
  readonly serverTime: Date;
}

export function buildRefTable(prefix: string, objects: readonly ObjectInfo[], serverTime: Date): BundleRefTable {
  const refs = new Map<string, RefEntry>();
  const invalid: { key: string; reason: string }[] = [];
  const entry = (ref: string): RefEntry => {
    let e = refs.get(ref);
    if (!e) {
      e = { ref, bundles: [], lock: undefined, protected: false, zip: undefined };
      refs.set(ref, e);
    }
    return e;
  };
  for (const object of objects) {
    const parsed: BundleLayoutKey = parseBundleLayoutKey(prefix, object.key);
    switch (parsed.kind) {
      case 'bundle':
        entry(parsed.ref).bundles.push({ sha: parsed.sha, key: object.key, size: object.size, lastModified: object.lastModified });
        break;
      case 'lock':
        entry(parsed.ref).lock = object;
        break;
      case 'protected':
        entry(parsed.ref).protected = true;
        break;
      case 'zip':
        entry(parsed.ref).zip = object;
        break;
      case 'invalid':
        invalid.push({ key: parsed.key, reason: parsed.reason });
        break;
    }
  }
  for (const e of refs.values()) e.bundles.sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime());
  return { refs, invalid, serverTime };
}

export type Resolution =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly bundle: BundleObject; readonly stale: readonly BundleObject[] }
  | { readonly kind: 'ambiguous'; readonly why: 'push in progress' | 'same age' };

/** The error a reader or pusher gives for an ambiguous ref: retry for a push in progress, doctor otherwise. */
export function ambiguityError(
  entry: RefEntry,
  why: 'push in progress' | 'same age',
  serverTime: Date,
  bucket: string,
  doctorUrl: string,
): Error {
  if (why === 'push in progress' && entry.lock) {
    const ageMs = Math.max(0, serverTime.getTime() - entry.lock.lastModified.getTime());
    return new PushInProgressError(entry.ref, objectUrl(bucket, entry.lock.key), ageMs, doctorUrl);
  }
  return new MultipleBundlesError(
    entry.ref,
    entry.bundles.map((b) => b.key),
    doctorUrl,
  );
}

/**
 * Which bundle is the ref. Several bundles without a live lock are the trace of a push that died between
 * uploading the new bundle and deleting the old one: the newest is the ref. While a live lock shows a push
 * in progress (unless the lock is ours), or when the newest cannot be told apart, it is ambiguous.
 */
export function resolveRef(entry: RefEntry | undefined, ttlMs: number, serverTime: Date, ownLock = false): Resolution {
  if (!entry || entry.bundles.length === 0) return { kind: 'none' };
  const [newest, second] = entry.bundles;
  if (!newest) return { kind: 'none' };
  if (!second) return { kind: 'one', bundle: newest, stale: [] };
  const lockLive = entry.lock !== undefined && !judgeLock(entry.lock.lastModified, serverTime, ttlMs).stale;
  if (lockLive && !ownLock) return { kind: 'ambiguous', why: 'push in progress' };
  if (second.lastModified.getTime() === newest.lastModified.getTime()) return { kind: 'ambiguous', why: 'same age' };
  return { kind: 'one', bundle: newest, stale: entry.bundles.slice(1) };
}
