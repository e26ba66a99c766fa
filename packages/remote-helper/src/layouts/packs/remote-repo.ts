// The operations on a packs-layout remote that push, gc and migrate share: the ref table and the pack
// list, each read with its ETag and replaced by a conditional write; packs made locally and uploaded
// before anything refers to them; the derived copies (HEAD on a first push, packed-refs).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  conditionalUpdate,
  createProgress,
  formatInfoRefs,
  formatPackedRefs,
  formatPackList,
  formatPacksHead,
  formatProtectedRefs,
  git,
  infoRefsKey,
  isObjectId,
  LayoutConflictError,
  layoutOfHead,
  makeTempDir,
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
  parseProtectedRefs,
  protectedRefsKey,
  type RefRecord,
  type RepoOptions,
  removeTempDir,
  repoGitOptions,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';

export interface RefTable {
  readonly refs: RefRecord[];
  /** ETag of the info/refs read; undefined when the remote has none yet. */
  readonly etag: string | undefined;
}

export interface PackList {
  readonly names: string[];
  readonly etag: string | undefined;
}

/** A pack and its index in a local temporary directory; `dispose` removes them. */
export interface LocalPack {
  readonly name: string;
  readonly dir: string;
  readonly packFile: string;
  readonly idxFile: string;
}

export const where = (remote: Remote, key: string): string => objectUrl(remote.store.bucket, key);

export async function readRefTable(remote: Remote): Promise<RefTable> {
  const key = infoRefsKey(remote.url.prefix);
  const found = await remote.store.getText(key);
  return { refs: found ? parseInfoRefs(found.text, where(remote, key)) : [], etag: found?.etag };
}

/** Replaces info/refs if nobody did since `table` was read; PreconditionFailedError otherwise. */
export async function commitRefTable(remote: Remote, table: RefTable, next: readonly RefRecord[]): Promise<{ etag: string }> {
  const key = infoRefsKey(remote.url.prefix);
  return remote.store.put(key, formatInfoRefs(next), table.etag ? { ifMatch: table.etag } : { ifNoneMatch: '*' });
}

export async function readPackList(remote: Remote): Promise<PackList> {
  const key = packListKey(remote.url.prefix);
  const found = await remote.store.getText(key);
  return { names: found ? parsePackList(found.text, where(remote, key)) : [], etag: found?.etag };
}

/** Rewrites objects/info/packs as `change` says (conditionally); returns the list as it now stands. */
export async function updatePackList(remote: Remote, change: (names: readonly string[]) => string[]): Promise<string[]> {
  const key = packListKey(remote.url.prefix);
  let next: string[] = [];
  await conditionalUpdate(remote.store, key, (text) => {
    const names = text === undefined ? [] : parsePackList(text, where(remote, key));
    next = change(names);
    return next.length === names.length && next.every((n, i) => n === names[i]) ? undefined : formatPackList(next);
  });
  return next;
}

/** Uploads a pack and its index in parallel (multipart when large, streamed from disk); lists nothing. */
export async function uploadPack(remote: Remote, pack: LocalPack, progress: boolean, title = 'Uploading pack'): Promise<void> {
  const keys = packKeys(remote.url.prefix, pack.name);
  const files = { pack: pack.packFile, idx: pack.idxFile };
  const total = (await stat(files.pack)).size + (await stat(files.idx)).size;
  const meter = createProgress({ title, total, enabled: progress });
  const sent = { pack: 0, idx: 0 };
  await mapConcurrent(['pack', 'idx'] as const, 2, (kind) =>
    remote.store.upload(keys[kind], createReadStream(files[kind]), {
      partSize: remote.settings.partSize,
      concurrency: remote.settings.concurrency,
      contentType: 'application/octet-stream',
      onProgress: (n) => {
        sent[kind] = n;
        meter.update(sent.pack + sent.idx);
      },
    }),
  );
  meter.finish();
}

/**
 * HEAD naming `branch` when the remote has none yet (a first push never overwrites another's HEAD). When
 * another first push wrote a HEAD of the bundle layout at the same moment, clients read that layout and
 * not this table: said in an error, so the pusher hears of it.
 */
