// What a bucket layout offers the protocol loop: list, fetch and push (a delete is a push without an id), and
// what they answer (refs, push results with their refusals as data). The loop never asks which layout it holds; the layouts never
// speak the wire format (helper/protocol.ts does, from these types).
import { log } from '@git-remote-s3/core/log';
import { objectFormat } from '@git-remote-s3/core/repo';

export interface ListedRef {
  readonly sha: string;
  readonly ref: string;
}

export interface RemoteListing {
  /** Refs sorted by name, each at the object id the remote holds. */
  readonly refs: readonly ListedRef[];
  /** The ref HEAD points to, when the remote says and that ref exists. */
  readonly head: string | undefined;
  /** From the remote's object ids; undefined for an empty remote. */
  readonly objectFormat: 'sha1' | 'sha256' | undefined;
}

export interface FetchRequest {
  readonly sha: string;
  readonly name: string;
}

export interface PushRequest {
  /** Local object id to push; undefined deletes `dst`. */
  readonly sha: string | undefined;
  readonly dst: string;
  readonly force: boolean;
  /** From `option cas` (--force-with-lease): the remote must be at this id ('' = must not exist). */
  readonly expect: string | undefined;
}

/** git's own rejection statuses (transport-helper.c): git prints its usual hint for each. */
export type GitRefusalReason = 'non-fast-forward' | 'fetch-first' | 'stale-info' | 'already-exists' | 'needs-force';

/** Refusals whose words never vary. */
export type FixedRefusalReason = 'atomic-push-failed' | 'no-such-ref' | 'invalid-ref-name' | 'not-pushed';

/** Refusals that carry their words, made by the typed error or rule that knows the particulars. */
export type ExplainedRefusalReason =
  | 'protected' // a protected branch forced or deleted
  | 'ref-name-conflict' // the remote would hold refs `a` and `a/b`
  | 'incomplete' // the remote would lack history (a shallow push, objects missing here)
  | 'object-format' // objects of another hash algorithm than the remote's
  | 'non-commit' // a tree or blob pushed to a branch
  | 'no-source' // the push source names no object
  | 'busy' // the packs layout's ref table kept changing under the push
  | 'vanished' // the packs layout's ref table disappeared under the push
  | 'failed'; // a typed error met while carrying the update out (a lock held, access denied, …)

/**
 * Why a ref was not updated, as data (the way isomorphic-git's PushRejectedError carries `reason`); only
 * helper/protocol.ts turns it into git's words.
 */
export type Refusal =
  | { readonly reason: GitRefusalReason | FixedRefusalReason }
  | { readonly reason: ExplainedRefusalReason; readonly message: string };

export type PushResult =
  | { readonly ref: string; readonly ok: true; readonly note?: 'up to date' | 'forced update' }
  | ({ readonly ref: string; readonly ok: false } & Refusal);

export interface SessionOptions {
  progress: boolean;
  dryRun: boolean;
  /** `option atomic true` (--atomic): all refs or none; only asked of a layout that can promise it. */
  atomic: boolean;
  verbosity: number;
  /** ref → expected id, from `option cas <ref>:<id>`. */
  readonly cas: Map<string, string>;
}

export interface Layout {
  /** Whether a push can update all its refs or none (answers `option atomic`). */
  readonly atomic: boolean;
  list(forPush: boolean): Promise<RemoteListing>;
  fetch(requests: readonly FetchRequest[], options: SessionOptions): Promise<void>;
  /** One result per request, in order; one failing ref never hides another's result. */
  push(requests: readonly PushRequest[], options: SessionOptions): Promise<PushResult[]>;
}

/**
 * The object format to announce: from the remote's ids; for an empty remote, the local repository's when
 * pushing (so a SHA-256 repository can push to it), and none for a plain listing.
 */
export async function listingObjectFormat(refs: readonly ListedRef[], forPush: boolean): Promise<'sha1' | 'sha256' | undefined> {
  const first = refs[0];
  if (first) return first.sha.length === 64 ? 'sha256' : 'sha1';
  return forPush ? objectFormat().catch(() => undefined) : undefined;
}

/**
 * The default branch: what the remote's HEAD names when that branch exists; else main, master or the first
 * branch, so that a clone still checks something out.
 */
export function chooseHead(headText: string | undefined, refs: readonly ListedRef[]): string | undefined {
  const named = headText?.trim();
  const branches = refs.filter((r) => r.ref.startsWith('refs/heads/')).map((r) => r.ref);
  if (named && branches.includes(named)) return named;
  const fallback = ['refs/heads/main', 'refs/heads/master'].find((b) => branches.includes(b)) ?? branches[0];
  if (named && fallback) log.warnOnce(`the remote's HEAD names ${named}, which does not exist; using ${fallback}`);
  return fallback;
}

/**
 * The branch a push names in a missing `<prefix>/HEAD` (DESIGN §11: a push that leaves the remote with a
 * branch leaves it with a HEAD): the local current branch when this push set it, else main, master or the
 * first branch it set; a push that set no branch (tags only, deletions) names the remote's main, master or
 * first branch. `updated`: the refs this push set (deletions left out); `remaining`: the remote's refs
 * after it. Undefined when the remote is left without a branch.
 */
export function chooseDefaultBranch(
  updated: readonly string[],
  current: string | undefined,
  remaining: readonly string[],
): string | undefined {
  const left = new Set(remaining.filter((r) => r.startsWith('refs/heads/')));
  const set = updated.filter((r) => left.has(r));
  const preferred = (among: readonly string[], first: string | undefined) =>
    [first, 'refs/heads/main', 'refs/heads/master'].find((b) => b !== undefined && among.includes(b)) ?? among[0];
  return preferred(set, current) ?? preferred([...left].sort(), undefined);
}
