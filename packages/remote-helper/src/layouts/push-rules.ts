// Layout-blind rules that refuse a push which would leave the remote unclonable (DESIGN §11): ref names
// that are a path prefix of one another, and objects of another hash algorithm than the remote's.

export interface RefChange {
  readonly ref: string;
  /** The new id; undefined deletes the ref. */
  readonly sha: string | undefined;
}

/**
 * Why each ref this push would create is refused because the remote would then hold it and a ref it is a
 * path prefix of, or one that is a path prefix of it (`a` and `a/b`: git can check out neither, and every
 * clone and fetch fails), in git's ref-store wording. Judged after all of `changes` apply, so a push that
 * deletes `a` and creates `a/b` is fine; a ref `existing` already holds is never the one refused.
 */
export function refNameConflicts(existing: readonly string[], changes: readonly RefChange[]): Map<string, string> {
  const had = new Set(existing);
  const after = new Set(existing);
  for (const c of changes) {
    if (c.sha === undefined) after.delete(c.ref);
    else after.add(c.ref);
  }
  // Every directory some ref lies under, with one such ref: `a/b/c` puts `a` and `a/b` here.
  const directories = new Map<string, string>();
  for (const ref of after) for (const dir of parentDirectories(ref)) if (!directories.has(dir)) directories.set(dir, ref);
  const created = new Set(changes.flatMap((c) => (c.sha !== undefined && !had.has(c.ref) ? [c.ref] : [])));
  const reasons = new Map<string, string>();
  for (const ref of created) {
    const other = directories.get(ref) ?? parentDirectories(ref).find((dir) => after.has(dir));
    if (other === undefined) continue;
    const [first, second] = [ref, other].sort();
    reasons.set(
      ref,
      created.has(other)
        ? `cannot process '${first}' and '${second}' at the same time`
        : `cannot lock ref '${ref}': '${other}' exists; cannot create '${ref}'`,
    );
  }
  return reasons;
}

/** Pairs of refs in `refs` where one is a path prefix of the other (`a`, `a/b`), each pair once. */
export function conflictingRefPairs(refs: readonly string[]): [string, string][] {
  const all = new Set(refs);
  return [...all].sort().flatMap((ref) => parentDirectories(ref).flatMap((dir) => (all.has(dir) ? [[dir, ref] as [string, string]] : [])));
}

/** doctor's report of a pair from `conflictingRefPairs`, and what fixes it. */
export function describeRefNameConflict([parent, child]: readonly [string, string], display: string): { text: string; hint: string } {
  return {
    text: `${parent} and ${child} both exist: git cannot hold both, so every clone and fetch of this remote fails`,
    hint: `delete one of them: 'git push ${display} :${child}' or 'git push ${display} :${parent}'`,
  };
}

function parentDirectories(ref: string): string[] {
  const parts = ref.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * Why a push of objects from a repository of one hash algorithm to a remote of the other is refused (git's
 * wording when client and server differ), or undefined when they match or the remote is empty.
 */
export function objectFormatMismatch(local: 'sha1' | 'sha256', remote: 'sha1' | 'sha256' | undefined): string | undefined {
  if (remote === undefined || remote === local) return undefined;
  return `mismatched algorithms: client ${local}; server ${remote}; push from a ${remote} repository, or push this one to a new, empty remote`;
}
