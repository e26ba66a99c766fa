// Push of one ref on the bundle layout (DESIGN §3): the push policy (push-policy.ts) decides, then under
// the ref's lock decides again against a fresh look, streams the bundle up, removes the old bundle(s), and
// writes repo.zip for s3+zip. Every path out releases the lock. Also the create-only HEAD write.
import {
  ancestry,
  asExpected,
  bundleKey,
  createProgress,
  GitRemoteS3Error,
  git,
  headKey,
  lockKey,
  log,
  PreconditionFailedError,
  type Progress,
  type RepoOptions,
  refDirPrefix,
  spawnGit,
  withLock,
  zipKey,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { explainMissingObjects, judgePush, shallowBoundary } from '../completeness.js';
import type { PushRequest, PushResult, SessionOptions } from '../layout.js';
import type { LandedUpdate } from '../push-log.js';
import { decideRefUpdate, decisionResult, type PolicyAnswers, recheckRefUpdate } from '../push-policy.js';
import { writeBundle } from './bundle-file.js';
import { ambiguityError, type BundleRefTable, buildRefTable, resolveRef } from './ref-table.js';

/**
 * Pushes one ref. A typed error met on the way (a lock held, an ambiguous ref, access denied) refuses this
 * ref alone; anything else is a bug and is thrown, for the helper's one reporter.
 */
export async function pushRef(
  remote: Remote,
  table: BundleRefTable,
  request: PushRequest,
  options: SessionOptions,
  landed: (update: LandedUpdate) => void = () => {},
): Promise<PushResult> {
  try {
    return await pushDecided(remote, table, request, options, landed);
  } catch (error) {
    const known = asExpected(error);
    if (known instanceof GitRemoteS3Error) return { ref: request.dst, ok: false, reason: 'failed', message: known.message };
    throw error;
  }
}

async function pushDecided(
  remote: Remote,
  table: BundleRefTable,
  request: PushRequest,
  options: SessionOptions,
  landed: (update: LandedUpdate) => void,
): Promise<PushResult> {
  const ref = request.dst;
  const remoteSha = currentSha(remote, table, ref, false);
  const answers = policyAnswers(remote, table);
  const decision = await decideRefUpdate(remoteSha, request, answers);
  if (!decision.ok || decision.upToDate) return decisionResult(decision);
  if (decision.sha !== undefined) {
    // A bundle is self-contained: from a shallow clone, only history above its boundary may go (DESIGN §11).
    const complete = await judgePush(ref, decision.sha, 'self-contained', await shallowBoundary());
    if (!complete.ok) return { ref, ok: false, reason: 'incomplete', message: complete.reason };
  }
  if (options.dryRun) return decisionResult(decision);

  const prefix = remote.url.prefix;
  const lockOptions = { ttlMs: remote.settings.lockTtlMs, ref, remoteUrl: remote.display };
  return withLock(remote.store, lockKey(prefix, ref), lockOptions, async (lock) => {
    const fresh = await remote.store.list(refDirPrefix(prefix, ref));
    const now = buildRefTable(prefix, fresh.objects, fresh.serverTime);
    const protectedNow = (r: string) => now.refs.get(r)?.protected === true;
    const recheck = await recheckRefUpdate(remoteSha, () => currentSha(remote, now, ref, true), request, {
      ...answers,
      isProtected: protectedNow,
    });
    if (!recheck.ok) return decisionResult(recheck);
    const entry = now.refs.get(ref);
    if (decision.sha === undefined) {
      lock.assertHeld();
      const keys = [...(entry?.bundles ?? []).map((b) => b.key), ...(entry?.zip ? [entry.zip.key] : [])];
      if (keys.length > 0) await remote.store.deleteMany(keys);
      // A delete is not rechecked against a rival's push: the log names the newest bundle seen under the lock.
      landed({ ref, old: entry?.bundles[0]?.sha ?? remoteSha, new: undefined, forced: decision.forced });
      return decisionResult(decision);
    }
    const sha = decision.sha;
    await uploadBundle(remote, ref, sha, options.progress, lock.signal);
    try {
      lock.assertHeld();
    } catch (error) {
      // Not ours to commit any more: take back the bundle, or readers would take it for the newest.
      await remote.store.delete(bundleKey(prefix, ref, sha)).catch(() => {});
      throw error;
    }
    // Readers take the newest bundle: the ref moved now, whatever befalls the clean-up below.
    landed({ ref, old: remoteSha, new: sha, forced: decision.forced });
    const old = (entry?.bundles ?? []).filter((b) => b.sha !== sha);
    if (old.length > 0) {
      await remote.store.deleteMany(old.map((b) => b.key));
      if (old.length > 1) log.info(`removed ${old.length - 1} leftover bundle(s) of ${ref} from an interrupted push`);
    }
    if (remote.url.scheme === 's3+zip') await uploadZip(remote, ref, sha, lock.signal);
    return decisionResult(decision);
  });
}

/** What the policy asks, answered from `table` (protection) and git (ancestry, asked once per pair of ids). */
function policyAnswers(remote: Remote, table: BundleRefTable): PolicyAnswers {
  const asked = new Map<string, ReturnType<typeof ancestry>>();
  return {
    display: remote.display,
    isProtected: (ref) => table.refs.get(ref)?.protected === true,
    ancestry: (from, to) => {
      const key = `${from} ${to}`;
      const answer = asked.get(key) ?? ancestry(from, to);
      asked.set(key, answer);
      return answer;
    },
  };
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
  // The meter starts once pack-objects' own meters have ended (its first pack byte); what git prints after
  // that (its `Total …` line) waits for the meter's last line, as in git push. The total is known once git
  // has written all.
  let meter: Progress | undefined;
  const held: Buffer[] = [];
  const writer = writeBundle(sha, ref, {
    progress,
    ...(repo.cwd ? { cwd: repo.cwd } : {}),
    onPackStart: () => {
      meter = createProgress({ title: 'Uploading objects', enabled: progress });
    },
    stderr: { write: (chunk) => (meter ? held.push(chunk) : process.stderr.write(chunk)) },
  });
  const release = () => {
    for (const chunk of held.splice(0)) process.stderr.write(chunk);
  };
  void writer.done.then(
    () => meter?.setTotal(writer.written()),
    () => {},
  );
  const upload = remote.store.upload(bundleKey(remote.url.prefix, ref, sha), writer.stream, {
    contentType: 'application/x-git-bundle',
    signal,
    onProgress: (n) => meter?.update(n),
  });
  const [uploaded, packed] = await Promise.allSettled([upload, writer.done]);
  if (packed.status === 'rejected' || uploaded.status === 'rejected') release();
  if (packed.status === 'rejected') {
    // The stream ends only once git succeeded, so no upload should have completed; if one did, it is not a bundle.
    if (uploaded.status === 'fulfilled') await remote.store.delete(bundleKey(remote.url.prefix, ref, sha)).catch(() => {});
    throw explainMissingObjects(packed.reason, ref);
  }
  if (uploaded.status === 'rejected') {
    writer.stream.destroy();
    throw signal.aborted ? signal.reason : uploaded.reason;
  }
  meter?.update(writer.written());
  meter?.finish();
  release();
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
