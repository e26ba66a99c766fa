// The one push policy of both layouts: whether a ref update may land (valid name, lease, fast-forward,
// tags, protection, delete of a missing ref, refs `a` and `a/b`, complete history, --atomic), decided from
// the remote's state, the request and the answers it needs, handed in; a refusal is data (layout.ts), worded
// only by helper/protocol.ts. Pure: it asks git and the bucket nothing itself.
import { ProtectedBranchError } from '@git-remote-s3/core/errors';
import { isValidRefName } from '@git-remote-s3/core/keys/refname';
import type { Ancestry } from '@git-remote-s3/core/repo';
import type { Verdict } from './completeness.js';
import type { PushRequest, PushResult, Refusal } from './layout.js';
import { refNameConflicts } from './push-rules.js';

/** What the policy asks, answered by its caller (the answers may come from a cache or a stub). */
export interface PolicyAnswers {
  /** How the remote's id relates to the pushed one (core's `ancestry`); asked only when both exist and differ. */
  readonly ancestry: (remote: string, pushed: string) => Promise<Ancestry>;
  /** Whether a branch is protected; asked only of one the update would force or delete. */
  readonly isProtected: (ref: string) => boolean | Promise<boolean>;
  /** The remote as named in messages. */
  readonly display: string;
}

export interface AcceptedUpdate {
  readonly ref: string;
  readonly ok: true;
  /** The new id; undefined deletes the ref. */
  readonly sha: string | undefined;
  readonly forced: boolean;
  readonly upToDate: boolean;
}

export type RefusedUpdate = { readonly ref: string; readonly ok: false } & Refusal;

export type RefDecision = AcceptedUpdate | RefusedUpdate;

/** A decision as the layout reports it once carried out: up to date, a forced update, or the refusal. */
export function decisionResult(d: RefDecision): PushResult {
  if (!d.ok) return d;
  return { ref: d.ref, ok: true, ...(d.upToDate ? { note: 'up to date' as const } : d.forced ? { note: 'forced update' as const } : {}) };
}

/** Decides one update of `request.dst`, which the remote holds at `remoteSha` (undefined: not at all). */
export async function decideRefUpdate(remoteSha: string | undefined, request: PushRequest, answers: PolicyAnswers): Promise<RefDecision> {
  const ref = request.dst;
  const refuse = (refusal: Refusal): RefusedUpdate => ({ ref, ok: false, ...refusal });
  const accept = (sha: string | undefined, forced: boolean, upToDate: boolean): AcceptedUpdate => ({
    ref,
    ok: true,
    sha,
    forced,
    upToDate,
  });
  if (!isValidRefName(ref)) return refuse({ reason: 'invalid-ref-name' });
  if (request.expect !== undefined && (request.expect === '' ? remoteSha !== undefined : remoteSha !== request.expect)) {
    return refuse({ reason: 'stale-info' });
  }
  const protection = async (action: 'delete' | 'force push'): Promise<Refusal | undefined> => {
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
    if (branch === undefined || !(await answers.isProtected(ref))) return undefined;
    return { reason: 'protected', message: new ProtectedBranchError(branch, action, answers.display).message };
  };
  if (request.sha === undefined) {
    if (remoteSha === undefined) return refuse({ reason: 'no-such-ref' });
    const refusal = await protection('delete');
    return refusal ? refuse(refusal) : accept(undefined, false, false);
  }
  if (remoteSha === request.sha) return accept(request.sha, false, true);
  const forceAllowed = request.force || request.expect !== undefined;
  let forced = false;
  if (remoteSha !== undefined) {
    if (ref.startsWith('refs/tags/') && !forceAllowed) return refuse({ reason: 'already-exists' });
    const relation = await answers.ancestry(remoteSha, request.sha);
    if (relation !== 'ancestor') {
      // 'unknown': the remote's id is not here, so git's advice is to fetch it first.
      if (!forceAllowed) return refuse({ reason: relation === 'unknown' ? 'fetch-first' : 'non-fast-forward' });
      forced = true;
    }
  }
  const refusal = forced ? await protection('force push') : undefined;
  return refusal ? refuse(refusal) : accept(request.sha, forced, false);
}

