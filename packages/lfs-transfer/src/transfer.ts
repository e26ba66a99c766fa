// Moving one LFS object: upload skips what the bucket already has (a create-only PUT for small files, a
// HEAD before large ones), streams the file up
// (multipart with several parts in flight when large); download streams ranged GETs into a temporary file
// under <git-dir>/lfs/tmp while hashing, and hands it over only when its SHA-256 equals the oid.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CorruptObjectError,
  downloadObject,
  GitRemoteS3Error,
  isLfsOid,
  lfsKey,
  objectUrl,
  PreconditionFailedError,
  printable,
} from '@git-remote-s3/core';
import { onInterrupt } from '@git-remote-s3/core/interrupt';
import type { Remote } from '@git-remote-s3/core/remote';

export type ProgressReporter = (bytesSoFar: number) => void;

export interface UploadOutcome {
  readonly skipped: boolean;
}

/** The oid comes from git-lfs: one that is not an oid is refused before it can become a key. */
function checkOid(oid: string): void {
  if (!isLfsOid(oid)) {
    throw new GitRemoteS3Error('bad-key', `git-lfs sent an invalid oid '${printable(oid)}': an LFS oid is 64 lowercase hex characters`, {
      oid,
    });
  }
}

/**
 * Below this size a create-only PUT costs less than asking first: one request instead of HEAD + PUT, and a
 * 412 says the object is already there (then one HEAD checks its size).
 */
const CREATE_ONLY_BELOW = 1024 * 1024;

export async function uploadObject(
  remote: Remote,
  oid: string,
  size: number,
  path: string,
  report: ProgressReporter,
): Promise<UploadOutcome> {
  checkOid(oid);
  const key = lfsKey(remote.url.prefix, oid);
  if (size < CREATE_ONLY_BELOW) {
    try {
      await remote.store.put(key, await readFile(path), { ifNoneMatch: '*', contentType: 'application/octet-stream' });
      report(size);
      return { skipped: false };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  const existing = await remote.store.head(key);
  if (existing && existing.size === size) {
    report(size);
    return { skipped: true };
  }
  await remote.store.upload(key, createReadStream(path, { highWaterMark: 1024 * 1024 }), {
    contentType: 'application/octet-stream',
    onProgress: report,
  });
  report(size);
  return { skipped: false };
}

/** Downloads into `tmpDir` and returns the verified file's path; nothing is left behind on failure. */
export async function downloadObjectToFile(
  remote: Remote,
  oid: string,
  size: number,
  tmpDir: string,
  report: ProgressReporter,
): Promise<string> {
  checkOid(oid);
  const key = lfsKey(remote.url.prefix, oid);
  const where = objectUrl(remote.store.bucket, key);
  await mkdir(tmpDir, { recursive: true });
  const file = join(tmpDir, `${oid}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      report(bytes);
      done(null, chunk);
    },
  });
  // Until git-lfs takes the file over, an interrupted agent removes its partial download.
  const forget = onInterrupt(() => rmSync(file, { force: true }));
  try {
    const body = await downloadObject(remote.store, key, { size });
    await pipeline(body, tap, createWriteStream(file, { flags: 'wx' }));
    const digest = hash.digest('hex');
    const remedy = `upload it again from a clone that has it ('git lfs push --object-id <remote> ${oid}')`;
    if (bytes !== size) throw new CorruptObjectError(where, `it has ${bytes} bytes where git-lfs expects ${size}`, remedy);
    if (digest !== oid) throw new CorruptObjectError(where, `its SHA-256 is ${digest}, not the oid`, remedy);
    return file;
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  } finally {
    forget();
  }
}
