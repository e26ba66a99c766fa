// What `git s3 gc` may do to a packs-layout remote, decided from what it read: which listed packs to
// consolidate, which retired and orphan packs may go because their grace period is over, and which must
// wait. Pure, so that every rule that keeps a concurrent reader or pusher safe is unit-tested.
import { type ObjectInfo, parsePackFileKey, printable, type RetiredPack } from '@git-remote-s3/core';
import { UsageError } from '@git-remote-s3/core/errors';

/** The files of one pack under objects/pack/ (`.pack`, `.idx`, and any other git keeps beside them). */
export interface PackGroup {
  readonly name: string;
  readonly keys: readonly string[];
  /** Size of all its files. */
  readonly bytes: number;
  /** Size of its `.pack` alone (0 when there is none). */
  readonly packBytes: number;
  /** The latest Last-Modified of its files: when it was last uploaded. */
  readonly newest: Date;
}

/** A pack kept for now, and when a gc may delete it. */
export interface Waiting {
  readonly group: PackGroup;
  readonly until: Date;
}

/** What gc read, in this order: the pack list, then the retired list (the listing of objects/pack/ at any time). */
export interface GcState {
  readonly prefix: string;
  readonly listed: readonly string[];
  readonly retired: readonly RetiredPack[];
  readonly files: readonly ObjectInfo[];
  /** The server's clock when it answered the listing: every age is judged on it. */
  readonly now: Date;
}

export interface GcPlan {
  /** Every listed pack, when there are at least two; else none. */
  readonly consolidate: readonly PackGroup[];
  /** Listed packs whose `.pack` is not in the bucket: the remote is broken and gc must not touch it. */
  readonly unreadable: readonly string[];
  /** Retired packs whose grace period is over: delete. */
  readonly expired: readonly PackGroup[];
  /** Retired packs still in their grace period. */
  readonly waiting: readonly Waiting[];
  /** Packs neither listed nor retired and older than the grace period (an interrupted push left them): delete. */
  readonly orphans: readonly PackGroup[];
  /** Unlisted packs younger than the grace period: a push may be about to list them. */
  readonly youngOrphans: readonly Waiting[];
  /** Entries of the retired list to drop, as read (a later entry for the same pack is not theirs to drop). */
  readonly forget: readonly RetiredPack[];
}

/** The files under objects/pack/ grouped by pack; keys that are no pack's are never touched. */
export function groupPackFiles(prefix: string, files: readonly ObjectInfo[]): Map<string, PackGroup> {
  const groups = new Map<string, PackGroup>();
  for (const file of files) {
    const name = parsePackFileKey(prefix, file.key)?.name;
    if (!name) continue;
    const seen = groups.get(name);
    groups.set(name, {
      name,
      keys: [...(seen?.keys ?? []), file.key],
      bytes: (seen?.bytes ?? 0) + file.size,
      packBytes: (seen?.packBytes ?? 0) + (file.key.endsWith('.pack') ? file.size : 0),
      newest: seen && seen.newest > file.lastModified ? seen.newest : file.lastModified,
    });
  }
  return groups;
}

/**
 * An unlisted pack is an orphan only once no push can still be about to list it, whatever `--grace` says:
 * a push lists its pack right after uploading it, so an hour is ample. A group with an index but no
 * `.pack` may be a large upload still running (S3 shows a multipart object only once it completes, while
 * its index, sent beside it, is there early), so it waits a day.
 */
const ORPHAN_MIN_AGE_MS = 3_600_000;
const PACKLESS_ORPHAN_MIN_AGE_MS = 24 * 3_600_000;

function orphanAgeMs(group: PackGroup, graceMs: number): number {
  const hasPack = group.keys.some((k) => k.endsWith('.pack'));
  return Math.max(graceMs, hasPack ? ORPHAN_MIN_AGE_MS : PACKLESS_ORPHAN_MIN_AGE_MS);
}

/** The resolution of the server times gc reads (an HTTP Date header names whole seconds). */
const DATE_RESOLUTION_MS = 1000;