/**
 * The same decision again under the ref's lock (the bundle layout), made first against `seenSha`; `nowSha`
 * reads what the remote holds now. A ref that moved meanwhile refuses the update (its lease is stale;
 * without one, git's advice is to fetch first), except that a delete without a lease removes whatever the
 * ref holds (so `nowSha` is not even read); protection is asked again, as it may have been set meanwhile.
 */
export async function recheckRefUpdate(
  seenSha: string | undefined,
  nowSha: () => string | undefined,
  request: PushRequest,
  answers: PolicyAnswers,
): Promise<RefDecision> {
  if ((request.sha !== undefined || request.expect !== undefined) && nowSha() !== seenSha) {
    return { ref: request.dst, ok: false, reason: request.expect !== undefined ? 'stale-info' : 'fetch-first' };
  }
  return decideRefUpdate(seenSha, request, answers);
}

export interface PushPolicyOptions extends PolicyAnswers {
  /** --atomic: one refusal refuses every change. */
  readonly atomic: boolean;
  /** Whether each pushed id leaves the remote complete, by ref (none: every one does). */
  readonly verdicts?: ReadonlyMap<string, Verdict>;
}

/**
 * Decides a whole push against a ref table (the packs layout, re-run on every commit attempt so another
 * pusher's update is never lost): each ref on its own, then no ref left a path prefix of another, then
 * --atomic; then the incomplete refused, and --atomic once more.
 */
export async function decidePush(
  table: readonly { readonly ref: string; readonly sha: string }[],
  requests: readonly PushRequest[],
  options: PushPolicyOptions,
): Promise<RefDecision[]> {
  const current = new Map(table.map((r) => [r.ref, r.sha]));
  const decisions: RefDecision[] = [];
  for (const request of requests) decisions.push(await decideRefUpdate(current.get(request.dst), request, options));
  const decided = atomically(withoutRefNameConflicts(table, decisions), options.atomic);
  return refuseIncomplete(decided, options.verdicts ?? new Map(), options.atomic);
}

/** The accepted updates that would leave this table with refs `a` and `a/b`, refused (judged after them all). */
function withoutRefNameConflicts(table: readonly { readonly ref: string }[], decisions: readonly RefDecision[]): RefDecision[] {
  const changes = decisions.flatMap((d) => (d.ok && !d.upToDate ? [{ ref: d.ref, sha: d.sha }] : []));
  const conflicts = refNameConflicts(
    table.map((r) => r.ref),
    changes,
  );
  return decisions.map((d) => {
    const message = d.ok ? conflicts.get(d.ref) : undefined;
    return message ? { ref: d.ref, ok: false, reason: 'ref-name-conflict', message } : d;
  });
}

/**
 * Applies the completeness verdicts (by ref, DESIGN §11): a ref found incomplete is refused with its reason,
 * others keep theirs; with `atomic`, one incomplete ref refuses every ref the push would change.
 */
export function refuseIncomplete(
  decisions: readonly RefDecision[],
  verdicts: ReadonlyMap<string, Verdict>,
  atomic: boolean,
): RefDecision[] {
  const refused = decisions.map((d): RefDecision => {
    const verdict = verdicts.get(d.ref);
    return d.ok && verdict && !verdict.ok ? { ref: d.ref, ok: false, reason: 'incomplete', message: verdict.reason } : d;
  });
  return refused.every((d, i) => d === decisions[i]) ? refused : atomically(refused, atomic);
}

/** With --atomic and a refusal, every change refused too; refs already up to date stay so. */
function atomically(decisions: RefDecision[], atomic: boolean): RefDecision[] {
  if (!atomic || decisions.every((d) => d.ok)) return decisions;
  return decisions.map((d) => (d.ok && !d.upToDate ? { ref: d.ref, ok: false, reason: 'atomic-push-failed' } : d));
}
