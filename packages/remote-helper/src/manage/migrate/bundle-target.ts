// The bundle layout as the target of a migration: under the lock of every ref (so that a client that takes
// the remote for a bundle one cannot push over them meanwhile), each ref's bundle is streamed up by the
// bundle push's own code path — the bytes a push writes, and repo.zip for s3+zip:// — and each protected
// branch gets its marker.
// HEAD is left to the switch. None of these keys is one the packs layout reads.
import {
  bundleKey,
  formatBytes,
  LockHeldError,
  MigrationAbortedError,
  MigrationRefusedError,
  mapConcurrent,
  PreconditionFailedError,
  protectedKey,
  refsPrefix,
  zipKey,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { uploadBundle, uploadZip } from '../../layouts/bundle/push.js';
import type { Reporter, Snapshot, Target } from './migration.js';
import { describeRefs, plural } from './plan.js';
import { RefLocks } from './ref-locks.js';

/** Bundles built and uploaded at once: each is a `git pack-objects` of the ref's whole history. */
const BUNDLE_CONCURRENCY = 2;

export class BundleTarget implements Target {
  readonly layout = 'bundle' as const;
  bytesWritten = 0;
  private readonly touched = new Set<string>();
  private locks: RefLocks | undefined;

  constructor(
    private readonly remote: Remote,
    private readonly report: Reporter,
  ) {}

  async write(snapshot: Snapshot, repo: string | undefined, progress: boolean): Promise<void> {
    const prefix = this.remote.url.prefix;
    this.locks = await this.lock(snapshot.refs.map((r) => r.ref));
    const locks = this.locks;
    if (snapshot.refs.length > 0) this.report.say(`writing ${plural(snapshot.refs.length, 'bundle')} (one per ref, under its lock)`);
    await mapConcurrent(snapshot.refs, BUNDLE_CONCURRENCY, async ({ ref, sha }) => {
      if (!repo) throw new Error('bundles need the scratch repository');
      this.touched.add(bundleKey(prefix, ref, sha));
      await uploadBundle(this.remote, ref, sha, progress, locks.signal(ref), { cwd: repo });
      if (this.remote.url.scheme === 's3+zip') {
        this.touched.add(zipKey(prefix, ref));
        await uploadZip(this.remote, ref, sha, locks.signal(ref), { cwd: repo });
      }
    });
    for (const ref of snapshot.protectedRefs) await this.markProtected(ref);
    if (snapshot.protectedRefs.length > 0) {
      this.report.say(`wrote ${plural(snapshot.protectedRefs.length, 'protection marker')} (PROTECTED#)`);
    }
  }

  /** Creates the marker unless `git s3 protect` left one already: that one is not ours to discard. */
  private async markProtected(ref: string): Promise<void> {
    const key = protectedKey(this.remote.url.prefix, ref.slice('refs/heads/'.length));
    try {
      await this.remote.store.put(key, '', { ifNoneMatch: '*' });
      this.touched.add(key);
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }

  private async lock(refs: readonly string[]): Promise<RefLocks> {
    try {
      return await RefLocks.acquire(this.remote, refs);
    } catch (error) {
      if (error instanceof LockHeldError) throw new MigrationRefusedError(this.remote.display, error.message);
      throw error;
    }
  }

  /**
   * One listing of refs/: each migrated ref has exactly its one bundle, each protected branch its marker,
   * and every lock is still ours. Keys of other refs are a client's pushes of new refs to what it took for
   * a bundle remote: they belong to the layout being made and are left alone.
   */
  async verify(snapshot: Snapshot): Promise<void> {
    const prefix = this.remote.url.prefix;
    const fail = (what: string) => new MigrationAbortedError(this.remote.display, 'bundle', what);
    try {
      this.locks?.assertHeld();
    } catch (error) {
      throw fail((error as Error).message);
    }
    const listing = await this.remote.store.list(refsPrefix(prefix));
    const sizes = new Map(listing.objects.map((o) => [o.key, o.size]));
    let bytes = 0;
    for (const { ref, sha } of snapshot.refs) {
      const key = bundleKey(prefix, ref, sha);
      const size = sizes.get(key);
      if (size === undefined) throw fail(`the bundle of ${ref} is missing after its upload`);
      const dir = `${prefix}/${ref}`;
      const others = listing.objects.filter(
        (o) => o.key.endsWith('.bundle') && o.key !== key && o.key.slice(0, o.key.lastIndexOf('/')) === dir,
      );
      if (others.length > 0) throw fail(`${ref} has another bundle beside the one written (${others[0]?.key})`);
      bytes += size;
    }
    for (const ref of snapshot.protectedRefs) {
      if (!sizes.has(protectedKey(prefix, ref.slice('refs/heads/'.length)))) throw fail(`the protection marker of ${ref} is missing`);
    }
    this.bytesWritten = bytes;
    this.report.say(`verified the bundle layout: ${describeRefs(snapshot.refs)}, ${formatBytes(bytes)}`);
  }

  headText(branch: string): string {
    // As a bundle push writes it, and awslabs' tool reads it: the bare ref name.
    return branch;
  }

  async discard(): Promise<void> {
    if (this.touched.size > 0) await this.remote.store.deleteMany([...this.touched]);
  }

  async release(): Promise<void> {
    await this.locks?.release();
  }
}
