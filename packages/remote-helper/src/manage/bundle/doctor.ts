// `doctor` on a bundle-layout remote: reads it once, reports every finding, applies only the fixes asked for by flag
// (stale locks, leftover bundles, HEAD), reads it again to see what is left, and says what would fix that.
// Never asks anything: it runs unattended.
import { formatAge, GitRemoteS3Error, judgeLock, lockKey, withLock } from '@git-remote-s3/core';
import { NoSuchBranchError } from '@git-remote-s3/core/errors';
import type { Remote } from '@git-remote-s3/core/remote';
import { resolveRef } from '../../layouts/bundle/ref-table.js';
import { branchRef } from '../branch.js';
import { type DoctorOptions, parseLockTtl } from '../doctor.js';
import { replaceHead } from '../set-head.js';
import { type DiagnosisContext, describeFinding, diagnose, type Finding, findingId, fixHint, isProblem, summarize } from './diagnose.js';
import { readRef, readRemoteState } from './remote-state.js';

/** Runs doctor, writing its report line by line; true when no problem is left. */
export async function runDoctor(remote: Remote, options: DoctorOptions, say: (line: string) => void): Promise<boolean> {
  const lockTtlMs = options.lockTtl === undefined ? remote.settings.lockTtlMs : parseLockTtl(options.lockTtl);
  const headRef = options.setHead === undefined ? undefined : branchRef(options.setHead);
  const ctx: DiagnosisContext = {
    bucket: remote.store.bucket,
    prefix: remote.url.prefix,
    display: remote.display,
    lockTtlMs,
    doctorFlags: options.lockTtl === undefined ? [] : [`--lock-ttl ${options.lockTtl}`],
  };
  const state = await readRemoteState(remote);
  if (headRef && !state.table.refs.get(headRef)?.bundles.length) {
    throw new NoSuchBranchError(headRef, remote.display, `point HEAD at ${headRef}`);
  }
  say(`doctor: checking ${remote.display} (lock TTL ${formatAge(lockTtlMs)})`);
  if (options.syncRefs) say('note: --sync-refs is for the packs layout; a bundle remote keeps no info/refs, packed-refs or loose refs');
  const before = diagnose(state, lockTtlMs);
  for (const finding of before) say(`${isProblem(finding) ? 'problem' : 'note'}: ${describeFinding(finding, ctx)}`);

  const fixing = options.deleteStaleLocks || options.keepNewestBundle || headRef !== undefined;
  for (const finding of before) {
    const outcome = await applyFix(remote, finding, options, lockTtlMs);
    if (outcome) say(outcome);
  }
  if (headRef) {
    await replaceHead(remote, headRef, state.headEtag);
    say(`done: HEAD now names ${headRef}`);
  }

  const after = fixing ? diagnose(await readRemoteState(remote), lockTtlMs) : before;
  const seen = new Set(before.map(findingId));
  const remaining = after.filter(isProblem);
  for (const finding of remaining) if (!seen.has(findingId(finding))) say(`problem: ${describeFinding(finding, ctx)}`);
  const hints = new Set(remaining.map((f) => fixHint(f, ctx)).filter((h) => h !== undefined));
  for (const hint of hints) say(`hint: ${hint}`);
  say(summarize(before, after).line);
  return remaining.length === 0;
}

/** The fix a flag asks for on one finding, as a `done:` or `skipped:` line; undefined when none applies. */
async function applyFix(remote: Remote, finding: Finding, options: DoctorOptions, lockTtlMs: number): Promise<string | undefined> {
  try {
    if (finding.kind === 'stale-lock' && options.deleteStaleLocks)
      return await deleteStaleLock(remote, finding.ref, finding.key, lockTtlMs);
    if (finding.kind === 'multiple-bundles' && finding.newest !== 'push in progress' && options.keepNewestBundle) {
      return await keepNewestBundle(remote, finding.ref, lockTtlMs);
    }
    return undefined;
  } catch (error) {
    if (error instanceof GitRemoteS3Error) return `skipped: ${error.message}`;
    throw error;
  }
}

async function deleteStaleLock(remote: Remote, ref: string, key: string, lockTtlMs: number): Promise<string> {
  // Judged again just before deleting, on the server's clock: a push may have taken the lock over since
  // the listing. (The window between this look and the delete remains: S3 has no conditional delete.)
  const current = await remote.store.head(key);
  if (!current) return `done: the stale lock on ${ref} is gone already`;
  const state = judgeLock(current.lastModified, current.serverTime, lockTtlMs);
  if (!state.stale) return `skipped: the lock on ${ref} is live again (${formatAge(state.ageMs)} old); left alone`;
  await remote.store.delete(key);
  return `done: deleted the stale lock on ${ref} (${formatAge(state.ageMs)} old)`;
}

async function keepNewestBundle(remote: Remote, ref: string, lockTtlMs: number): Promise<string> {
  const { store, url, display } = remote;
  return withLock(store, lockKey(url.prefix, ref), { ttlMs: lockTtlMs, ref, remoteUrl: display }, async (lock) => {
    const { entry, serverTime } = await readRef(remote, ref);
    const resolution = resolveRef(entry, lockTtlMs, serverTime, true);
    if (resolution.kind === 'ambiguous') {
      return `skipped: the newest bundle of ${ref} cannot be told apart (same Last-Modified); nothing deleted`;
    }
    if (resolution.kind === 'none' || resolution.stale.length === 0) return `done: ${ref} has one bundle or none now`;
    lock.assertHeld();
    await store.deleteMany(resolution.stale.map((b) => b.key));
    const count = resolution.stale.length;
    return `done: kept ${resolution.bundle.sha.slice(0, 7)} of ${ref}, deleted ${count} older bundle${count === 1 ? '' : 's'}`;
  });
}
