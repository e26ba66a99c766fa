// Fetch for the packs layout: packs this repository has not taken yet are downloaded (ranged GETs in
// parallel when large) and streamed into `git index-pack --stdin`; which packs were taken from which
// remote is remembered (held-packs.ts), so a local repack never makes us download them again.
// A large pack is first judged by its index: when every object it lists is here already (a pack `git s3
// gc` consolidated from packs we took), it is recorded as taken without downloading it.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CorruptObjectError,
  downloadObject,
  git,
  log,
  mapConcurrent,
  missingObjects,
  NoSuchObjectError,
  NotFoundError,
  objectUrl,
  packDirPrefix,
  packKeys,
  packListKey,
  type RepoOptions,
  repoGitOptions,
  type SharedTerminal,
  shareTerminal,
  spawnGit,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { indexPackStream } from '../index-pack.js';
import { openHeldPacks } from './held-packs.js';
import { hashBytesOfPack, indexObjectIds } from './pack-index.js';
import { readPackList } from './pack-list.js';

/**
 * Below this size a pack is downloaded without looking at its index first: one GET of the pack costs no
 * more than the GET of its index that could spare it.
 */
const INDEX_CHECK_MIN_PACK_BYTES = 64 * 1024;

/** Packs downloaded at once; each may itself use ranged GETs in parallel. */
const PACKS_IN_FLIGHT = 2;

/**
 * Makes the objects `wanted` present in the repository at `options.cwd` (default: the current one).
 * `unlisted`: those of `wanted` that no listed ref has as its tip (`git fetch origin <sha>`): when no pack
 * holds one, the remote does not have it, which is an answer for the user, not a corrupt pack list.
 */
export async function fetchPacks(
  remote: Remote,
  wanted: readonly string[],
  progress: boolean,
  options: RepoOptions = {},
  unlisted: ReadonlySet<string> = new Set(),
): Promise<void> {
  if ((await missingObjects(wanted, options)).size === 0) return;
  const [{ names }, sizes] = await Promise.all([readPackList(remote), packSizes(remote)]);
  const { names: held, remember } = await openHeldPacks(remote, options);
  const todo = await withoutPacksAlreadyHere(
    remote,
    names.filter((n) => !held.has(n)),
    sizes,
    options,
    remember,
  );
  await downloadPacks(remote, todo, sizes, progress, options, remember);
  let still = await missingObjects(wanted, options);
  const takenBefore = names.filter((n) => held.has(n));
  if (still.size > 0 && takenBefore.length > 0) {
    // The record is a hint, not a promise: a local gc prunes unreachable objects of packs we took, and
    // a ref pushed again may need them back. For ids alone, only packs whose index lists them (an id
    // nobody has must not cost the whole history again).
    const tipLost = [...still].some((sha) => !unlisted.has(sha));
    const again = tipLost ? takenBefore : await packsListing(remote, takenBefore, still);
    if (again.length > 0) {
      log.warn(
        `objects are missing here that packs taken from ${remote.display} before may hold (a local gc prunes unreachable objects); downloading ${again.length === 1 ? 'that pack' : `those ${again.length} packs`} again`,
      );
      await downloadPacks(remote, again, sizes, progress, options);
      still = await missingObjects(wanted, options);
    }
  }
  const lost = [...still].find((sha) => !unlisted.has(sha));
  if (lost) {
    throw new CorruptObjectError(
      objectUrl(remote.store.bucket, packListKey(remote.url.prefix)),
      `no pack holds ${lost}; the pack list is incomplete`,
    );
  }
  const unknown = [...still][0];
  if (unknown) throw new NoSuchObjectError(remote.display, unknown);
}

/** The packs of `names` whose index lists one of `ids`; a pack whose index cannot tell is kept (the pack is the authority). */
async function packsListing(remote: Remote, names: readonly string[], ids: ReadonlySet<string>): Promise<string[]> {
  const listing = await mapConcurrent(names, PACKS_IN_FLIGHT, async (name) => {
    const key = packKeys(remote.url.prefix, name).idx;
    try {
      const { body } = await remote.store.get(key);
      for await (const id of indexObjectIds(body, hashBytesOfPack(name), objectUrl(remote.store.bucket, key))) {
        if (ids.has(id)) {
          body.destroy();
          return true;
        }
      }
      return false;
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof CorruptObjectError)) throw error;
      return true;
    }
  });
  return names.filter((_, i) => listing[i]);
}

/**
 * Downloads the packs `names` and indexes each into the repository at `options`; `onIndexed` hears of
 * each once git has it. At most PACKS_IN_FLIGHT packs at once, streamed: nothing holds a whole pack.
 * `progress`: index-pack's own meters (`Receiving objects`, bytes and rate included), one pack after another.
 */
