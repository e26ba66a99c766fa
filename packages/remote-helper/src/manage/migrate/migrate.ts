// `git s3 migrate`: converts a remote in place between the bundle and packs layouts. The whole target is
// written and verified beside the source (their keys never collide), the source is checked unchanged, HEAD
// is switched to the target's form with a conditional write, and only then are the source's keys deleted.
// Stopping anywhere before the switch leaves the source as it was; a re-run removes what an earlier one left.

import {
  GitRemoteS3Error,
  git,
  headKey,
  type LayoutName,
  MigrationAbortedError,
  PreconditionFailedError,
  refsPrefix,
} from '@git-remote-s3/core';
import { WrongLayoutError } from '@git-remote-s3/core/errors';
import type { Remote } from '@git-remote-s3/core/remote';
import { detectLayout, layoutForNewRemote } from '../../layouts/choose.js';
import { assertObjectsComplete } from '../../layouts/completeness.js';
import { createScratchRepo, outsideUserRepository } from '../scratch-repo.js';
import { ENDPOINTS, type Evidence } from './endpoints.js';
import { deleteSourceLayout } from './finish.js';
import { removeLeftovers } from './leftovers.js';
import type { Reporter, Snapshot, Source, Target } from './migration.js';
import { describeRefs, type MigrationTotals, plural, summaryLine } from './plan.js';

export type { Reporter } from './migration.js';

export interface MigrateOptions {
  readonly to: LayoutName;
  readonly dryRun: boolean;
  /** Transfer meters on stderr. */
  readonly progress: boolean;
  /** The git remote the command named: its `remote.<name>.s3layout` is set to the new layout. */
  readonly remoteName: string | undefined;
}

export type MigrationOutcome =
  | { readonly kind: 'empty' | 'already' | 'planned' }
  | { readonly kind: 'migrated'; readonly totals: MigrationTotals };

interface DetectedEvidence extends Evidence {
  readonly layout: LayoutName | undefined;
}

/**
 * The layout as every command sees it (layouts/choose.ts), with the HEAD it read and the listing of refs/
 * (read here when choosing did not need it).
 */
async function readEvidence(remote: Remote): Promise<DetectedEvidence> {
  const { found, head, refs } = await detectLayout(remote);
  return { head, refs: refs ?? (await remote.store.list(refsPrefix(remote.url.prefix))), layout: found };
}

export async function migrateRemote(remote: Remote, options: MigrateOptions, report: Reporter): Promise<MigrationOutcome> {
  if (options.to === 'packs' && remote.url.scheme === 's3+zip') {
    throw new WrongLayoutError(
      remote.display,
      `s3+zip:// remotes keep the bundle layout: CodePipeline reads the repo.zip beside each bundle; migrate s3://${remote.url.bucket}/${remote.url.prefix} if you mean to drop them`,
    );
  }
  const evidence = await readEvidence(remote);
  const from = evidence.layout;
  if (!from || ENDPOINTS[from].holdsNothing(remote, evidence)) {
    report.say(`nothing to migrate: ${remote.display} is empty`);
    report.say(
      `hint: a new remote gets its layout from its first push: run 'git config s3.layout ${options.to}' (or 'git config remote.<name>.s3layout ${options.to}') before it; bundle is the default for s3:// urls, packs for amazon-s3://`,
    );
    return { kind: 'empty' };
  }
  if (from === options.to) return alreadyMigrated(remote, evidence, options, report);
  if (options.dryRun) return plan(remote, evidence, from, options.to, report);

  report.say(`migrating ${remote.display} from the ${from} layout to the ${options.to} layout`);
  const source = await ENDPOINTS[from].openSource(remote, evidence, options.to);
  try {
    report.say(`read ${describeSnapshot(source.snapshot)}${ENDPOINTS[from].holdNote}`);
    const bytesWritten = await outsideUserRepository(() => buildAndSwitch(remote, source, options, report));
    await recordLayout(remote, options, report);
    const keysDeleted = await deleteSourceLayout(remote, source, options.to, report);
    const totals = { refs: source.snapshot.refs.length, bytesWritten, keysDeleted };
    report.say(summaryLine(remote.display, options.to, totals));
    return { kind: 'migrated', totals };
  } finally {
    await source.release();
  }
}

function describeSnapshot(snapshot: Snapshot): string {
  const protectedCount = snapshot.protectedRefs.length;
  return `${describeRefs(snapshot.refs)}, HEAD ${snapshot.headBranch}${protectedCount > 0 ? `, ${plural(protectedCount, 'protected branch', 'protected branches')}` : ''}`;
}

