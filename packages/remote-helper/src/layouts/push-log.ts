// Writes a push's one log entry (docs/push-log.md) once its ref updates committed, on both layouts: one
// create-only PUT; a failure is one warning, never a failed push (the refs already landed).
import { randomBytes } from 'node:crypto';
import {
  asExpected,
  formatPushLogEntry,
  git,
  type LoggedRefUpdate,
  log,
  PUSH_LOG_VERSION,
  type PushLogEntry,
  pushLogKey,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { VERSION } from '../version.js';

/** One ref the push changed: its id before (undefined: created) and after (undefined: deleted). */
export interface LandedUpdate {
  readonly ref: string;
  readonly old: string | undefined;
  readonly new: string | undefined;
  readonly forced: boolean;
}

/** The entry for `updates`, pure: ids as JSON nulls, the refs in name order. */
export function pushLogEntry(updates: readonly LandedUpdate[], pusher: PushLogEntry['pusher'], time: Date): PushLogEntry {
  const logged: LoggedRefUpdate[] = [...updates]
    .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))
    .map((u) => ({ ref: u.ref, old: u.old ?? null, new: u.new ?? null, forced: u.forced, deleted: u.new === undefined }));
  return { version: PUSH_LOG_VERSION, kind: 'push', time: time.toISOString(), pusher, tool: `git-remote-s3/${VERSION}`, updates: logged };
}

/** `Name <email> 1700000000 +0000` (git var GIT_COMMITTER_IDENT) → name and email; undefined when it is not that. */
export function parseIdent(line: string): PushLogEntry['pusher'] | undefined {
  const m = /^(.*?) ?<([^<>]*)> \d+ [+-]\d{4}\s*$/.exec(line);
  return m ? { name: m[1] ?? '', email: m[2] ?? '' } : undefined;
}

/**
 * Logs the updates that landed (nothing when none did). Never throws: the push is committed, so a refused
 * or failed write, or even a bug here, is one `warning:` line and the push stands.
 */
export async function writePushLog(remote: Remote, updates: readonly LandedUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  try {
    const time = new Date();
    const entry = pushLogEntry(updates, await pusherIdentity(), time);
    const key = pushLogKey(remote.url.prefix, time, randomBytes(4).toString('hex'));
    await remote.store.put(key, formatPushLogEntry(entry), { ifNoneMatch: '*', contentType: 'application/json' });
  } catch (error) {
    const known = asExpected(error);
    const why = known instanceof Error ? known.message : String(known);
    log.warn(`the push is done, but its push log entry was not written (${why}); the refs are updated`);
  }
}

/** Who pushes, as git would name the committer; a repository with no identity set logs an unknown pusher. */
async function pusherIdentity(): Promise<PushLogEntry['pusher']> {
  const ident = await git(['var', 'GIT_COMMITTER_IDENT']).then(
    (r) => parseIdent(r.stdout.trim()),
    () => undefined,
  );
  return ident ?? { name: 'unknown', email: '' };
}
