// The `packs` layout (DESIGN §4): git's own bare-repository layout in the bucket. `info/refs` is the
// authoritative ref table, committed by one conditional write per push; packs are immutable, named by
// their checksum and written before anything refers to them; a push moves only what the remote lacks.
import {
  ancestry,
  backOff,
  CONDITIONAL_ATTEMPTS,
  currentBranch,
  IncompleteRemoteError,
  LayoutConflictError,
  log,
  missingObjects,
  NotFoundError,
  PreconditionFailedError,
  packsHeadKey,
  parsePacksHead,
  type RefRecord,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { explainMissingObjects, judgePush, shallowBoundary, type Verdict } from '../completeness.js';
import {
  chooseDefaultBranch,
  chooseHead,
  type FetchRequest,
  type Layout,
  type ListedRef,
  listingObjectFormat,
  type PushRequest,
  type PushResult,
  type RemoteListing,
  type SessionOptions,
} from '../layout.js';
import { type LandedUpdate, writePushLog } from '../push-log.js';
import { type AcceptedUpdate, decidePush, decisionResult, type RefDecision } from '../push-policy.js';
import { fetchPacks } from './fetch.js';
import { recordHeldPacks } from './held-packs.js';
import { commitRefTable, type InfoRefsTable, readRefTable } from './info-refs.js';
import { disposePack, type LocalPack, objectPeels, packMissing } from './local-packs.js';
import { keepRefStoresInStep } from './loose-refs.js';
import { updatePackList, uploadPack } from './pack-list.js';
import { writeHeadIfAbsent } from './packs-head.js';
import { readProtectedRefs } from './protected-refs.js';
import { idsToPeel, withKnownPeels } from './ref-stores.js';

export class PacksLayout implements Layout {
  /** One table write commits every ref of a push. */
  readonly atomic = true;
  private table: InfoRefsTable | undefined;
  /** Whether `<prefix>/HEAD` exists, as last seen; a push that leaves a branch writes a missing one. */
  private hasHead: boolean;

  /**
   * `headText`: HEAD as read while choosing the layout; `knownEmpty`: that look found nothing under the
   * prefix, so the first listing is empty without a request (a push racing in is caught by the
   * create-only commit, which then re-reads).
   */
  constructor(
    private readonly remote: Remote,
    private readonly headText?: string,
    private knownEmpty = false,
  ) {
    // Every opener reads HEAD first, so no text means there is none.
    this.hasHead = headText !== undefined;
  }

  async list(forPush: boolean): Promise<RemoteListing> {
    const empty = this.knownEmpty;
    this.knownEmpty = false;
    const [table, head] = await Promise.all([
      empty ? { refs: [], etag: undefined } : readRefTable(this.remote),
      empty || forPush || this.headText !== undefined
        ? Promise.resolve(this.headText)
        : this.remote.store.getText(packsHeadKey(this.remote.url.prefix)).then((h) => h?.text),
    ]);
    if (!empty && !forPush && this.headText === undefined) this.hasHead = head !== undefined;
    this.table = table;
    const refs: ListedRef[] = table.refs.map((r) => ({ sha: r.sha, ref: r.ref }));
    const format = await listingObjectFormat(refs, forPush);
    return { refs, head: chooseHead(head ? (parsePacksHead(head) ?? head.trim()) : undefined, refs), objectFormat: format };
  }

  async fetch(requests: readonly FetchRequest[], options: SessionOptions): Promise<void> {
    const tips = new Set((this.table?.refs ?? []).flatMap((r) => (r.peeled ? [r.sha, r.peeled] : [r.sha])));
    const wanted = requests.map((r) => r.sha);
    await fetchPacks(this.remote, wanted, options.progress, {}, new Set(wanted.filter((sha) => !tips.has(sha))));
  }

  async push(requests: readonly PushRequest[], options: SessionOptions): Promise<PushResult[]> {
    let table = this.table ?? (await readRefTable(this.remote));
    // HEAD is written only after a first table commit, so a packs HEAD with no table means it was taken
    // away (migrated to the bundle layout, or deleted): a table created now would hold refs nobody reads.
    if (table.etag === undefined && this.headText !== undefined && parsePacksHead(this.headText)) {
      return requests.map((r) => vanished(r.dst));
    }
    let packed: LocalPack | null | undefined;
    let protectedRefs: Promise<Set<string>> | undefined;
    // Judged once, against the table the pack is made against: objects the remote holds stay held (gc
    // never prunes), so a verdict stays true on a retry.
    const verdicts = await judgeRequests(requests, table.refs);
    const complete = requests.flatMap((r) => (r.sha && verdicts.get(r.dst)?.ok !== false ? [r.sha] : []));
    const policy = {
      atomic: options.atomic,
      display: this.remote.display,
      verdicts,
      ancestry,
      // One read of the protected list per attempt at most, and only for a branch a push would force or delete.
      isProtected: async (ref: string) => {
        protectedRefs ??= readProtectedRefs(this.remote).then((p) => p.refs);
        return (await protectedRefs).has(ref);
      },
    };
    try {
      for (let attempt = 0; ; attempt++) {
        const decisions = await decidePush(table.refs, requests, policy);
        const accepted = decisions.filter((d): d is AcceptedUpdate => d.ok && !d.upToDate);
        if (accepted.length === 0 || options.dryRun) return decisions.map(decisionResult);
        // Objects the remote lacks, packed and uploaded once for every requested ref that would leave it
        // complete (a retry after a conflicting commit may accept a ref the first attempt refused): the
        // pack is self-contained.
        if (packed === undefined) {
          try {
            packed = await packMissing(complete, table.refs, { progress: options.progress });
          } catch (error) {
            const explained = explainMissingObjects(error, accepted.map((d) => d.ref).join(', '));
            if (!(explained instanceof IncompleteRemoteError)) throw error;
            return refuseChanges(decisions, (ref) => refused(ref, 'incomplete', explained.message));
          }
          if (packed) {
            await uploadPack(this.remote, packed, options.progress);
            const name = packed.name;
            await updatePackList(this.remote, (names) => (names.includes(name) ? [...names] : [...names, name]));
          }
        }
        // Every ref whose object is here gets its peeled id when it is an annotated tag, also one another
        // client listed without (JGit does), as git update-server-info would list it.
        const applied = applyDecisions(table.refs, accepted);
        const { refs: next, fullyPeeled } = withKnownPeels(applied, await objectPeels(idsToPeel(applied)));
        try {
          const { etag } = await commitRefTable(this.remote, table, next);
          // Committed: what follows is bookkeeping, and its failure must not make git report the refs as
          // failed; unless a racing first push made the remote the other layout, where nobody reads these refs.
          const trouble = await this.afterCommit(accepted, { etag, refs: next, fullyPeeled }, packed).then(
            () => undefined,
            (error: unknown) => error as Error,
          );
          if (trouble instanceof LayoutConflictError) {
            return refuseChanges(decisions, (ref) => refused(ref, 'failed', trouble.message));
          }
          if (trouble) log.warn(`the push is committed, but ${trouble.message}`);
          await writePushLog(this.remote, landedUpdates(table.refs, accepted));
          return decisions.map(decisionResult);
        } catch (error) {
          // S3 answers a write conditional on an object that is gone with 404: the table was migrated away or deleted.
          if (error instanceof NotFoundError && table.etag !== undefined) return refuseChanges(decisions, vanished);
          if (!(error instanceof PreconditionFailedError)) throw error;
          if (attempt + 1 >= CONDITIONAL_ATTEMPTS) return refuseChanges(decisions, busy);
          log.debug(`info/refs changed under this push (attempt ${attempt + 1}); re-reading and re-checking`);
          await backOff(attempt);
          const had = table.etag !== undefined;
          table = await readRefTable(this.remote);
          protectedRefs = undefined;
          // A table that vanished under us was migrated away or deleted: creating a new one here would
          // commit refs nobody reads.
          if (had && table.etag === undefined) return refuseChanges(decisions, vanished);
        }
      }
    } finally {
      await disposePack(packed);
      this.table = undefined;
    }
  }

  /**
   * The pack recorded as held here, HEAD when the remote has a branch but none (its first push, or one
   * that had only tags), and the derived packed-refs and loose refs (for tools that read a bare repository).
   */
  private async afterCommit(
    accepted: readonly AcceptedUpdate[],
    committed: { readonly etag: string; readonly refs: RefRecord[]; readonly fullyPeeled: boolean },
    packed: LocalPack | null | undefined,
  ): Promise<void> {
    const next = committed.refs;
    if (packed) await recordHeldPacks(this.remote, [packed.name]);
    if (!this.hasHead && next.some((r) => r.ref.startsWith('refs/heads/'))) {
      const updated = accepted.flatMap((d) => (d.sha ? [d.ref] : []));
      const branch = chooseDefaultBranch(
        updated,
        await currentBranch(),
        next.map((r) => r.ref),
      );
      if (branch) await writeHeadIfAbsent(this.remote, branch);
      this.hasHead = true;
    }
    await keepRefStoresInStep(
      this.remote,
      committed,
      accepted.map((d) => d.ref),
    );
  }
}

/** The committed updates as the push log names them, each with its id in the table the commit replaced. */
function landedUpdates(before: readonly RefRecord[], accepted: readonly AcceptedUpdate[]): LandedUpdate[] {
  const was = new Map(before.map((r) => [r.ref, r.sha]));
  return accepted.map((d) => ({ ref: d.ref, old: was.get(d.ref), new: d.sha, forced: d.forced }));
}

/**
 * Whether each pushed id leaves the remote complete (DESIGN §11): from a shallow repository, only when every
 * boundary commit it reaches is reachable from one of the remote's tips present here.
 */
async function judgeRequests(requests: readonly PushRequest[], remoteRefs: readonly RefRecord[]): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>();
  const shallow = await shallowBoundary();
  if (shallow.size === 0) return verdicts;
  const tips = [...new Set(remoteRefs.map((r) => r.sha))];
  const absent = await missingObjects(tips);
  const present = tips.filter((t) => !absent.has(t));
  for (const r of requests) if (r.sha) verdicts.set(r.dst, await judgePush(r.dst, r.sha, 'incremental', shallow, present));
  return verdicts;
}

