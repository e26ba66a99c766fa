// The `bundle` layout (DESIGN §3, compatible with awslabs/git-remote-s3 0.3.x): one self-contained bundle
// per ref at `<prefix>/<ref>/<sha>.bundle`, `<prefix>/HEAD` naming the default branch.
import { currentBranch, headKey, type ListResult, log, mapConcurrent, objectUrl, refsPrefix } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
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
import { fetchRequested } from './fetch-by-id.js';
import { createHead, pushRef } from './push.js';
import { ambiguityError, type BundleObject, type BundleRefTable, buildRefTable, resolveRef } from './ref-table.js';

const PUSH_CONCURRENCY = 4;

export class BundleLayout implements Layout {
  /** Bundles are committed ref by ref: no all-or-nothing push (git then refuses --atomic up front). */
  readonly atomic = false;
  /** The table the last `list` saw: fetch and push act on what git was shown. */
  private table: BundleRefTable | undefined;
  private listed = new Map<string, BundleObject>();
  /** Whether `<prefix>/HEAD` exists, as last seen (undefined: not looked at); a push writes a missing one. */
  private hasHead: boolean | undefined;
  /** The default branch the last `list` named: searched first for an object id that is no listed tip. */
  private head: string | undefined;

  /**
   * `preloaded`: the listing of `<prefix>/refs/` already made while choosing the layout, and `preloadedHead`
   * the HEAD read then (null: there is none); each used once.
   */
  constructor(
    private readonly remote: Remote,
    private preloaded?: ListResult,
    private preloadedHead?: { readonly text: string } | null,
  ) {
    this.hasHead = preloadedHead === undefined ? undefined : preloadedHead !== null;
  }

  async readTable(): Promise<BundleRefTable> {
    const prefix = this.remote.url.prefix;
    const listing = this.preloaded ?? (await this.remote.store.list(refsPrefix(prefix)));
    this.preloaded = undefined;
    const table = buildRefTable(prefix, listing.objects, listing.serverTime);
    for (const { key, reason } of table.invalid) {
      log.warnOnce(`ignoring ${objectUrl(this.remote.store.bucket, key)}: ${reason}`);
    }
    this.table = table;
    return table;
  }

  async list(forPush: boolean): Promise<RemoteListing> {
    const preloadedHead = this.preloadedHead;
    this.preloadedHead = undefined;
    const [table, headText] = await Promise.all([
      this.readTable(),
      preloadedHead !== undefined || forPush
        ? Promise.resolve(preloadedHead ?? undefined)
        : this.remote.store.getText(headKey(this.remote.url.prefix)),
    ]);
    if (preloadedHead !== undefined || !forPush) this.hasHead = headText !== undefined;
    const refs: ListedRef[] = [];
    this.listed.clear();
    for (const entry of [...table.refs.values()].sort((a, b) => (a.ref < b.ref ? -1 : 1))) {
      const resolution = resolveRef(entry, this.remote.settings.lockTtlMs, table.serverTime);
      if (resolution.kind === 'none') continue;
      if (resolution.kind === 'ambiguous') {
        log.error(ambiguityError(entry, resolution.why, table.serverTime, this.remote.store.bucket, this.remote.display).message);
        continue;
      }
      if (resolution.stale.length > 0) {
        log.warnOnce(
          `${entry.ref} has ${entry.bundles.length} bundles (an interrupted push); using the newest, ${resolution.bundle.sha.slice(0, 12)}; the next push of it cleans up`,
        );
      }
      refs.push({ sha: resolution.bundle.sha, ref: entry.ref });
      this.listed.set(entry.ref, resolution.bundle);
    }
    const format = await listingObjectFormat(refs, forPush);
    this.head = chooseHead(headText?.text, refs);
    return { refs, head: this.head, objectFormat: format };
  }

  async fetch(requests: readonly FetchRequest[], options: SessionOptions): Promise<void> {
    if (!this.table) await this.list(false);
    await fetchRequested(this.remote, requests, this.listed, this.head, options.progress);
  }

  async push(requests: readonly PushRequest[], options: SessionOptions): Promise<PushResult[]> {
    const table = this.table ?? (await this.readTable());
    // A bug in one ref's push is thrown only once every other ref's push has ended, so none is cut off
    // holding its lock when the helper exits.
    const landed: LandedUpdate[] = [];
    const settled = await mapConcurrent(requests, PUSH_CONCURRENCY, (request) =>
      pushRef(this.remote, table, request, options, (update) => landed.push(update)).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      ),
    );
    this.table = undefined;
    // One entry for every ref that landed, also when another ref's push met a bug (those refs did land).
    await writePushLog(this.remote, landed);
    const bug = settled.find((s) => 'error' in s);
    if (bug && 'error' in bug) throw bug.error;
    const results = settled.flatMap((s) => ('result' in s ? [s.result] : []));
    if (this.hasHead !== true && !options.dryRun) await this.writeMissingHead(table, requests, results);
    return results;
  }

  /**
   * HEAD for a remote that has a branch after this push but no HEAD (its first push, or one that had only
   * tags): create-only, after the refs landed, so it names a branch that exists. The refs are pushed
   * either way: a failure here is a warning, and the next push tries again.
   */
  private async writeMissingHead(table: BundleRefTable, requests: readonly PushRequest[], results: readonly PushResult[]): Promise<void> {
    const remaining = new Set([...table.refs.values()].filter((e) => e.bundles.length > 0).map((e) => e.ref));
    const updated: string[] = [];
    requests.forEach((request, i) => {
      if (!results[i]?.ok) return;
      if (request.sha === undefined) remaining.delete(request.dst);
      else {
        remaining.add(request.dst);
        updated.push(request.dst);
      }
    });
    if (![...remaining].some((r) => r.startsWith('refs/heads/'))) return;
    const branch = chooseDefaultBranch(updated, await currentBranch(), [...remaining]);
    if (!branch) return;
    try {
      await createHead(this.remote, branch);
      this.hasHead = true;
    } catch (error) {
      log.warn(`the push is done, but HEAD was not written (${(error as Error).message}); the next push tries again`);
    }
  }
}
