// Which packs of a remote this repository already holds, remembered under <git-dir>/s3-remote: a fetch skips
// them (a local repack never makes us download them again), and a push records the pack it made itself.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitDir, type RepoOptions } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';

export interface HeldPacks {
  /** The packs recorded as held when the record was opened. */
  readonly names: ReadonlySet<string>;
  /** Records one more pack as held. */
  remember(name: string): Promise<void>;
}

/** The record of the repository at `options` for `remote` (an absent record holds nothing). */
export async function openHeldPacks(remote: Remote, options: RepoOptions = {}): Promise<HeldPacks> {
  const record = await heldRecord(remote, options);
  const names = new Set((await readFile(record, 'utf8').catch(() => '')).split('\n').filter(Boolean));
  return { names, remember: (name) => appendFile(record, `${name}\n`) };
}

/**
 * Records packs this repository made itself (a push uploads what it packed from local objects), so a
 * later fetch neither downloads them nor their index.
 */
export async function recordHeldPacks(remote: Remote, names: readonly string[], options: RepoOptions = {}): Promise<void> {
  if (names.length > 0) await appendFile(await heldRecord(remote, options), names.map((n) => `${n}\n`).join(''));
}

/** Where this repository records the packs it took from this remote. */
async function heldRecord(remote: Remote, options: RepoOptions): Promise<string> {
  const id = createHash('sha256').update(`${remote.store.bucket}/${remote.url.prefix}`).digest('hex').slice(0, 16);
  const record = join(await gitDir(options), 's3-remote', `${id}.packs`);
  await mkdir(join(record, '..'), { recursive: true });
  return record;
}
