// Reads the object ids out of a pack index (git's `.idx`, version 2) as it streams in: a fetch asks the
// local repository about them to skip a pack it already has without downloading the pack. Pure; the
// index comes from the bucket, so every field is checked and a bad index is an error, never a guess.
import { CorruptObjectError } from '@git-remote-s3/core';

const MAGIC = Buffer.from([0xff, 0x74, 0x4f, 0x63]);
const HEADER_BYTES = 8 + 256 * 4;

/** Bytes of an object id in a pack named `pack-<checksum>`: the checksum uses the repository's hash. */
export function hashBytesOfPack(name: string): number {
  return name.length === 'pack-'.length + 64 ? 32 : 20;
}

/**
 * Yields the ids listed in an idx v2 stream, in the index's (sorted) order, and stops reading once the
 * last one is out: the offsets and checksums after them are never needed. `where` names the index in errors.
 */
export async function* indexObjectIds(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  hashBytes: number,
  where: string,
): AsyncGenerator<string> {
  const corrupt = (what: string) => new CorruptObjectError(where, what, 'delete the pack and its index, then push again');
  let pending: Buffer = Buffer.alloc(0);
  let count: number | undefined;
  let seen = 0;
  let previous: Buffer | undefined;
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (count === undefined) {
      if (pending.length < HEADER_BYTES) continue;
      count = objectCount(pending, corrupt);
      pending = pending.subarray(HEADER_BYTES);
    }
    let at = 0;
    for (; seen < count && at + hashBytes <= pending.length; at += hashBytes, seen++) {
      const id = pending.subarray(at, at + hashBytes);
      if (previous && Buffer.compare(previous, id) >= 0) throw corrupt(`object ${seen + 1} of the index is out of order`);
      previous = id;
      yield id.toString('hex');
    }
    // Copied, so that the chunk the ids came from is not kept alive by the remainder.
    pending = Buffer.from(pending.subarray(at));
    if (seen === count) return;
  }
  if (count === undefined) throw corrupt('the index is shorter than its header');
  if (seen < count) throw corrupt(`the index ends after ${seen} of its ${count} object ids`);
}

/** The number of objects an idx v2 header announces (the last fan-out entry), after checking the header. */
function objectCount(header: Buffer, corrupt: (what: string) => Error): number {
  if (!header.subarray(0, 4).equals(MAGIC) || header.readUInt32BE(4) !== 2) throw corrupt('not a version 2 pack index');
  let last = 0;
  for (let i = 0; i < 256; i++) {
    const total = header.readUInt32BE(8 + i * 4);
    if (total < last) throw corrupt('its fan-out table decreases');
    last = total;
  }
  return last;
}
