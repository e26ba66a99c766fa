// The pure decisions of `git s3 migrate`: which branch the new HEAD names, why a migration must not start,
// what changed under it, and the words it prints. The I/O lives beside it; which layout a bucket is in is
// layouts/choose.ts's, as for every other command.
import {
  formatAge,
  formatBytes,
  isValidRefName,
  judgeLock,
  type LayoutName,
  MigrationRefusedError,
  objectUrl,
  printable,
  type RefRecord,
} from '@git-remote-s3/core';
import { UsageError } from '@git-remote-s3/core/errors';

/** `--to packs|bundle`. */
export function parseTargetLayout(text: string): LayoutName {
  if (text === 'packs' || text === 'bundle') return text;
  throw new UsageError(`--to expects packs or bundle, not '${printable(text)}'`);
}

/**
 * The branch the new HEAD names: the one the old HEAD named, even if it does not exist yet (the default
 * branch is moved as it is, not repaired); else main, master or the first branch; else main.
 */
export function newHeadBranch(named: string | undefined, refs: readonly { readonly ref: string }[]): string {
  if (named?.startsWith('refs/heads/') && isValidRefName(named)) return named;
  const branches = refs.map((r) => r.ref).filter((r) => r.startsWith('refs/heads/'));
  return ['refs/heads/main', 'refs/heads/master'].find((b) => branches.includes(b)) ?? branches[0] ?? 'refs/heads/main';
}

export interface ListedLock {
  readonly ref: string;
  readonly key: string;
  readonly lastModified: Date;
}

/** Why a migration will not start while a ref is locked: a push in progress, or one that died (doctor). */
export function lockedRefusal(
  lock: ListedLock,
  context: { readonly serverTime: Date; readonly ttlMs: number; readonly bucket: string; readonly display: string },
): MigrationRefusedError {
  const state = judgeLock(lock.lastModified, context.serverTime, context.ttlMs);
  const where = `${objectUrl(context.bucket, lock.key)}, ${formatAge(state.ageMs)} old`;
  return new MigrationRefusedError(
    context.display,
    state.stale
      ? `ref ${lock.ref} has a stale lock (${where}) left by a push that did not finish; run 'git s3 doctor --delete-stale-locks ${context.display}', then retry`
      : `ref ${lock.ref} is locked by a push in progress (${where}); retry when it has finished`,
  );
}

/** The keys only in `before` and only in `after`, each sorted. */
export function keyChanges(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const was = new Set(before);
  const now = new Set(after);
  return { added: [...now].filter((k) => !was.has(k)).sort(), removed: [...was].filter((k) => !now.has(k)).sort() };
}

/** Refs of `found` that `kept` does not have at the same id: what removing `found` would lose. */
export function refsMissingFrom(found: readonly RefRecord[], kept: readonly RefRecord[]): RefRecord[] {
  const ids = new Map(kept.map((r) => [r.ref, r.sha]));
  return found.filter((r) => ids.get(r.ref) !== r.sha);
}

/** `refs/heads/x (1a2b3c4), refs/tags/v2 (5d6e7f8)`: refs named in a message. */
export function nameRefs(refs: readonly { readonly ref: string; readonly sha?: string }[]): string {
  return refs.map((r) => (r.sha ? `${printable(r.ref)} (${r.sha.slice(0, 7)})` : printable(r.ref))).join(', ');
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `5 refs (3 branches, 2 tags)`. */
export function describeRefs(refs: readonly { readonly ref: string }[]): string {
  const branches = refs.filter((r) => r.ref.startsWith('refs/heads/')).length;
  const tags = refs.filter((r) => r.ref.startsWith('refs/tags/')).length;
  const others = refs.length - branches - tags;
  const parts = [
    ...(branches ? [plural(branches, 'branch', 'branches')] : []),
    ...(tags ? [plural(tags, 'tag')] : []),
    ...(others ? [plural(others, 'other ref')] : []),
  ];
  return parts.length > 0 ? `${plural(refs.length, 'ref')} (${parts.join(', ')})` : plural(refs.length, 'ref');
}

export interface MigrationTotals {
  readonly refs: number;
  readonly bytesWritten: number;
  readonly keysDeleted: number;
}

/** The last line of a migration. */
export function summaryLine(display: string, to: LayoutName, totals: MigrationTotals): string {
  return `migrated ${plural(totals.refs, 'ref')} of ${display} to the ${to} layout: ${formatBytes(totals.bytesWritten)} written, ${plural(totals.keysDeleted, 'key')} of the old layout deleted`;
}
