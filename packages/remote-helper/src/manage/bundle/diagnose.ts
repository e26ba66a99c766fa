// `doctor`'s findings about a bundle-layout remote, from one reading of its state: several bundles of a
// ref, live and stale locks, a missing or dangling HEAD, keys that are not ours, repo.zip without a
// bundle, protection of absent branches, refs of which one is a path prefix of another, more refs than the
// layout handles well. Pure: what each finding means, and what fixes it, as text.
import { formatAge, headKey, judgeLock, objectUrl, printable } from '@git-remote-s3/core';
import { type BundleObject, resolveRef } from '../../layouts/bundle/ref-table.js';
import { conflictingRefPairs, describeRefNameConflict } from '../../layouts/push-rules.js';
import type { RemoteState } from './remote-state.js';

export type Finding =
  | {
      readonly kind: 'multiple-bundles';
      readonly ref: string;
      /** Newest first. */
      readonly bundles: readonly BundleObject[];
      /** `clear`: the newest is the ref; otherwise why it cannot be said which one is. */
      readonly newest: 'clear' | 'same age' | 'push in progress';
    }
  | { readonly kind: 'stale-lock' | 'live-lock'; readonly ref: string; readonly key: string; readonly ageMs: number }
  | { readonly kind: 'head-missing'; readonly suggestion: string | undefined }
  | { readonly kind: 'head-dangling'; readonly head: string; readonly suggestion: string | undefined }
  | { readonly kind: 'invalid-key'; readonly key: string; readonly reason: string }
  | { readonly kind: 'zip-without-bundle'; readonly ref: string; readonly key: string }
  | { readonly kind: 'protected-without-bundle'; readonly ref: string }
  /** `parent` is a path prefix of `ref` (`a`, `a/b`): no clone or fetch can take both. */
  | { readonly kind: 'ref-name-conflict'; readonly ref: string; readonly parent: string }
  /** More refs than MANY_REFS: advice (the packs layout scales), not a problem. */
  | { readonly kind: 'many-refs'; readonly count: number };

/**
 * Above this many refs doctor suggests the packs layout: each ref of a bundle remote is a full bundle (its
 * whole history uploaded on every push of it, a clone downloading every one), and every command lists them all.
 */
export const MANY_REFS = 100;

/** What the texts need to know about the remote and how doctor was run. */
export interface DiagnosisContext {
  readonly bucket: string;
  readonly prefix: string;
  /** The remote's url as shown in commands. */
  readonly display: string;
  readonly lockTtlMs: number;
  /** Flags the suggested doctor commands repeat (`--lock-ttl 5` when the TTL was overridden). */
  readonly doctorFlags: readonly string[];
}

export function diagnose(state: RemoteState, lockTtlMs: number): Finding[] {
  const { refs, serverTime, invalid } = state.table;
  const findings: Finding[] = [];
  const branches = [...refs.values()]
    .filter((e) => e.ref.startsWith('refs/heads/') && e.bundles.length > 0)
    .map((e) => e.ref)
    .sort();
  for (const entry of [...refs.values()].sort((a, b) => (a.ref < b.ref ? -1 : 1))) {
    const { ref, bundles, lock } = entry;
    if (bundles.length > 1) {
      const resolution = resolveRef(entry, lockTtlMs, serverTime);
      findings.push({ kind: 'multiple-bundles', ref, bundles, newest: resolution.kind === 'ambiguous' ? resolution.why : 'clear' });
    }
    if (lock) {
      const { stale, ageMs } = judgeLock(lock.lastModified, serverTime, lockTtlMs);
      findings.push({ kind: stale ? 'stale-lock' : 'live-lock', ref, key: lock.key, ageMs });
    }
    if (bundles.length === 0 && entry.zip) findings.push({ kind: 'zip-without-bundle', ref, key: entry.zip.key });
    if (bundles.length === 0 && entry.protected) findings.push({ kind: 'protected-without-bundle', ref });
  }
  const listed = [...refs.values()].filter((e) => e.bundles.length > 0).map((e) => e.ref);
  for (const [parent, ref] of conflictingRefPairs(listed)) findings.push({ kind: 'ref-name-conflict', ref, parent });
  const suggestion = ['refs/heads/main', 'refs/heads/master'].find((b) => branches.includes(b)) ?? branches[0];
  if (state.head === undefined) {
    if (branches.length > 0) findings.push({ kind: 'head-missing', suggestion });
  } else if (!branches.includes(state.head)) {
    findings.push({ kind: 'head-dangling', head: state.head, suggestion });
  }
  for (const { key, reason } of invalid) findings.push({ kind: 'invalid-key', key, reason });
  if (listed.length > MANY_REFS) findings.push({ kind: 'many-refs', count: listed.length });
  return findings;
}

/** Problems want fixing; the rest (a push in progress, protection kept for a branch) is for information. */
export function isProblem(finding: Finding): boolean {
  switch (finding.kind) {
    case 'live-lock':
    case 'protected-without-bundle':
    case 'many-refs':
      return false;
    case 'multiple-bundles':
      return finding.newest !== 'push in progress';
    default:
      return true;
  }
}