/** Fetches into a scratch repository, writes and verifies the target, switches HEAD; returns the bytes written. */
async function buildAndSwitch(remote: Remote, source: Source, options: MigrateOptions, report: Reporter): Promise<number> {
  const { snapshot } = source;
  const target: Target = ENDPOINTS[options.to].newTarget(remote, report);
  const scratch = snapshot.objectFormat ? await createScratchRepo('migrate', snapshot.objectFormat) : undefined;
  const headText = target.headText(snapshot.headBranch);
  try {
    if (scratch) {
      report.say(`fetching the objects of ${plural(snapshot.refs.length, 'ref')} into a scratch repository`);
      await source.fetchInto(scratch.dir, options.progress);
      // The target is written from these objects: every ref's history must be whole before anything is (DESIGN §11).
      await assertObjectsComplete(
        snapshot.refs,
        scratch.repo,
        `cannot migrate ${remote.display}`,
        `the remote's ${ENDPOINTS[source.layout].objectsName}`,
      );
    }
    await removeLeftovers(remote, await ENDPOINTS[options.to].staleTargetKeys(remote, snapshot.refs), report);
    const removed = await source.makeRoom();
    if (removed > 0) {
      report.say(
        `removed ${plural(removed, 'loose ref')} (refs/… keys as JGit writes them; packed-refs carries ${removed === 1 ? 'it' : 'them'}): they would hide the bundles written under the same names`,
      );
    }
    try {
      await target.write(snapshot, scratch?.dir, options.progress);
      await target.verify(snapshot);
      await source.assertUnchanged();
      await switchHead(remote, source.headEtag, headText, options.to);
    } catch (error) {
      if (error instanceof SwitchUnknownError) throw error;
      await target.discard().catch((e: unknown) => {
        report.warn(`could not remove what was written (${(e as Error).message}); 'git s3 migrate' removes it when run again`);
      });
      throw error;
    }
    report.say(`switched HEAD to '${headText.trim()}': the remote is now in the ${options.to} layout`);
    return target.bytesWritten;
  } finally {
    await target.release();
    await scratch?.dispose();
  }
}

/** The switch could not be confirmed either way: both layouts are kept, and a re-run finishes it. */
class SwitchUnknownError extends GitRemoteS3Error {
  constructor(url: string, to: LayoutName, detail: string) {
    super(
      'migration-incomplete',
      `cannot tell whether HEAD of ${url} now names the ${to} layout (${detail}); both layouts' keys were kept: run 'git s3 migrate ${url} --to ${to}' again`,
      { url, to },
    );
  }
}

/**
 * The switch: HEAD in the target's form, replacing exactly the HEAD read at the start (or none). A failed
 * write is judged by HEAD itself, read again: a retried PUT whose first attempt landed answers 412, and a
 * lost answer says nothing, yet the switch may have happened; only a HEAD seen unchanged aborts.
 */
async function switchHead(remote: Remote, etag: string | undefined, text: string, to: LayoutName): Promise<void> {
  const key = headKey(remote.url.prefix);
  try {
    await remote.store.put(key, text, { ...(etag ? { ifMatch: etag } : { ifNoneMatch: '*' }), contentType: 'text/plain' });
    return;
  } catch (error) {
    const now = await remote.store.getText(key).catch((e: unknown) => {
      throw new SwitchUnknownError(remote.display, to, `${(error as Error).message}; then ${(e as Error).message}`);
    });
    if (now?.text === text) return;
    if (error instanceof PreconditionFailedError) {
      throw new MigrationAbortedError(remote.display, to, "the remote's HEAD changed during the migration");
    }
    throw error;
  }
}

/**
 * `remote.<name>.s3layout`, so that this repository's helper looks at the new layout's keys first (it would
 * find out from the bucket anyway, at the cost of a request or two): only when what the url and git config
 * make it expect is another layout. amazon-s3:// always starts with packs, whatever the configuration.
 */
async function recordLayout(remote: Remote, options: MigrateOptions, report: Reporter): Promise<void> {
  const name = options.remoteName;
  if (!name || remote.url.scheme === 'amazon-s3') return;
  if (layoutForNewRemote(remote.url.scheme, remote.settings.layout) === options.to) return;
  try {
    await git(['config', `remote.${name}.s3layout`, options.to]);
    report.say(`set remote.${name}.s3layout to ${options.to} in this repository`);
  } catch (error) {
    report.warn(`could not set remote.${name}.s3layout (${(error as Error).message}); the helper finds the layout anyway`);
  }
}

/** The remote is in the target layout already: leftovers of an interrupted migration are removed, if any. */
async function alreadyMigrated(remote: Remote, evidence: Evidence, options: MigrateOptions, report: Reporter): Promise<MigrationOutcome> {
  report.say(`${remote.display} is already in the ${options.to} layout; nothing to migrate`);
  if (options.dryRun) return { kind: 'already' };
  await ENDPOINTS[options.to].removeOtherLayout(remote, evidence, report);
  await recordLayout(remote, options, report);
  return { kind: 'already' };
}

/** `--dry-run`: what would move, read without taking a lock or writing anything. */
async function plan(remote: Remote, evidence: Evidence, from: LayoutName, to: LayoutName, report: Reporter): Promise<MigrationOutcome> {
  const { snapshot, toRead: sizes } = await ENDPOINTS[from].planSnapshot(remote, evidence, to);
  report.say(`would migrate ${remote.display} from the ${from} layout to the ${to} layout: ${describeSnapshot(snapshot)}${sizes}`);
  report.say(`would write the ${to} layout beside it, switch HEAD to it, then delete the ${from} layout's keys (nothing done: --dry-run)`);
  return { kind: 'planned' };
}
