// Push of one ref on the bundle layout (DESIGN §3): the checks git understands (fast-forward, tags,
// leases, protection), then under the ref's lock a re-check, the streamed bundle upload, removal of the
// old bundle(s), and repo.zip for s3+zip. Every path out releases the lock. Also the create-only HEAD write.
import {
  ancestry,
  asExpected,
  bundleKey,
  createProgress,
  GitRemoteS3Error,
  git,
  headKey,
  isValidRefName,
  lockKey,
  log,
  PreconditionFailedError,
  ProtectedBranchError,
  type RepoOptions,
  refDirPrefix,
  spawnGit,
  withLock,
  zipKey,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import type { PushResult } from '../../helper/protocol.js';
import { explainMissingObjects, judgePush, shallowBoundary } from '../completeness.js';
import type { PushRequest, SessionOptions } from '../layout.js';
import { writeBundle } from './bundle-file.js';
import { ambiguityError, type BundleRefTable, buildRefTable, resolveRef } from './ref-table.js';

class Rejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const reject = (reason: string): never => {
  throw new Rejected(reason);
};

/** Pushes one ref. */
export async function pushRef(remote: Remote, table: BundleRefTable, request: PushRequest, options: SessionOptions): Promise<PushResult> {
  const ref = request.dst;
  try {
    if (!isValidRefName(ref)) reject(`'${ref}' is not a valid ref name`);
    return request.sha === undefined
      ? await deleteRef(remote, table, request, options)
      : await updateRef(remote, table, request, request.sha, options);
  } catch (error) {
    if (error instanceof Rejected) return { ref, ok: false, reason: error.reason };
    const known = asExpected(error);
    if (known instanceof GitRemoteS3Error) return { ref, ok: false, reason: known.message };
    log.debug(`push of ${ref} failed: ${(error as Error).stack ?? String(error)}`);
    return { ref, ok: false, reason: `unexpected failure (a bug; GIT_REMOTE_S3_VERBOSE=1 shows details): ${(error as Error).message}` };
  }
}

/** The ref's current bundle per `table`, refusing when it cannot be told which one it is. */
function currentSha(remote: Remote, table: BundleRefTable, ref: string, ownLock: boolean): string | undefined {
  const entry = table.refs.get(ref);
  const resolution = resolveRef(entry, remote.settings.lockTtlMs, table.serverTime, ownLock);
  if (resolution.kind === 'ambiguous' && entry) {
    throw ambiguityError(entry, resolution.why, table.serverTime, remote.store.bucket, remote.display);
  }
  return resolution.kind === 'one' ? resolution.bundle.sha : undefined;
}

function checkLease(request: PushRequest, remoteSha: string | undefined): void {
  if (request.expect === undefined) return;
  const matches = request.expect === '' ? remoteSha === undefined : remoteSha === request.expect;
  if (!matches) reject('stale info');
}

async function updateRef(
  remote: Remote,
  table: BundleRefTable,
  request: PushRequest,
  sha: string,
  options: SessionOptions,
): Promise<PushResult> {
  const ref = request.dst;
  const remoteSha = currentSha(remote, table, ref, false);
  checkLease(request, remoteSha);
  if (remoteSha === sha) return { ref, ok: true, note: 'up to date' };
  const isTag = ref.startsWith('refs/tags/');
  const forceAllowed = request.force || request.expect !== undefined;
  let forced = false;
  if (remoteSha !== undefined) {
    if (isTag && !forceAllowed) reject('already exists');
    const relation = await ancestry(remoteSha, sha);
    if (relation !== 'ancestor') {
      if (!forceAllowed) reject(relation === 'unknown' ? 'fetch first' : 'non-fast forward');
      forced = true;
    }
  }
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  if (forced && branch && table.refs.get(ref)?.protected) throw new ProtectedBranchError(branch, 'force push', remote.display);
  // A bundle is self-contained: from a shallow clone, only history above its boundary may go (DESIGN §11).
  const complete = await judgePush(ref, sha, 'self-contained', await shallowBoundary());
  if (!complete.ok) reject(complete.reason);
  if (options.dryRun) return { ref, ok: true, ...(forced ? { note: 'forced update' as const } : {}) };

  const prefix = remote.url.prefix;
  await withLock(remote.store, lockKey(prefix, ref), { ttlMs: remote.settings.lockTtlMs, ref, remoteUrl: remote.display }, async (lock) => {
    const fresh = await remote.store.list(refDirPrefix(prefix, ref));
    const now = buildRefTable(prefix, fresh.objects, fresh.serverTime);
    const entry = now.refs.get(ref);
    if (currentSha(remote, now, ref, true) !== remoteSha) reject(request.expect !== undefined ? 'stale info' : 'fetch first');
    if (forced && branch && entry?.protected) throw new ProtectedBranchError(branch, 'force push', remote.display);

    await uploadBundle(remote, ref, sha, options.progress, lock.signal);
    try {
      lock.assertHeld();
    } catch (error) {
      // Not ours to commit any more: take back the bundle, or readers would take it for the newest.
      await remote.store.delete(bundleKey(prefix, ref, sha)).catch(() => {});
      throw error;
    }
    const old = (entry?.bundles ?? []).filter((b) => b.sha !== sha);
    if (old.length > 0) {
      await remote.store.deleteMany(old.map((b) => b.key));
      if (old.length > 1) log.info(`removed ${old.length - 1} leftover bundle(s) of ${ref} from an interrupted push`);
    }
    if (remote.url.scheme === 's3+zip') await uploadZip(remote, ref, sha, lock.signal);
  });
  return { ref, ok: true, ...(forced ? { note: 'forced update' as const } : {}) };
}

async function deleteRef(remote: Remote, table: BundleRefTable, request: PushRequest, options: SessionOptions): Promise<PushResult> {
  const ref = request.dst;
  const remoteSha = currentSha(remote, table, ref, false);
  checkLease(request, remoteSha);
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  if (branch && table.refs.get(ref)?.protected) throw new ProtectedBranchError(branch, 'delete', remote.display);
  if (remoteSha === undefined) reject('remote ref does not exist');
  if (options.dryRun) return { ref, ok: true };

  const prefix = remote.url.prefix;
  await withLock(remote.store, lockKey(prefix, ref), { ttlMs: remote.settings.lockTtlMs, ref, remoteUrl: remote.display }, async (lock) => {
    const fresh = await remote.store.list(refDirPrefix(prefix, ref));
    const now = buildRefTable(prefix, fresh.objects, fresh.serverTime);
    const entry = now.refs.get(ref);
    if (request.expect !== undefined && currentSha(remote, now, ref, true) !== remoteSha) reject('stale info');
    if (branch && entry?.protected) throw new ProtectedBranchError(branch, 'delete', remote.display);
    lock.assertHeld();
    const keys = [...(entry?.bundles ?? []).map((b) => b.key), ...(entry?.zip ? [entry.zip.key] : [])];
    if (keys.length > 0) await remote.store.deleteMany(keys);
  });
  return { ref, ok: true };
}

/**
 * Streams the self-contained bundle of `sha` as `ref` to its key, from the repository at `repo.cwd` (default:
 * the current one); `git s3 migrate` writes its bundles through here too, so they are a push's bytes.
 */
export async function uploadBundle(
  remote: Remote,
  ref: string,
  sha: string,
  progress: boolean,
  signal: AbortSignal,
  repo: RepoOptions = {},
): Promise<void> {
  const writer = writeBundle(sha, ref, { progress, ...(repo.cwd ? { cwd: repo.cwd } : {}) });
  const meter = createProgress({ title: `Uploading ${ref}`, enabled: progress });
  const upload = remote.store.upload(bundleKey(remote.url.prefix, ref, sha), writer.stream, {
    contentType: 'application/x-git-bundle',
    signal,
    onProgress: (n) => meter.update(n),
  });
  const [uploaded, packed] = await Promise.allSettled([upload, writer.done]);
  if (packed.status === 'rejected') {
    // The stream ends only once git succeeded, so no upload should have completed; if one did, it is not a bundle.
    if (uploaded.status === 'fulfilled') await remote.store.delete(bundleKey(remote.url.prefix, ref, sha)).catch(() => {});
    throw explainMissingObjects(packed.reason, ref);
  }
  if (uploaded.status === 'rejected') {
    writer.stream.destroy();
    throw signal.aborted ? signal.reason : uploaded.reason;
  }
  meter.finish();
}

/** Names `ref` in `<prefix>/HEAD` unless a HEAD exists: create-only, so it never overrides one written meanwhile. */
export async function createHead(remote: Remote, ref: string): Promise<void> {
  try {
    await remote.store.put(headKey(remote.url.prefix), ref, { ifNoneMatch: '*', contentType: 'text/plain' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
}

/**
 * `git archive --format zip` of the pushed commit with the metadata AWS CodePipeline reads (s3+zip), from the
 * repository at `repo.cwd` (default: the current one).
 */
export async function uploadZip(remote: Remote, ref: string, sha: string, signal: AbortSignal, repo: RepoOptions = {}): Promise<void> {
  const cwd = repo.cwd ? { cwd: repo.cwd } : {};
  const { stdout } = await git(['log', '-1', '--format=%h %s', sha, '--'], { ...cwd, okExitCodes: [128] });
  // S3 metadata must be ASCII: anything else in the subject becomes '?'.
  const summary = stdout.trim().replace(/[^\x20-\x7e]/g, '?');
  const archive = spawnGit(['archive', '--format=zip', sha], cwd);
  archive.stdin.end();
  const upload = remote.store.upload(zipKey(remote.url.prefix, ref), archive.stdout, {
    contentType: 'application/zip',
    contentDisposition: `attachment; filename=repo-${sha.slice(0, 8)}.zip`,
    metadata: { 'codepipeline-artifact-revision-summary': summary },
    signal,
  });
  const [uploaded, archived] = await Promise.allSettled([upload, archive.done]);
  if (archived.status === 'rejected') {
    if (uploaded.status === 'fulfilled') await remote.store.delete(zipKey(remote.url.prefix, ref));
    log.warn(`no repo.zip for ${ref}: ${(archived.reason as Error).message}`);
    return;
  }
  if (uploaded.status === 'rejected') throw uploaded.reason;
}
