// What a push may do to each ref of the packs layout's table: the checks git understands (fast-forward,
// tags, leases, protected branches), re-run against the current table on every commit attempt so another
// pusher's update is never lost, and no ref it leaves is a path prefix of another; with --atomic, one
// refusal refuses them all.
import { ancestry, isValidRefName, ProtectedBranchError, type RefRecord } from '@git-remote-s3/core';
import type { PushRequest } from '../layout.js';
import { refNameConflicts } from '../push-rules.js';

export interface DecideOptions {
  readonly atomic: boolean;
  /** Asked only for a branch a push would force or delete (one read of the protected list, at most). */
  readonly isProtected: (ref: string) => Promise<boolean>;
  /** The remote as named in messages. */
  readonly display: string;
}

export const ATOMIC_FAILURE = 'atomic push failed';

export interface AcceptedUpdate {
  readonly ref: string;
  readonly ok: true;
  /** The new id; undefined deletes the ref. */
  readonly sha: string | undefined;
  readonly forced: boolean;
  readonly upToDate: boolean;
}

export type RefDecision = AcceptedUpdate | { readonly ref: string; readonly ok: false; readonly reason: string };

export async function decideUpdates(
  table: readonly RefRecord[],
  requests: readonly PushRequest[],
  options: DecideOptions,
): Promise<RefDecision[]> {
  const current = new Map(table.map((r) => [r.ref, r.sha]));
  const decisions: RefDecision[] = [];
  for (const request of requests) {
    const ref = request.dst;
    const remoteSha = current.get(ref);
    const fail = (reason: string) => decisions.push({ ref, ok: false, reason });
    if (!isValidRefName(ref)) {
      fail(`'${ref}' is not a valid ref name`);
      continue;
    }
    if (request.expect !== undefined && (request.expect === '' ? remoteSha !== undefined : remoteSha !== request.expect)) {
      fail('stale info');
      continue;
    }
    const refusal = async (action: 'delete' | 'force push') =>
      ref.startsWith('refs/heads/') && (await options.isProtected(ref))
        ? new ProtectedBranchError(ref.slice('refs/heads/'.length), action, options.display).message
        : undefined;
    if (request.sha === undefined) {
      const why = remoteSha === undefined ? 'remote ref does not exist' : await refusal('delete');
      if (why) fail(why);
      else decisions.push({ ref, ok: true, sha: undefined, forced: false, upToDate: false });
      continue;
    }
    if (remoteSha === request.sha) {
      decisions.push({ ref, ok: true, sha: request.sha, forced: false, upToDate: true });
      continue;
    }
    const forceAllowed = request.force || request.expect !== undefined;
    let forced = false;
    if (remoteSha !== undefined) {
      if (ref.startsWith('refs/tags/') && !forceAllowed) {
        fail('already exists');
        continue;
      }
      const relation = await ancestry(remoteSha, request.sha);
      if (relation !== 'ancestor') {
        if (!forceAllowed) {
          fail(relation === 'unknown' ? 'fetch first' : 'non-fast forward');
          continue;
        }
        forced = true;
      }
    }
    const why = forced ? await refusal('force push') : undefined;
    if (why) fail(why);
    else decisions.push({ ref, ok: true, sha: request.sha, forced, upToDate: false });
  }
  return atomically(withoutRefNameConflicts(table, decisions), options.atomic);
}

/** The accepted updates that would leave this table with refs `a` and `a/b`, refused (judged after them all). */
function withoutRefNameConflicts(table: readonly RefRecord[], decisions: readonly RefDecision[]): RefDecision[] {
  const changes = decisions.flatMap((d) => (d.ok && !d.upToDate ? [{ ref: d.ref, sha: d.sha }] : []));
  const conflicts = refNameConflicts(
    table.map((r) => r.ref),
    changes,
  );
  return decisions.map((d) => {
    const reason = d.ok ? conflicts.get(d.ref) : undefined;
    return reason ? { ref: d.ref, ok: false, reason } : d;
  });
}

function atomically(decisions: RefDecision[], atomic: boolean): RefDecision[] {
  if (!atomic || decisions.every((d) => d.ok)) return decisions;
  return decisions.map((d) => (d.ok && !d.upToDate ? { ref: d.ref, ok: false, reason: ATOMIC_FAILURE } : d));
}
