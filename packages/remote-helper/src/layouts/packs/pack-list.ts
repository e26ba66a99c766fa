// The packs in the bucket: a pack and its index uploaded before anything names them, and the pack list
// (objects/info/packs) that names them, replaced only by a conditional write.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  conditionalUpdate,
  createProgress,
  formatPackList,
  mapConcurrent,
  packKeys,
  packListKey,
  parsePackList,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { where } from './bucket-url.js';
import type { LocalPack } from './local-packs.js';

export interface PackList {
  readonly names: string[];
  readonly etag: string | undefined;
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
export async function uploadPack(remote: Remote, pack: LocalPack, progress: boolean, title = 'Uploading objects'): Promise<void> {
  const keys = packKeys(remote.url.prefix, pack.name);
  const files = { pack: pack.packFile, idx: pack.idxFile };
  const total = (await stat(files.pack)).size + (await stat(files.idx)).size;
  const meter = createProgress({ title, total, enabled: progress });
  const sent = { pack: 0, idx: 0 };
  await mapConcurrent(['pack', 'idx'] as const, 2, (kind) =>
    remote.store.upload(keys[kind], createReadStream(files[kind]), {
      contentType: 'application/octet-stream',
      onProgress: (n) => {
        sent[kind] = n;
        meter.update(sent.pack + sent.idx);
      },
    }),
  );
  meter.finish();
}
