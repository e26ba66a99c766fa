// The `packs` layout (DESIGN §4): git's own bare-repository layout in the bucket. `info/refs` is the
// authoritative ref table, committed by one conditional write per push; packs are immutable, named by
// their checksum and written before anything refers to them; a push moves only what the remote lacks.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createProgress,
  currentBranch,
  formatInfoRefs,
  formatPackedRefs,
  formatPackList,
  formatPacksHead,
  git,
  infoRefsKey,
  log,
  mapConcurrent,
  missingObjects,
  objectUrl,
  PreconditionFailedError,
  packedRefsKey,
  packKeys,
  packListKey,
  packsHeadKey,
  parseInfoRefs,
  parsePackList,
  parsePacksHead,
  type RefRecord,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import type { ListedRef, PushResult } from '../../protocol.js';
import {
  type FetchRequest,
  type Layout,
  listingObjectFormat,
  type PushRequest,
  type RemoteListing,
  type SessionOptions,
} from '../layout.js';
import { type AcceptedUpdate, decideUpdates, type RefDecision } from './decide.js';
import { fetchPacks } from './fetch.js';

const COMMIT_ATTEMPTS = 6;

interface Table {
  readonly refs: RefRecord[];
  /** ETag of the info/refs read; undefined when the remote has none yet. */
  readonly etag: string | undefined;
}

export class PacksLayout implements Layout {
  private table: Table | undefined;

  constructor(
    private readonly remote: Remote,
    private readonly headText?: string,
  ) {}

  private where(key: string): string {
    return objectUrl(this.remote.store.bucket, key);
  }

  async readTable(): Promise<Table> {
    const key = infoRefsKey(this.remote.url.prefix);
    const found = await this.remote.store.getText(key);
    this.table = { refs: found ? parseInfoRefs(found.text, this.where(key)) : [], etag: found?.etag };
    return this.table;
  }

  async list(forPush: boolean): Promise<RemoteListing> {
    const [table, head] = await Promise.all([
      this.readTable(),
      forPush || this.headText !== undefined
        ? Promise.resolve(this.headText)
        : this.remote.store.getText(packsHeadKey(this.remote.url.prefix)).then((h) => h?.text),
    ]);
    const refs: ListedRef[] = table.refs.map((r) => ({ sha: r.sha, ref: r.ref }));
    const named = head ? parsePacksHead(head) : undefined;
    const format = await listingObjectFormat(refs, forPush);
    return { refs, head: named && refs.some((r) => r.ref === named) ? named : undefined, objectFormat: format };
  }

  async fetch(requests: readonly FetchRequest[], options: SessionOptions): Promise<void> {
    await fetchPacks(
      this.remote,
      requests.map((r) => r.sha),
      options.progress,
    );
  }

  async push(requests: readonly PushRequest[], options: SessionOptions): Promise<PushResult[]> {
    let table = this.table ?? (await this.readTable());
    let packed: { name: string; dir: string } | null | undefined;
    try {
      for (let attempt = 0; ; attempt++) {
        const decisions = await decideUpdates(table.refs, requests, options);
        const accepted = decisions.filter((d): d is AcceptedUpdate => d.ok && !d.upToDate);
        if (accepted.length === 0 || options.dryRun) return decisions.map(toResult);
        // Objects the remote lacks, packed and uploaded once for every requested ref (a retry after a
        // conflicting commit may accept a ref the first attempt refused): the pack is self-contained.
        if (packed === undefined) {
          packed = await packMissing(
            requests.flatMap((r) => (r.sha ? [r.sha] : [])),
            table.refs,
          );
          if (packed) await this.uploadPack(packed, options.progress);
        }
        const next = applyDecisions(table.refs, accepted, await peelAll(accepted));
        try {
          await this.commit(table, next);
          await this.afterCommit(table, next);
          return decisions.map(toResult);
        } catch (error) {
          if (!(error instanceof PreconditionFailedError) || attempt + 1 >= COMMIT_ATTEMPTS) throw error;
          log.debug(`info/refs changed under this push (attempt ${attempt + 1}); re-reading and re-checking`);
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt + Math.random() * 100));
          table = await this.readTable();
        }
      }
    } finally {
      if (packed) await rm(packed.dir, { recursive: true, force: true });
      this.table = undefined;
    }
  }

  private async uploadPack(pack: { name: string; dir: string }, progress: boolean): Promise<void> {
    const keys = packKeys(this.remote.url.prefix, pack.name);
    const files = { pack: join(pack.dir, `${pack.name}.pack`), idx: join(pack.dir, `${pack.name}.idx`) };
    const total = (await stat(files.pack)).size + (await stat(files.idx)).size;
    const meter = createProgress({ title: 'Uploading pack', total, enabled: progress });
    const sent = { pack: 0, idx: 0 };
    await mapConcurrent(['pack', 'idx'] as const, 2, (kind) =>
      this.remote.store.upload(keys[kind], createReadStream(files[kind]), {
        partSize: this.remote.settings.partSize,
        concurrency: this.remote.settings.concurrency,
        contentType: 'application/octet-stream',
        onProgress: (n) => {
          sent[kind] = n;
          meter.update(sent.pack + sent.idx);
        },
      }),
    );
    meter.finish();
    await this.appendPackList(pack.name);
  }

  /** Adds the pack to objects/info/packs with a conditional write, retried when another push got there first. */
  private async appendPackList(name: string): Promise<void> {
    const key = packListKey(this.remote.url.prefix);
    for (let attempt = 0; ; attempt++) {
      const current = await this.remote.store.getText(key);
      const names = current ? parsePackList(current.text, this.where(key)) : [];
      if (names.includes(name)) return;
      try {
        await this.remote.store.put(key, formatPackList([...names, name]), current ? { ifMatch: current.etag } : { ifNoneMatch: '*' });
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) || attempt >= COMMIT_ATTEMPTS) throw error;
      }
    }
  }

  private async commit(table: Table, next: RefRecord[]): Promise<void> {
    const key = infoRefsKey(this.remote.url.prefix);
    await this.remote.store.put(key, formatInfoRefs(next), table.etag ? { ifMatch: table.etag } : { ifNoneMatch: '*' });
  }

  /** HEAD on the first push, and the derived packed-refs (a copy for tools that read a bare repository). */
  private async afterCommit(table: Table, next: RefRecord[]): Promise<void> {
    const prefix = this.remote.url.prefix;
    if (table.refs.length === 0) {
      const branch = (await currentBranch()) ?? 'refs/heads/main';
      const target = next.some((r) => r.ref === branch) ? branch : (next.find((r) => r.ref.startsWith('refs/heads/'))?.ref ?? branch);
      await this.remote.store.put(packsHeadKey(prefix), formatPacksHead(target), { ifNoneMatch: '*' }).catch((error: unknown) => {
        if (!(error instanceof PreconditionFailedError)) throw error;
      });
    }
    await this.remote.store.put(packedRefsKey(prefix), formatPackedRefs(next));
  }
}

