// The rules that keep every ref store a reader of the bare repository consults in step with info/refs, the
// authority (DESIGN §4): packed-refs, and the loose `refs/…` keys JGit writes and git and JGit let override
// packed-refs. Pure: what to write or delete, what disagrees, and which annotated tags are known peeled.
import type { RefRecord } from '@git-remote-s3/core';

/** A loose ref key found under refs/, with the id it holds once read (undefined: not an object id). */
export interface LooseRef {
  readonly ref: string;
  readonly key: string;
  readonly sha?: string | undefined;
}

export interface LooseRefPlan {
  /** Keys to (re)write with the ref's id from info/refs. */
  readonly write: readonly { readonly key: string; readonly sha: string }[];
  readonly remove: readonly string[];
}

/**
 * After a push committed `table`: each ref it changed that has a loose key gets the table's id, or loses the
 * key when the table no longer has it. Refs without a loose key get none (packed-refs carries them), and
 * loose keys of refs the push did not touch are left alone (doctor checks them).
 */
export function planLooseRefsAfterPush(table: readonly RefRecord[], changed: readonly string[], loose: readonly LooseRef[]): LooseRefPlan {
  const ids = new Map(table.map((r) => [r.ref, r.sha]));
  const touched = new Set(changed);
  const write: { key: string; sha: string }[] = [];
  const remove: string[] = [];
  for (const l of loose) {
    if (!touched.has(l.ref)) continue;
    const sha = ids.get(l.ref);
    if (sha) write.push({ key: l.key, sha });
    else remove.push(l.key);
  }
  return { write, remove };
}

/** `doctor --sync-refs`: every loose key made to say what info/refs says (rewritten, or removed for a ref it lacks). */
export function planLooseRefsSync(table: readonly RefRecord[], loose: readonly LooseRef[]): LooseRefPlan {
  const ids = new Map(table.map((r) => [r.ref, r.sha]));
  const write: { key: string; sha: string }[] = [];
  const remove: string[] = [];
  for (const l of loose) {
    const sha = ids.get(l.ref);
    if (!sha) remove.push(l.key);
    else if (l.sha !== sha) write.push({ key: l.key, sha });
  }
  return { write, remove };
}

export type RefStoreDisagreement =
  | { readonly kind: 'loose-stale'; readonly key: string; readonly ref: string; readonly loose: string | undefined; readonly table: string }
  | { readonly kind: 'loose-deleted'; readonly key: string; readonly ref: string; readonly loose: string | undefined }
  | { readonly kind: 'packed-missing' }
  | { readonly kind: 'packed-stale'; readonly ref: string; readonly packed: string | undefined; readonly table: string | undefined }
  /** packed-refs peels an annotated tag otherwise than info/refs: to `packed`, or (undefined) declares it does not peel. */
  | { readonly kind: 'packed-peel'; readonly ref: string; readonly packed: string | undefined; readonly peeled: string };

/** What packed-refs says, as parsed (undefined: there is none). */
export interface PackedView {
  readonly refs: readonly RefRecord[];
  readonly declaresUnpeeled: (ref: string) => boolean;
}

/**
 * Every way a reader of the bucket as a bare repository sees other refs than info/refs (`table`) says, ref by
 * ref. Such a reader (git, JGit) takes a loose key over packed-refs, so packed-refs only counts for refs that
 * have no loose key: JGit leaves refs it holds loose out of packed-refs, or writes none at all.
 */
export function compareRefStores(
  table: readonly RefRecord[],
  packed: PackedView | undefined,
  loose: readonly LooseRef[],
): RefStoreDisagreement[] {
  const found: RefStoreDisagreement[] = [];
  const ids = new Map(table.map((r) => [r.ref, r]));
  for (const l of loose) {
    const want = ids.get(l.ref);
    if (!want) found.push({ kind: 'loose-deleted', key: l.key, ref: l.ref, loose: l.sha });
    else if (l.sha !== want.sha) found.push({ kind: 'loose-stale', key: l.key, ref: l.ref, loose: l.sha, table: want.sha });
  }
  const looseRefs = new Set(loose.map((l) => l.ref));
  if (!packed) {
    if (table.some((r) => !looseRefs.has(r.ref))) found.push({ kind: 'packed-missing' });
    return found;
  }
  const inPacked = new Map(packed.refs.map((r) => [r.ref, r]));
  for (const ref of [...new Set([...ids.keys(), ...inPacked.keys()])].sort()) {
    if (looseRefs.has(ref)) continue;
    const want = ids.get(ref);
    const have = inPacked.get(ref);
    if (want?.sha !== have?.sha) found.push({ kind: 'packed-stale', ref, packed: have?.sha, table: want?.sha });
    else if (want?.peeled && have && have.peeled !== want.peeled && (have.peeled || packed.declaresUnpeeled(ref)))
      found.push({ kind: 'packed-peel', ref, packed: have.peeled, peeled: want.peeled });
  }
  return found;
}

/**
 * `table` with the peeled id of every annotated tag whose object `peels` knows (id → peeled id, or null for an
 * object that is no tag; ids absent from it are not here to look at). `fullyPeeled` when every ref's peeling
 * is known, so that packed-refs may say a ref without a peeled id does not peel.
 */
export function withKnownPeels(
  table: readonly RefRecord[],
  peels: ReadonlyMap<string, string | null>,
): { readonly refs: RefRecord[]; readonly fullyPeeled: boolean } {
  let fullyPeeled = true;
  const refs = table.map((r): RefRecord => {
    if (r.peeled) return r;
    const known = peels.get(r.sha);
    if (known === undefined) {
      fullyPeeled = false;
      return r;
    }
    return known ? { ...r, peeled: known } : r;
  });
  return { refs, fullyPeeled };
}

/**
 * The ids `withKnownPeels` needs `peels` for: those of refs that carry no peeled id yet. A table's annotated
 * tags mostly carry theirs, so a push to a remote of many tags does not make git peel each again.
 */
export function idsToPeel(table: readonly RefRecord[]): string[] {
  return table.flatMap((r) => (r.peeled ? [] : [r.sha]));
}