export async function downloadPacks(
  remote: Remote,
  names: readonly string[],
  sizes: ReadonlyMap<string, number>,
  progress: boolean,
  options: RepoOptions = {},
  onIndexed: (name: string) => Promise<void> = async () => {},
): Promise<void> {
  const meters = progress ? shareTerminal() : undefined;
  await mapConcurrent(names, PACKS_IN_FLIGHT, async (name) => {
    await indexPack(remote, name, sizes, options, meters);
    await onIndexed(name);
  });
}

/** Sizes of the keys under objects/pack/, from one listing. */
async function packSizes(remote: Remote): Promise<Map<string, number>> {
  const listing = await remote.store.list(packDirPrefix(remote.url.prefix));
  return new Map(listing.objects.map((o) => [o.key, o.size]));
}

/**
 * The packs of `names` still to download: a large one whose index lists only objects this repository
 * has is recorded as taken instead (its index costs a small GET; the pack may be the whole history).
 */
async function withoutPacksAlreadyHere(
  remote: Remote,
  names: readonly string[],
  sizes: ReadonlyMap<string, number>,
  options: RepoOptions,
  remember: (name: string) => Promise<void>,
): Promise<string[]> {
  const prefix = remote.url.prefix;
  // A repository with no objects (a clone) holds nothing any index could list: no index is worth a GET.
  if (names.length === 0 || (await isEmptyRepository(options))) return [...names];
  const here = await mapConcurrent(names, PACKS_IN_FLIGHT, async (name) => {
    const size = sizes.get(packKeys(prefix, name).pack);
    if (size !== undefined && size < INDEX_CHECK_MIN_PACK_BYTES) return false;
    const all = await holdsEveryObjectOf(remote, name, options);
    if (all) await remember(name);
    return all;
  });
  return names.filter((_, i) => !here[i]);
}

async function isEmptyRepository(options: RepoOptions): Promise<boolean> {
  const { stdout } = await git(['count-objects', '-v'], repoGitOptions(options));
  const count = (field: string) => Number(new RegExp(`^${field}: (\\d+)$`, 'm').exec(stdout)?.[1] ?? 1);
  return count('count') === 0 && count('in-pack') === 0;
}

/** Whether every object the pack's index lists is in the repository; false when the index cannot tell. */
async function holdsEveryObjectOf(remote: Remote, name: string, options: RepoOptions): Promise<boolean> {
  const key = packKeys(remote.url.prefix, name).idx;
  const where = objectUrl(remote.store.bucket, key);
  try {
    const { body } = await remote.store.get(key);
    const present = await allPresent(indexObjectIds(body, hashBytesOfPack(name), where), options);
    log.debug(`${where}: ${present ? 'every object is here already; not downloading the pack' : 'objects are missing'}`);
    return present;
  } catch (error) {
    // The pack itself is the authority: index-pack verifies it whatever its index says.
    if (!(error instanceof NotFoundError || error instanceof CorruptObjectError)) throw error;
    log.debug(`${where}: cannot tell from the index (${error.message}); downloading the pack`);
    return false;
  }
}

/** Whether the repository has every object of `ids` (one `git cat-file` for all, streamed both ways). */
async function allPresent(ids: AsyncIterable<string>, options: RepoOptions): Promise<boolean> {
  const git = spawnGit(['cat-file', '--batch-check=%(objectname)'], repoGitOptions(options));
  let missing = 0;
  const scan = (async () => {
    for await (const line of createInterface({ input: git.stdout })) if (line.endsWith(' missing')) missing++;
  })();
  const fed = await pipeline(Readable.from(batched(ids)), git.stdin).then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  if (fed) {
    git.kill();
    await Promise.allSettled([scan, git.done]);
    throw fed.error;
  }
  await Promise.all([scan, git.done]);
  return missing === 0;
}

/** Ids as lines, several thousand to a write rather than one each. */
async function* batched(ids: AsyncIterable<string>): AsyncGenerator<string> {
  let text = '';
  for await (const id of ids) {
    text += `${id}\n`;
    if (text.length >= 64 * 1024) {
      yield text;
      text = '';
    }
  }
  if (text) yield text;
}

/** Streams one pack into `git index-pack --stdin`; a pack git refuses is reported as corrupt, with its key. */
async function indexPack(
  remote: Remote,
  name: string,
  sizes: ReadonlyMap<string, number>,
  options: RepoOptions,
  meters: SharedTerminal | undefined,
): Promise<void> {
  const key = packKeys(remote.url.prefix, name).pack;
  const size = sizes.get(key);
  const body = await downloadObject(remote.store, key, {
    ...(size !== undefined ? { size } : {}),
    sharedBy: PACKS_IN_FLIGHT,
  });
  await indexPackStream(body, objectUrl(remote.store.bucket, key), repoGitOptions(options), [], meters);
}
