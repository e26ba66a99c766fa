// Keys of the layout a remote is not in (its HEAD decides): what an interrupted migration left behind. They
// are removed before a target is written over them, and when a re-run finds the switch already made; what
// they held that the remote does not is named, so that nothing disappears unsaid.
import {
  infoRefsKey,
  type LayoutName,
  type ListResult,
  looseRefsOf,
  packedRefsKey,
  parseBundleLayoutKey,
  parseInfoRefs,
  type RefRecord,
  refsPrefix,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { currentBundles, readBundleTable, withoutLooseRefs } from './bundle-source.js';
import type { MigratedRef, Reporter } from './migration.js';
import { nameRefs, plural, refsMissingFrom } from './plan.js';

export interface Leftovers {
  readonly layout: LayoutName;
  /** The layout the remote holds, beside which these keys were left. */
  readonly remoteLayout: LayoutName;
  readonly keys: readonly string[];
  /** Refs the leftovers hold at an id the remote's own layout does not have. */
  readonly unmatched: readonly RefRecord[];
}

/**
 * Bundle-layout keys under refs/; refused while one of them is a lock (a push, or a migration, in progress).
 * `keepMarkers` (when the bundle layout is being written): PROTECTED# markers are left in place, because
 * they are keys of that layout too, and `git s3 protect` writes them whatever the layout.
 */
export async function findBundleLeftovers(
  remote: Remote,
  remoteRefs: readonly MigratedRef[],
  options: { readonly keepMarkers: boolean },
): Promise<Leftovers> {
  const listing = withoutLooseRefs(remote.url.prefix, await remote.store.list(refsPrefix(remote.url.prefix)));
  const table = readBundleTable(remote, listing);
  const held = currentBundles(remote, table).map(({ ref, bundle }) => ({ ref, sha: bundle.sha }));
  const isMarker = (key: string) => parseBundleLayoutKey(remote.url.prefix, key).kind === 'protected';
  const keys = keysOf(listing).filter((key) => !(options.keepMarkers && isMarker(key)));
  return { layout: 'bundle', remoteLayout: 'packs', keys, unmatched: refsMissingFrom(held, remoteRefs) };
}

/** Branches with a PROTECTED# marker: protection asked for with `git s3 protect`, whatever the layout. */
export function markedBranches(remote: Remote, listing: ListResult): string[] {
  return listing.objects.flatMap((o) => {
    const key = parseBundleLayoutKey(remote.url.prefix, o.key);
    return key.kind === 'protected' ? [key.ref] : [];
  });
}

/** Packs-layout keys: info/, objects/, packed-refs and loose refs under refs/ (JGit's). */
export async function findPacksLeftovers(remote: Remote, remoteRefs: readonly MigratedRef[]): Promise<Leftovers> {
  const prefix = remote.url.prefix;
  const [info, objects, packedRefs, table, refs] = await Promise.all([
    remote.store.list(`${prefix}/info/`),
    remote.store.list(`${prefix}/objects/`),
    remote.store.head(packedRefsKey(prefix)),
    remote.store.getText(infoRefsKey(prefix)),
    remote.store.list(refsPrefix(prefix)),
  ]);
  const loose = looseRefsOf(prefix, refs.objects).map((l) => l.key);
  const keys = [...keysOf(info), ...keysOf(objects), ...(packedRefs ? [packedRefs.key] : []), ...loose];
  return { layout: 'packs', remoteLayout: 'bundle', keys, unmatched: refsMissingFrom(table ? tableRefs(table.text) : [], remoteRefs) };
}

/** A leftover table that does not parse held nothing worth naming: it is removed all the same. */
function tableRefs(text: string): RefRecord[] {
  try {
    return parseInfoRefs(text, 'info/refs');
  } catch {
    return [];
  }
}

export async function removeLeftovers(remote: Remote, leftovers: Leftovers, report: Reporter): Promise<void> {
  if (leftovers.keys.length === 0) return;
  await remote.store.deleteMany(leftovers.keys);
  report.say(
    `removed ${plural(leftovers.keys.length, 'leftover key')} of the ${leftovers.layout} layout (the remote is in the ${leftovers.remoteLayout} layout)`,
  );
  if (leftovers.unmatched.length > 0) {
    report.warn(
      `those keys held ${nameRefs(leftovers.unmatched)}, which the remote does not have at that id; push ${leftovers.unmatched.length === 1 ? 'it' : 'them'} again if still wanted`,
    );
  }
}

const keysOf = (listing: ListResult): string[] => listing.objects.map((o) => o.key);
