// `git s3 log`: reads the push log (one LIST of `<prefix>/logs/`, a GET per entry) and shows it newest first
// the way `git reflog` does. Layout-blind: both layouts write the same entries (layouts/push-log.ts).
import {
  asExpected,
  CorruptObjectError,
  isPushLogKey,
  type LoggedRefUpdate,
  log,
  mapConcurrent,
  objectUrl,
  type PushLogEntry,
  parsePushLogEntry,
  printable,
  pushLogPrefix,
  refNameProblem,
} from '@git-remote-s3/core';
import { UsageError } from '@git-remote-s3/core/errors';
import type { Remote } from '@git-remote-s3/core/remote';

/** Entries fetched at once: small objects, so latency rather than bandwidth bounds the listing. */
const READ_CONCURRENCY = 8;

export interface StoredEntry {
  readonly key: string;
  readonly entry: PushLogEntry;
}

/** One ref update with its place in that ref's history: `<ref>@{n}`, 0 the newest. */
export interface NumberedUpdate {
  readonly stored: StoredEntry;
  readonly update: LoggedRefUpdate;
  readonly n: number;
}

/**
 * Every entry of the log, newest first. An entry that does not read as one (damaged, a newer format, deleted
 * since the listing) is skipped with a warning: one bad record must not hide the others.
 */
export async function readPushLog(remote: Remote): Promise<StoredEntry[]> {
  const prefix = remote.url.prefix;
  const listing = await remote.store.list(pushLogPrefix(prefix));
  const keys = listing.objects
    .map((o) => o.key)
    .filter((k) => isPushLogKey(prefix, k))
    .sort()
    .reverse();
  const read = await mapConcurrent(keys, READ_CONCURRENCY, async (key): Promise<StoredEntry | undefined> => {
    try {
      const got = await remote.store.getText(key);
      return got ? { key, entry: parsePushLogEntry(got.text, objectUrl(remote.store.bucket, key)) } : undefined;
    } catch (error) {
      const known = asExpected(error);
      // A failure of the bucket itself (access denied, network) is not one entry's fault: it ends the command.
      if (!(known instanceof CorruptObjectError)) throw error;
      log.warn(`skipped a push log entry: ${known.message}`);
      return undefined;
    }
  });
  return read.filter((e): e is StoredEntry => e !== undefined);
}

/** The updates of `entries` (newest first), numbered per ref as `ref@{n}`; only `ref`'s when given. */
export function numberUpdates(entries: readonly StoredEntry[], ref?: string): NumberedUpdate[] {
  const seen = new Map<string, number>();
  const numbered: NumberedUpdate[] = [];
  for (const stored of entries) {
    for (const update of stored.entry.updates) {
      const n = seen.get(update.ref) ?? 0;
      seen.set(update.ref, n + 1);
      if (ref === undefined || update.ref === ref) numbered.push({ stored, update, n });
    }
  }
  return numbered;
}

/** `1a2b3c4 refs/heads/main@{0}: push (forced) by A U Thor <a@example.com>, 2026-11-30 06:31:08 +0000` */
export function reflogLine({ stored, update, n }: NumberedUpdate): string {
  const { entry } = stored;
  const abbrev = (update.new ?? '0'.repeat(40)).slice(0, 7);
  const how = update.deleted ? ' (deleted)' : update.forced ? ' (forced)' : update.old === null ? ' (created)' : '';
  const who = entry.pusher.email === '' ? entry.pusher.name : `${entry.pusher.name} <${entry.pusher.email}>`;
  return `${abbrev} ${update.ref}@{${n}}: ${entry.kind}${how} by ${who}, ${gitDate(entry.time)}`;
}

/** One JSON line per entry for scripts: the entry as stored, its key, and each update's `@{n}`. */
export function jsonLines(entries: readonly StoredEntry[], ref?: string): string[] {
  const numbered = numberUpdates(entries, ref);
  return entries.flatMap((stored) => {
    const updates = numbered.filter((u) => u.stored === stored).map((u) => ({ ...u.update, n: u.n }));
    return updates.length === 0 ? [] : [JSON.stringify({ key: stored.key, ...stored.entry, updates })];
  });
}

/** `2026-11-30 06:31:08 +0000`, git's `--date=iso` in UTC: the same on every machine that reads the log. */
function gitDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`;
}

/**
 * The ref `git s3 log` was given, as git resolves a short name (refs/<x>, refs/tags/<x>, refs/heads/<x>),
 * among the refs the log names; an unknown short name is taken as a branch (its history is then empty).
 */
export function logRef(input: string, entries: readonly StoredEntry[]): string {
  const logged = new Set(entries.flatMap((s) => s.entry.updates.map((u) => u.ref)));
  const candidates = input.startsWith('refs/') ? [input] : [`refs/${input}`, `refs/tags/${input}`, `refs/heads/${input}`];
  const ref = candidates.find((c) => logged.has(c)) ?? candidates[candidates.length - 1] ?? input;
  const problem = refNameProblem(ref);
  if (problem) throw new UsageError(`'${printable(input)}' is not a valid ref name: ${problem}`);
  return ref;
}