function toResult(d: RefDecision): PushResult {
  if (!d.ok) return { ref: d.ref, ok: false, reason: d.reason };
  return { ref: d.ref, ok: true, ...(d.upToDate ? { note: 'up to date' as const } : d.forced ? { note: 'forced update' as const } : {}) };
}

function applyDecisions(refs: readonly RefRecord[], accepted: readonly AcceptedUpdate[], peeled: ReadonlyMap<string, string>): RefRecord[] {
  const next = new Map(refs.map((r) => [r.ref, r]));
  for (const d of accepted) {
    if (!d.sha) next.delete(d.ref);
    else {
      const p = peeled.get(d.sha);
      next.set(d.ref, { ref: d.ref, sha: d.sha, ...(p ? { peeled: p } : {}) });
    }
  }
  return [...next.values()];
}

/** Annotated tags are listed with the object they peel to, as git update-server-info does. */
async function peelAll(accepted: readonly AcceptedUpdate[]): Promise<Map<string, string>> {
  const peeled = new Map<string, string>();
  const shas = [...new Set(accepted.flatMap((d) => (d.sha ? [d.sha] : [])))];
  if (shas.length === 0) return peeled;
  const { stdout } = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: `${shas.join('\n')}\n` });
  for (const line of stdout.trim().split('\n')) {
    const [sha, type] = line.split(' ');
    if (sha && type === 'tag') {
      const { stdout: target } = await git(['rev-parse', '--verify', `${sha}^{}`]);
      peeled.set(sha, target.trim());
    }
  }
  return peeled;
}

/**
 * Packs the objects reachable from `tips` that the remote's refs do not already reach (never thin:
 * every delta base is in the pack), with its index, into a temporary directory. Null when there is
 * nothing to send (a new name for a commit the remote has).
 */
async function packMissing(tips: readonly string[], remoteRefs: readonly RefRecord[]): Promise<{ name: string; dir: string } | null> {
  const remoteTips = [...new Set(remoteRefs.map((r) => r.sha))];
  const absent = await missingObjects(remoteTips);
  const exclude = remoteTips.filter((sha) => !absent.has(sha));
  const dir = await mkdtemp(join(tmpdir(), 'git-remote-s3-pack-'));
  const { stdout } = await git(['pack-objects', '--revs', '-q', '--delta-base-offset', join(dir, 'pack')], {
    input: `${tips.join('\n')}\n${exclude.map((s) => `^${s}`).join('\n')}\n`,
  });
  const hash = stdout.trim();
  const name = `pack-${hash}`;
  // An empty pack is its 12-byte header and the trailing checksum.
  const size = (await stat(join(dir, `pack-${hash}.pack`))).size;
  if (size <= 12 + hash.length / 2) {
    await rm(dir, { recursive: true, force: true });
    return null;
  }
  return { name, dir };
}
