// The local git side of the packs layout: packs made by `git pack-objects` in a temporary directory (what
// a push or gc uploads), and what annotated tags peel to. Nothing here touches the bucket.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  git,
  isObjectId,
  makeTempDir,
  missingObjects,
  type RefRecord,
  type RepoOptions,
  removeTempDir,
  repoGitOptions,
} from '@git-remote-s3/core';

/** A pack and its index in a local temporary directory; `disposePack` removes them. */
export interface LocalPack {
  readonly name: string;
  readonly dir: string;
  readonly packFile: string;
  readonly idxFile: string;
}

/** Removes a local pack's temporary directory. */
export async function disposePack(pack: LocalPack | null | undefined): Promise<void> {
  if (pack) await removeTempDir(pack.dir);
}

/** How to pack: `revs` reads tips and `^excluded` lines, else object ids; `progress` shows git's own meters. */
export interface PackOptions extends RepoOptions {
  readonly revs: boolean;
  readonly progress?: boolean;
}

/**
 * Packs, into a temporary directory, the objects `git pack-objects` reads from `input`, never thin: every
 * delta base is in the pack. Null when the pack would be empty. With `progress`, pack-objects prints its
 * counting, compressing and writing meters as in `git push`.
 */
export async function packObjects(input: string, options: PackOptions): Promise<LocalPack | null> {
  const dir = await makeTempDir('git-remote-s3-pack-');
  try {
    const quiet = options.progress ? '--progress' : '-q';
    const args = ['pack-objects', ...(options.revs ? ['--revs'] : []), quiet, '--delta-base-offset', join(dir, 'pack')];
    const { stdout } = await git(args, { input, ...repoGitOptions(options), stderr: options.progress ? 'inherit' : 'capture' });
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
  options: RepoOptions & { readonly progress?: boolean } = {},
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
