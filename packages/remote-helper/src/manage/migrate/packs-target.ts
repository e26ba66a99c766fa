// The packs layout as the target of a migration, written from the scratch repository with the packs
// layout's own operations: one self-contained pack of every ref's objects, then the pack list, the
// protected list and the ref table (each created with If-None-Match), then the derived packed-refs.
// HEAD is left to the switch. None of these keys is one the bundle layout reads.
import { stat } from 'node:fs/promises';
import {
  formatBytes,
  formatInfoRefs,
  formatPackList,
  formatPacksHead,
  formatProtectedRefs,
  infoRefsKey,
  MigrationAbortedError,
  PreconditionFailedError,
  packedRefsKey,
  packKeys,
  packListKey,
  protectedRefsKey,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { commitRefTable, writePackedRefs } from '../../layouts/packs/info-refs.js';
import { disposePack, type LocalPack, objectPeels, packObjects } from '../../layouts/packs/local-packs.js';
import { uploadPack } from '../../layouts/packs/pack-list.js';
import { withKnownPeels } from '../../layouts/packs/ref-stores.js';
import type { Reporter, Snapshot, Target } from './migration.js';
import { describeRefs, plural } from './plan.js';

export class PacksTarget implements Target {
  readonly layout = 'packs' as const;
  bytesWritten = 0;
  /** Every key a write was attempted on, so that `discard` leaves none of them behind. */
  private readonly touched = new Set<string>();
  private pack: LocalPack | null = null;
  private expected: { table: string; packList: string } | undefined;

  constructor(
    private readonly remote: Remote,
    private readonly report: Reporter,
  ) {}

  async write(snapshot: Snapshot, repo: string | undefined, progress: boolean): Promise<void> {
    try {
      await this.writeKeys(snapshot, repo, progress);
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      const key = String(error.data.key ?? '');
      throw new MigrationAbortedError(
        this.remote.display,
        'packs',
        `${key} was created by another writer meanwhile (another 'git s3 migrate'?)`,
      );
    }
  }

  private async writeKeys(snapshot: Snapshot, repo: string | undefined, progress: boolean): Promise<void> {
    const prefix = this.remote.url.prefix;
    const tips = snapshot.refs.map((r) => r.sha);
    this.pack = repo && tips.length > 0 ? await packObjects(`${tips.join('\n')}\n`, { cwd: repo, revs: true, progress }) : null;
    const names = this.pack ? [this.pack.name] : [];
    if (this.pack) {
      const keys = packKeys(prefix, this.pack.name);
      this.touched.add(keys.pack).add(keys.idx);
      const size = (await stat(this.pack.packFile)).size + (await stat(this.pack.idxFile)).size;
      this.report.say(`uploading 1 pack of ${formatBytes(size)} with the objects of ${describeRefs(snapshot.refs)}`);
      await uploadPack(this.remote, this.pack, progress);
      this.bytesWritten += size;
    }
    // Every ref's objects are in the scratch repository: each tag is peeled, and packed-refs can say so.
    const peels = repo ? await objectPeels(tips, { cwd: repo }) : new Map<string, string | null>();
    const { refs: records, fullyPeeled } = withKnownPeels(
      snapshot.refs.map((r) => ({ ref: r.ref, sha: r.sha })),
      peels,
    );
    this.expected = { table: formatInfoRefs(records), packList: formatPackList(names) };
    await this.create(packListKey(prefix), this.expected.packList);
    if (snapshot.protectedRefs.length > 0) await this.create(protectedRefsKey(prefix), formatProtectedRefs(snapshot.protectedRefs));
    // Created with If-None-Match (like the two above): a table that exists is someone else's, never discarded.
    await commitRefTable(this.remote, { refs: [], etag: undefined }, records);
    this.touched.add(infoRefsKey(prefix));
    this.bytesWritten += Buffer.byteLength(this.expected.table);
    this.touched.add(packedRefsKey(prefix));
    await writePackedRefs(this.remote, records, fullyPeeled);
    this.report.say(
      `wrote the packs layout: ${plural(records.length, 'ref')} in info/refs${snapshot.protectedRefs.length > 0 ? `, ${plural(snapshot.protectedRefs.length, 'protected branch', 'protected branches')} in info/s3-protected` : ''}`,
    );
  }

  /**
   * One write that fails if the key exists: the leftovers were removed, so someone else is writing here, and
   * the key is theirs (not recorded for `discard`).
   */
  private async create(key: string, body: string): Promise<void> {
    await this.remote.store.put(key, body, { ifNoneMatch: '*' });
    this.touched.add(key);
    this.bytesWritten += Buffer.byteLength(body);
  }

  /** The pack and its index have the sizes written, and the ref table and pack list read back as written. */
  async verify(snapshot: Snapshot): Promise<void> {
    const prefix = this.remote.url.prefix;
    const fail = (what: string) => new MigrationAbortedError(this.remote.display, 'packs', `${what} did not read back as written`);
    const [table, packList] = await Promise.all([
      this.remote.store.getText(infoRefsKey(prefix)),
      this.remote.store.getText(packListKey(prefix)),
    ]);
    if (table?.text !== this.expected?.table) throw fail('info/refs');
    if (packList?.text !== this.expected?.packList) throw fail('objects/info/packs');
    if (this.pack) {
      const keys = packKeys(prefix, this.pack.name);
      for (const [key, file] of [
        [keys.pack, this.pack.packFile],
        [keys.idx, this.pack.idxFile],
      ] as const) {
        const [found, local] = await Promise.all([this.remote.store.head(key), stat(file)]);
        if (found?.size !== local.size) throw fail(key.slice(prefix.length + 1));
      }
    }
    this.report.say(`verified the packs layout: ${describeRefs(snapshot.refs)}`);
  }

  headText(branch: string): string {
    return formatPacksHead(branch);
  }

  async discard(): Promise<void> {
    if (this.touched.size > 0) await this.remote.store.deleteMany([...this.touched]);
  }

  async release(): Promise<void> {
    await disposePack(this.pack);
  }
}
