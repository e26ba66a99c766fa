// What a bundle-layout fetch downloads: the bundle of each listed ref git asked for, and, for an object id
// that is no listed tip (`git fetch origin <sha>`, a submodule's recorded commit), the listed refs'
// bundles in turn until it is here. Bundles are self-contained, so the first one that holds it is enough.
import { missingObjects, NoSuchObjectError } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import type { FetchRequest } from '../layout.js';
import { fetchBundles } from './fetch.js';
import type { BundleObject } from './ref-table.js';

export interface WantedBundles {
  /** Bundles of listed refs git asked for by name or by their tip's id. */
  readonly direct: readonly BundleObject[];
  /** Object ids no listed ref has as its tip. */
  readonly byId: readonly string[];
}

/** Sorts git's requests into listed bundles and bare object ids. `listed`: ref → its bundle. */
export function wantedBundles(requests: readonly FetchRequest[], listed: ReadonlyMap<string, BundleObject>): WantedBundles {
  const tips = new Map([...listed.values()].map((b) => [b.sha, b]));
  const direct: BundleObject[] = [];
  const byId = new Set<string>();
  for (const { sha, name } of requests) {
    const named = listed.get(name);
    const bundle = named?.sha === sha ? named : tips.get(sha);
    if (bundle) direct.push(bundle);
    else byId.add(sha);
  }
  return { direct, byId: [...byId] };
}

/**
 * The order in which bundles are searched for an object id: the default branch first (most commits asked
 * for by id are on it), then the other branches, then tags, then any other ref, each group by name; a
 * bundle shared by several refs once.
 */
export function searchOrder(listed: ReadonlyMap<string, BundleObject>, head: string | undefined): BundleObject[] {
  const rank = (ref: string) => (ref === head ? 0 : ref.startsWith('refs/heads/') ? 1 : ref.startsWith('refs/tags/') ? 2 : 3);
  const refs = [...listed.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const seen = new Set<string>();
  const order: BundleObject[] = [];
  for (const ref of refs) {
    const bundle = listed.get(ref);
    if (!bundle || seen.has(bundle.sha)) continue;
    seen.add(bundle.sha);
    order.push(bundle);
  }
  return order;
}

/**
 * Makes every object git asked for present, or throws NoSuchObjectError naming one no bundle holds.
 * Bundles whose tip is already here are skipped: a self-contained bundle adds nothing then.
 */
export async function fetchRequested(
  remote: Remote,
  requests: readonly FetchRequest[],
  listed: ReadonlyMap<string, BundleObject>,
  head: string | undefined,
  progress: boolean,
): Promise<void> {
  const { direct, byId } = wantedBundles(requests, listed);
  await fetchBundles(remote, direct, progress);
  let missing = await missingObjects(byId);
  if (missing.size === 0) return;
  const candidates = searchOrder(listed, head);
  const absentTips = await missingObjects(candidates.map((b) => b.sha));
  for (const bundle of candidates.filter((b) => absentTips.has(b.sha))) {
    await fetchBundles(remote, [bundle], progress);
    missing = await missingObjects([...missing]);
    if (missing.size === 0) return;
  }
  throw new NoSuchObjectError(remote.display, [...missing][0] ?? '');
}