export function planGc(state: GcState, graceMs: number): GcPlan {
  const groups = groupPackFiles(state.prefix, state.files);
  const listed = new Set(state.listed);
  const now = state.now.getTime();
  const unreadable = state.listed.filter((name) => !groups.get(name)?.keys.some((k) => k.endsWith('.pack')));
  const expired: PackGroup[] = [];
  const waiting: Waiting[] = [];
  const forget: RetiredPack[] = [];
  for (const entry of state.retired) {
    const group = groups.get(entry.name);
    // Both times come from HTTP Date headers (whole seconds) plus our own clock: each may be up to a second
    // behind the server's, so a comparison is only trusted beyond that resolution.
    const ended = now - entry.retiredAt.getTime() >= graceMs - DATE_RESOLUTION_MS;
    if (listed.has(entry.name)) {
      // Listed and retired: a gc is replacing the list right now, or one died before it could (then the
      // entry is stale once its grace period is over). Either way the pack is live.
      if (ended) forget.push(entry);
    } else if (!group || group.newest.getTime() > entry.retiredAt.getTime() + DATE_RESOLUTION_MS) {
      // Gone already, or uploaded again since it was retired (a push of the same objects): then judged by
      // its age like any unlisted pack.
      forget.push(entry);
    } else if (ended) {
      expired.push(group);
      forget.push(entry);
    } else {
      waiting.push({ group, until: new Date(entry.retiredAt.getTime() + graceMs) });
    }
  }
  const accounted = new Set([...listed, ...expired.map((g) => g.name), ...waiting.map((w) => w.group.name)]);
  const unlisted = [...groups.values()].filter((g) => !accounted.has(g.name));
  return {
    consolidate: state.listed.length >= 2 && unreadable.length === 0 ? state.listed.map((n) => groups.get(n) as PackGroup) : [],
    unreadable,
    expired,
    waiting,
    orphans: unlisted.filter((g) => now - g.newest.getTime() >= orphanAgeMs(g, graceMs)),
    youngOrphans: unlisted
      .filter((g) => now - g.newest.getTime() < orphanAgeMs(g, graceMs))
      .map((group) => ({ group, until: new Date(group.newest.getTime() + orphanAgeMs(group, graceMs)) })),
    forget,
  };
}

/**
 * The pack list with the consolidated packs replaced by the new one, applied to the list as it is when
 * written: packs pushed meanwhile stay. When none of the consolidated packs is listed any more (another gc
 * replaced them first), the list is left as it is.
 */
export function replaceConsolidated(current: readonly string[], consolidated: readonly string[], pack: string): string[] {
  const gone = new Set(consolidated.filter((n) => n !== pack));
  const kept = current.filter((n) => !gone.has(n));
  if (kept.length === current.length) return [...current];
  return kept.includes(pack) ? kept : [pack, ...kept];
}

/** The retired list after `names` left the pack list at `at`. */
export function retire(current: readonly RetiredPack[], names: readonly string[], at: Date): RetiredPack[] {
  return [...current, ...names.map((name) => ({ name, retiredAt: at }))];
}

/** The retired list without the entries `forget` names (only those read then, not a later retirement). */
export function forgetRetired(current: readonly RetiredPack[], forget: readonly RetiredPack[]): RetiredPack[] {
  const seen = new Map(forget.map((p) => [p.name, p.retiredAt]));
  return current.filter((p) => {
    const at = seen.get(p.name);
    return at === undefined || p.retiredAt > at;
  });
}

const UNITS_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const MAX_GRACE_MS = 365 * 86_400_000;

/** `--grace`: `90s`, `15m`, `1h`, `1h30m`, `2d`, or a number of seconds (`0` deletes retired packs at once). */
export function parseGrace(text: string): number {
  const trimmed = text.trim();
  const bare = /^\d+$/.test(trimmed);
  const parts = bare ? [] : [...trimmed.matchAll(/(\d+)([dhms])/g)];
  const valid = bare || (parts.length > 0 && parts.map((m) => m[0]).join('') === trimmed);
  const ms = bare ? Number(trimmed) * 1000 : parts.reduce((sum, m) => sum + Number(m[1]) * (UNITS_MS[m[2] ?? ''] ?? 0), 0);
  if (!valid || !(ms <= MAX_GRACE_MS)) {
    throw new UsageError(`--grace expects a duration such as 90s, 15m, 1h or 0 (at most 365d), not '${printable(text)}'`);
  }
  return ms;
}