/** Every change the push would make refused by `refusal` (nothing of it landed where clients read), the rest as decided. */
function refuseChanges(decisions: readonly RefDecision[], refusal: (ref: string) => PushResult): PushResult[] {
  return decisions.map((d) => (d.ok && !d.upToDate ? refusal(d.ref) : decisionResult(d)));
}

function refused(ref: string, reason: 'incomplete' | 'failed' | 'busy' | 'vanished', message: string): PushResult {
  return { ref, ok: false, reason, message };
}

/** The ref table changed under every attempt: nothing of this push was committed. */
function busy(ref: string): PushResult {
  const message = `the remote's ref table kept changing under this push (${CONDITIONAL_ATTEMPTS} attempts); nothing was updated, push again`;
  return refused(ref, 'busy', message);
}

function vanished(ref: string): PushResult {
  const message =
    "the remote's ref table disappeared under this push (migrated to the bundle layout, or deleted); nothing was updated: fetch, then push again";
  return refused(ref, 'vanished', message);
}

function applyDecisions(refs: readonly RefRecord[], accepted: readonly AcceptedUpdate[]): RefRecord[] {
  const next = new Map(refs.map((r) => [r.ref, r]));
  for (const d of accepted) {
    if (!d.sha) next.delete(d.ref);
    else next.set(d.ref, { ref: d.ref, sha: d.sha });
  }
  return [...next.values()];
}
