// `git s3 gc` on a packs-layout remote: consolidates every listed pack into one without pruning anything,
// then deletes what earlier runs retired once the grace period is over. The order keeps concurrent
// readers and pushers safe, and a gc stopped at any point leaves a valid remote: the new pack is uploaded
// before it is listed; a pack is recorded as retired before it leaves the list, and stays in the bucket
// for the grace period after that; the lists are replaced only by conditional writes.
import { stat } from 'node:fs/promises';
import {
  CorruptObjectError,
  conditionalUpdate,
  formatRetiredPacks,
  git,
  packDirPrefix,
  parseRetiredPacks,
  type RefRecord,
  type RetiredPack,
  repoGitOptions,
  retiredPacksKey,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { assertObjectsComplete } from '../../layouts/completeness.js';
import { where } from '../../layouts/packs/bucket-url.js';
import { downloadPacks } from '../../layouts/packs/fetch.js';
import { readRefTable } from '../../layouts/packs/info-refs.js';
import { disposePack, type LocalPack, packObjects } from '../../layouts/packs/local-packs.js';
import { hashBytesOfPack } from '../../layouts/packs/pack-index.js';
import { readPackList, updatePackList, uploadPack } from '../../layouts/packs/pack-list.js';
import { createScratchRepo } from '../scratch-repo.js';
import { forgetRetired, type GcPlan, type GcState, type PackGroup, planGc, replaceConsolidated, retire, type Waiting } from './gc-plan.js';
import type { Consolidation, GcReport } from './gc-report.js';

export interface GcOptions {
  readonly graceMs: number;
  readonly dryRun: boolean;
  /** Progress meters on stderr for the downloads and the upload. */
  readonly progress: boolean;
}

/** Runs gc on a remote the detector found in the packs layout (its ManagedRemote calls it). */
export async function runGc(remote: Remote, options: GcOptions): Promise<GcReport> {
  const { state, clock, refs } = await readGcState(remote);
  const plan = planGc(state, options.graceMs);
  if (plan.unreadable.length > 0) {
    const key = `${packDirPrefix(remote.url.prefix)}${plan.unreadable[0]}.pack`;
    throw new CorruptObjectError(
      where(remote, key),
      'the pack list names it but it is missing',
      'restore it, or push the lost history again; gc changed nothing',
    );
  }
  const base = {
    display: remote.display,
    graceMs: options.graceMs,
    dryRun: options.dryRun,
    now: state.now,
    listedBefore: state.listed.length,
  };
  if (options.dryRun) return dryRunReport(base, plan);
  const consolidated = plan.consolidate.length > 0 ? await consolidate(remote, plan.consolidate, refs, clock, options) : undefined;
  const deleted = await deleteExpired(remote, plan);
  return {
    ...base,
    listedAfter: consolidated?.listedAfter ?? state.listed.length,
    consolidated: consolidated?.summary,
    deletedRetired: deleted.retired,
    deletedOrphans: deleted.orphans,
    keptRetired: [...plan.waiting, ...(consolidated?.kept ?? [])],
    keptOrphans: plan.youngOrphans,
  };
}

function dryRunReport(
  base: Omit<GcReport, 'listedAfter' | 'consolidated' | 'deletedRetired' | 'deletedOrphans' | 'keptRetired' | 'keptOrphans'>,
  plan: GcPlan,
): GcReport {
  const consolidate = plan.consolidate;
  return {
    ...base,
    listedAfter: undefined,
    consolidated: consolidate.length > 0 ? { packs: consolidate.length, bytes: consolidate.reduce((n, g) => n + g.bytes, 0) } : undefined,
    deletedRetired: plan.expired,
    deletedOrphans: plan.orphans,
    keptRetired: plan.waiting,
    keptOrphans: plan.youngOrphans,
  };
}

/**
 * The pack list, then the retired list (never the other way round: a gc records a pack as retired before
 * taking it off the list, so a pack missing from both is truly unlisted), and the listing of objects/pack/.
 * `clock` estimates the server's time later on, from the listing's Date and our own clock.
 */
async function readGcState(remote: Remote): Promise<{ state: GcState; clock: () => Date; refs: RefRecord[] }> {
  const prefix = remote.url.prefix;
  const listing = remote.store.list(packDirPrefix(prefix)).then((l) => ({ ...l, localTime: Date.now() }));
  // The refs before the pack list: a push lists its pack before it commits a ref, so every object these
  // refs reach is in a pack listed at the later read (or in one a gc consolidated them into).
  const { refs } = await readRefTable(remote);
  const { names: listed } = await readPackList(remote);
  const retired = await readRetired(remote);
  const { objects, serverTime, localTime } = await listing;
  const offset = serverTime.getTime() - localTime;
  return {
    state: { prefix, listed, retired: retired.packs, files: objects, now: serverTime },
    clock: () => new Date(Date.now() + offset),
    refs,
  };
}

interface Consolidated {
  readonly summary: Consolidation;
  /** The packs it retired, with the time a gc may delete them. */
  readonly kept: readonly Waiting[];
  readonly listedAfter: number;
}

/**
 * Packs every object of `groups` into one pack, uploads it, records the old packs as retired and only
 * then replaces them with it in the pack list.
 */
async function consolidate(
  remote: Remote,
  groups: readonly PackGroup[],
  refs: readonly RefRecord[],
  clock: () => Date,
  options: Pick<GcOptions, 'graceMs' | 'progress'>,
): Promise<Consolidated> {
  const names = groups.map((g) => g.name);
  const bytes = groups.reduce((n, g) => n + g.bytes, 0);
  const built = await packAllObjects(remote, groups, refs, options.progress);
  if (!built) return { summary: { packs: groups.length, bytes }, kept: [], listedAfter: names.length };
  try {
    await uploadPack(remote, built.pack, options.progress, 'Uploading consolidated pack');
    const name = built.pack.name;
    const leaving = groups.filter((g) => g.name !== name);
    const retiredAt = clock();
    await updateRetired(remote, (current) =>
      retire(
        current,
        leaving.map((g) => g.name),
        retiredAt,
      ),
    );
    const after = await updatePackList(remote, (current) => replaceConsolidated(current, names, name));
    return {
      summary: { packs: groups.length, bytes, result: { name, bytes: built.bytes, objects: built.objects, listed: after.includes(name) } },
      kept: leaving.map((group) => ({ group, until: new Date(retiredAt.getTime() + options.graceMs) })),
      listedAfter: after.length,
    };
  } finally {
    await disposePack(built.pack);
  }
}

/**
 * Every object of the packs `groups`, reachable or not (a concurrent push may build on any of them),
 * gathered in a scratch repository and packed into one local pack; null when they hold no object.
 */
async function packAllObjects(
  remote: Remote,
  groups: readonly PackGroup[],
  refs: readonly RefRecord[],
  progress: boolean,
): Promise<{ pack: LocalPack; objects: number; bytes: number } | null> {
  const names = groups.map((g) => g.name);
  const scratch = await createScratchRepo('gc', hashBytesOfPack(names[0] ?? '') === 32 ? 'sha256' : 'sha1');
  try {
    const repo = scratch.repo;
    await downloadPacks(remote, names, packFileSizes(groups), progress, repo);
    // Every listed pack is here: the one that replaces them must leave every ref's history whole (DESIGN §11).
    await assertObjectsComplete(refs, repo, `gc refused on ${remote.display}`, 'the listed packs');
    const { stdout: ids } = await git(['cat-file', '--batch-all-objects', '--batch-check=%(objectname)'], repoGitOptions(repo));
    const pack = await packObjects(ids, { ...repo, revs: false, progress });
    if (!pack) return null;
    const bytes = (await stat(pack.packFile)).size + (await stat(pack.idxFile)).size;
    return { pack, objects: ids.split('\n').filter(Boolean).length, bytes };
  } finally {
    await scratch.dispose();
  }
}

/** The sizes of the `.pack` files, by key, as downloadPacks wants them (for ranged GETs and its meter). */
function packFileSizes(groups: readonly PackGroup[]): Map<string, number> {
  return new Map(groups.flatMap((g) => g.keys.filter((k) => k.endsWith('.pack')).map((k) => [k, g.packBytes] as const)));
}

/**
 * Deletes the expired retired packs and the old orphans, then drops them from the retired list. The pack
 * list is read again first: a pack listed since gc began is live, whatever the plan said.
 */
async function deleteExpired(remote: Remote, plan: GcPlan): Promise<{ retired: PackGroup[]; orphans: PackGroup[] }> {
  let retired = [...plan.expired];
  let orphans = [...plan.orphans];
  if (retired.length + orphans.length > 0) {
    const live = new Set((await readPackList(remote)).names);
    retired = retired.filter((g) => !live.has(g.name));
    orphans = orphans.filter((g) => !live.has(g.name));
    await remote.store.deleteMany([...retired, ...orphans].flatMap((g) => g.keys));
  }
  const relisted = new Set(plan.expired.filter((g) => !retired.includes(g)).map((g) => g.name));
  const forget = plan.forget.filter((p) => !relisted.has(p.name));
  if (forget.length > 0) await updateRetired(remote, (current) => forgetRetired(current, forget));
  return { retired, orphans };
}

async function readRetired(remote: Remote): Promise<{ packs: RetiredPack[]; etag: string | undefined }> {
  const key = retiredPacksKey(remote.url.prefix);
  const found = await remote.store.getText(key);
  return { packs: found ? parseRetiredPacks(found.text, where(remote, key)) : [], etag: found?.etag };
}

/** Rewrites objects/info/s3-retired as `change` says, with a conditional write re-read and retried on conflict. */
async function updateRetired(remote: Remote, change: (current: readonly RetiredPack[]) => RetiredPack[]): Promise<void> {
  const key = retiredPacksKey(remote.url.prefix);
  await conditionalUpdate(remote.store, key, (text) => {
    const current = text === undefined ? [] : parseRetiredPacks(text, where(remote, key));
    const next = formatRetiredPacks(change(current));
    return next === formatRetiredPacks(current) ? undefined : next;
  });
}