/** Names a finding across two readings of the remote, so that a fix can be seen to have worked. */
export function findingId(finding: Finding): string {
  switch (finding.kind) {
    case 'head-missing':
    case 'head-dangling':
    case 'many-refs':
      return finding.kind;
    case 'invalid-key':
    case 'zip-without-bundle':
      return `${finding.kind} ${finding.key}`;
    case 'ref-name-conflict':
      return `${finding.kind} ${finding.parent} ${finding.ref}`;
    default:
      return `${finding.kind} ${finding.ref}`;
  }
}

const short = (sha: string) => sha.slice(0, 7);
const branchName = (ref: string) => ref.slice('refs/heads/'.length);

export function describeFinding(finding: Finding, ctx: DiagnosisContext): string {
  const ttl = formatAge(ctx.lockTtlMs);
  switch (finding.kind) {
    case 'multiple-bundles': {
      const shas = finding.bundles.map((b) => short(b.sha)).join(', ');
      const count = finding.bundles.length;
      if (finding.newest === 'push in progress') return `${finding.ref} has ${count} bundles (${shas}) while a push holds its lock`;
      if (finding.newest === 'same age') {
        return `${finding.ref} has ${count} bundles (${shas}) with the same Last-Modified: which one is the ref cannot be told`;
      }
      return `${finding.ref} has ${count} bundles (${shas}), the trace of an interrupted push; the newest, ${short(finding.bundles[0]?.sha ?? '')}, is the ref`;
    }
    case 'stale-lock':
      return `stale lock on ${finding.ref}: ${objectUrl(ctx.bucket, finding.key)} is ${formatAge(finding.ageMs)} old (TTL ${ttl})`;
    case 'live-lock':
      return `${finding.ref} is locked by a push in progress (${formatAge(finding.ageMs)} old, TTL ${ttl}); left alone`;
    case 'head-missing':
      return `HEAD is missing (${objectUrl(ctx.bucket, headKey(ctx.prefix))}): clones cannot tell the default branch`;
    case 'head-dangling':
      return `HEAD names '${printable(finding.head)}', which is not a branch of this remote`;
    case 'invalid-key':
      return `${objectUrl(ctx.bucket, finding.key)} is not a key this layout knows (${finding.reason}); readers ignore it`;
    case 'zip-without-bundle':
      return `${objectUrl(ctx.bucket, finding.key)} is left over: ${finding.ref} has no bundle`;
    case 'ref-name-conflict':
      return describeRefNameConflict([finding.parent, finding.ref], ctx.display).text;
    case 'protected-without-bundle':
      return `branch ${branchName(finding.ref)} is protected but has no bundle; the protection applies when it is pushed`;
    case 'many-refs':
      return `${finding.count} refs: on the bundle layout each ref is a full bundle, so pushes and clones grow costly with many refs; 'git s3 migrate ${ctx.display} --to packs' moves this remote to the packs layout, which keeps them in one ref table`;
  }
}

/** What to run (or do) to fix a problem; undefined for findings that are not problems. */
export function fixHint(finding: Finding, ctx: DiagnosisContext): string | undefined {
  const doctor = (flag: string) => `run '${['git s3 doctor', flag, ...ctx.doctorFlags, ctx.display].join(' ')}'`;
  const remove = (key: string) => `aws s3 rm ${objectUrl(ctx.bucket, key)}`;
  switch (finding.kind) {
    case 'multiple-bundles':
      if (finding.newest === 'clear') return doctor('--keep-newest-bundle');
      if (finding.newest === 'same age') {
        return `fetch each bundle of ${finding.ref}, keep the right one and delete the other by hand (${remove(finding.bundles[1]?.key ?? '')})`;
      }
      return undefined;
    case 'stale-lock':
      return doctor('--delete-stale-locks');
    case 'head-missing':
    case 'head-dangling':
      return finding.suggestion
        ? doctor(`--set-head ${branchName(finding.suggestion)}`)
        : `push a branch, then ${doctor('--set-head <branch>')}`;
    case 'invalid-key':
      return `remove it if nothing else needs it: ${remove(finding.key)}`;
    case 'zip-without-bundle':
      return `push ${finding.ref} again, or remove it: ${remove(finding.key)}`;
    case 'ref-name-conflict':
      return describeRefNameConflict([finding.parent, finding.ref], ctx.display).hint;
    default:
      return undefined;
  }
}

/** `doctor: 2 problems found, 1 fixed`, from the problems before and after the fixes. */
export function summarize(before: readonly Finding[], after: readonly Finding[]): { found: number; fixed: number; line: string } {
  const found = before.filter(isProblem);
  const left = new Set(after.filter(isProblem).map(findingId));
  const fixed = found.filter((f) => !left.has(findingId(f))).length;
  if (found.length === 0) return { found: 0, fixed: 0, line: 'doctor: no problems found' };
  return { found: found.length, fixed, line: `doctor: ${found.length} problem${found.length === 1 ? '' : 's'} found, ${fixed} fixed` };
}
