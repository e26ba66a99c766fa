// Keeps the loose ref keys (JGit's, or any tool's that wrote the prefix as a bare repository) and packed-refs
// in step with info/refs once a push or a ref change committed it: one LIST of refs/, writes only where loose
// keys exist, and a look at info/refs afterwards so that a later commit's values are never overwritten.
import {
  formatLooseRef,
  infoRefsKey,
  log,
  looseRefsOf,
  mapConcurrent,
  parseLooseRef,
  type RefRecord,
  refsPrefix,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { readRefTable, writePackedRefs } from './info-refs.js';
import { objectPeels } from './local-packs.js';
import { idsToPeel, type LooseRef, type LooseRefPlan, planLooseRefsAfterPush, withKnownPeels } from './ref-stores.js';

const CONCURRENCY = 8;
/** Rounds of rewriting from a newer table before leaving the rest to the next push (or doctor). */
const ROUNDS = 3;

/** The loose refs under `<prefix>/refs/` (one LIST); keys that are no loose ref are left out. */
export async function listLooseRefs(remote: Remote): Promise<LooseRef[]> {
  const { objects } = await remote.store.list(refsPrefix(remote.url.prefix));
  return looseRefsOf(remote.url.prefix, objects);
}

/** The id each loose ref holds (GETs, bounded); undefined where it holds no object id. */
export async function readLooseRefs(remote: Remote, loose: readonly LooseRef[]): Promise<LooseRef[]> {
  return mapConcurrent(loose, CONCURRENCY, async (l) => {
    const found = await remote.store.getText(l.key);
    return { ...l, sha: found ? parseLooseRef(found.text) : undefined };
  });
}

export async function applyLooseRefPlan(remote: Remote, plan: LooseRefPlan): Promise<void> {
  await Promise.all([
    mapConcurrent(plan.write, CONCURRENCY, (w) => remote.store.put(w.key, formatLooseRef(w.sha), { contentType: 'text/plain' })),
    plan.remove.length > 0 ? remote.store.deleteMany(plan.remove) : Promise.resolve(),
  ]);
}

/** packed-refs from `refs`, with the peeled id of every tag whose object is here (never a false `fully-peeled`). */
export async function writeDerivedPackedRefs(remote: Remote, refs: readonly RefRecord[]): Promise<void> {
  const known = withKnownPeels(refs, await objectPeels(idsToPeel(refs)));
  await writePackedRefs(remote, known.refs, known.fullyPeeled);
}

/**
 * After info/refs was committed as `refs` (ETag `etag`) by a change of `changed`: packed-refs rewritten, and
 * each loose key of a changed ref rewritten or removed. When loose keys were written, info/refs is looked at
 * again: a commit that landed meanwhile may have had its derived copies overwritten by ours, so they are
 * written again from it.
 */
export async function keepRefStoresInStep(
  remote: Remote,
  committed: { readonly etag: string; readonly refs: readonly RefRecord[]; readonly fullyPeeled: boolean },
  changed: readonly string[],
): Promise<void> {
  const [loose] = await Promise.all([listLooseRefs(remote), writePackedRefs(remote, committed.refs, committed.fullyPeeled)]);
  let plan = planLooseRefsAfterPush(committed.refs, changed, loose);
  if (plan.write.length + plan.remove.length === 0) return;
  let etag = committed.etag;
  for (let round = 0; ; round++) {
    await applyLooseRefPlan(remote, plan);
    const now = await remote.store.head(infoRefsKey(remote.url.prefix));
    if (!now || now.etag === etag) return;
    if (round + 1 >= ROUNDS) {
      log.warn(`info/refs of ${remote.display} kept changing; 'git s3 doctor ${remote.display}' checks its loose refs and packed-refs`);
      return;
    }
    log.debug('info/refs changed after this push; writing its loose refs and packed-refs again from the newer table');
    const table = await readRefTable(remote);
    etag = table.etag ?? etag;
    await writeDerivedPackedRefs(remote, table.refs);
    plan = planLooseRefsAfterPush(table.refs, changed, loose);
  }
}