export async function writeHeadIfAbsent(remote: Remote, branch: string): Promise<void> {
  const key = packsHeadKey(remote.url.prefix);
  try {
    await remote.store.put(key, formatPacksHead(branch), { ifNoneMatch: '*' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const head = await remote.store.getText(key);
    if (head && layoutOfHead(head.text) !== 'packs') {
      // Pushing again stores the refs where clients read them; a migration would start from the bundle
      // layout's refs and drop these.
      throw new LayoutConflictError(remote.display, 'bundle', head.text.trim(), 'push again: the remote is in the bundle layout now');
    }
  }
}

/** The derived packed-refs, for tools that read the prefix as a bare repository (`fullyPeeled`: see formatPackedRefs). */
export async function writePackedRefs(remote: Remote, refs: readonly RefRecord[], fullyPeeled: boolean): Promise<void> {
  await remote.store.put(packedRefsKey(remote.url.prefix), formatPackedRefs(refs, fullyPeeled));
}

/** Removes a local pack's temporary directory. */
export async function disposePack(pack: LocalPack | null | undefined): Promise<void> {
  if (pack) await removeTempDir(pack.dir);
}

/**
 * Packs, into a temporary directory, the objects `git pack-objects` reads from `input` (with `--revs`:
 * tips and `^excluded` lines; else object ids), never thin: every delta base is in the pack. Null when
 * the pack would be empty.
 */
export async function packObjects(input: string, options: RepoOptions & { readonly revs: boolean }): Promise<LocalPack | null> {
  const dir = await makeTempDir('git-remote-s3-pack-');
  try {
    const args = ['pack-objects', ...(options.revs ? ['--revs'] : []), '-q', '--delta-base-offset', join(dir, 'pack')];
    const { stdout } = await git(args, { input, ...repoGitOptions(options) });
    const hash = stdout.trim();
    const pack: LocalPack = {
      name: `pack-${hash}`,
      dir,
      packFile: join(dir, `pack-${hash}.pack`),
      idxFile: join(dir, `pack-${hash}.idx`),
    };
    // An empty pack is its 12-byte header and the trailing checksum.
    if ((await stat(pack.packFile)).size <= 12 + hash.length / 2) {
      await removeTempDir(dir);
      return null;
    }
    return pack;
  } catch (error) {
    await removeTempDir(dir);
    throw error;
  }
}

/** The objects reachable from `tips` that the remote's refs do not already reach. */
export async function packMissing(
  tips: readonly string[],
  remoteRefs: readonly RefRecord[],
  options: RepoOptions = {},
): Promise<LocalPack | null> {
  const remoteTips = [...new Set(remoteRefs.map((r) => r.sha))];
  const absent = await missingObjects(remoteTips, options);
  const exclude = remoteTips.filter((sha) => !absent.has(sha));
  return packObjects(`${tips.join('\n')}\n${exclude.map((s) => `^${s}`).join('\n')}\n`, { ...options, revs: true });
}

/**
 * What each id peels to, for the ids whose objects are here: an annotated tag → the object it peels to, any
 * other object → null; ids whose object is missing (or not in a repository at all) are left out (two git
 * calls in all).
 */
export async function objectPeels(shas: readonly string[], options: RepoOptions = {}): Promise<Map<string, string | null>> {
  const peels = new Map<string, string | null>();
  const unique = [...new Set(shas)];
  if (unique.length === 0) return peels;
  const batch = async (lines: readonly string[]) =>
    (
      await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { ...repoGitOptions(options), input: `${lines.join('\n')}\n` })
    ).stdout
      .trim()
      .split('\n');
  let checked: string[];
  try {
    checked = await batch(unique);
  } catch {
    return peels; // not in a repository: nothing is known
  }
  const tags: string[] = [];
  checked.forEach((line, i) => {
    const [sha, type] = line.split(' ');
    const asked = unique[i];
    if (!asked || sha !== asked || !type || type === 'missing') return;
    if (type === 'tag') tags.push(asked);
    else peels.set(asked, null);
  });
  if (tags.length === 0) return peels;
  (await batch(tags.map((t) => `${t}^{}`))).forEach((line, i) => {
    const target = line.split(' ')[0];
    const tag = tags[i];
    if (tag && target && isObjectId(target)) peels.set(tag, target);
  });
  return peels;
}

/** Annotated tags are listed with the object they peel to, as git update-server-info does. */
export async function peelTags(shas: readonly string[], options: RepoOptions = {}): Promise<Map<string, string>> {
  const peeled = new Map<string, string>();
  for (const [sha, target] of await objectPeels(shas, options)) if (target) peeled.set(sha, target);
  return peeled;
}

export interface ProtectedList {
  readonly refs: Set<string>;
  readonly etag: string | undefined;
}

export async function readProtectedRefs(remote: Remote): Promise<ProtectedList> {
  const key = protectedRefsKey(remote.url.prefix);
  const found = await remote.store.getText(key);
  return { refs: found ? parseProtectedRefs(found.text, where(remote, key)) : new Set(), etag: found?.etag };
}

/** Adds or removes a protected branch with a conditional write; false when nothing changed. */
export async function setProtected(remote: Remote, ref: string, protect: boolean): Promise<boolean> {
  const key = protectedRefsKey(remote.url.prefix);
  const written = await conditionalUpdate(remote.store, key, (text) => {
    const refs = text === undefined ? new Set<string>() : parseProtectedRefs(text, where(remote, key));
    if (refs.has(ref) === protect) return undefined;
    if (protect) refs.add(ref);
    else refs.delete(ref);
    return formatProtectedRefs(refs);
  });
  return written !== undefined;
}
