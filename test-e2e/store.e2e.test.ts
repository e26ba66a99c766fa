// The object store against the real S3 server: conditional writes, streamed multipart round trips,
// listing, deletion and request counting.
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openStore, PreconditionFailedError } from '@git-remote-s3/core';
import { test } from '@git-remote-s3/test-harness/context';
import { describe, expect } from 'vitest';

/** Deterministic pseudo-random bytes, generated as they are read (never held whole). */
function pseudoRandomStream(size: number, seed: string): Readable {
  let produced = 0;
  let block = createHash('sha256').update(seed).digest();
  return new Readable({
    read() {
      if (produced >= size) return this.push(null);
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, size - produced));
      for (let i = 0; i < chunk.length; i += 32) {
        block = createHash('sha256').update(block).digest();
        block.copy(chunk, i, 0, Math.min(32, chunk.length - i));
      }
      produced += chunk.length;
      this.push(chunk);
    },
  });
}

describe('object store on a real S3 server', () => {
  test('create-only put refuses an existing key and leaves it unchanged', async ({ world }) => {
    await world.store.put('repo/x', 'first', { ifNoneMatch: '*' });
    await expect(world.store.put('repo/x', 'second', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await world.store.getText('repo/x'))?.text).toBe('first');
  });

  test('replace with If-Match succeeds on the current ETag only', async ({ world }) => {
    const first = await world.store.put('repo/y', 'one');
    const second = await world.store.put('repo/y', 'two', { ifMatch: first.etag });
    await expect(world.store.put('repo/y', 'three', { ifMatch: first.etag })).rejects.toThrow(
      /conditional write of s3:\/\/.*\/repo\/y refused/,
    );
    expect(second.etag).not.toBe(first.etag);
    expect((await world.store.getText('repo/y'))?.text).toBe('two');
  });

  test('a 50 MiB streamed multipart upload reads back with the same SHA-256', async ({ world }) => {
    const size = 50 * 1024 * 1024;
    const sent = createHash('sha256');
    const tee = new PassThrough();
    tee.on('data', (c: Buffer) => sent.update(c));
    const source = pseudoRandomStream(size, 'fifty');
    source.pipe(tee);
    let progress = 0;
    // Transfer tuning is given when a store opens: this one sends 8 MiB parts, 4 in flight.
    const tuned = await openStore({
      bucket: world.bucket,
      endpoint: world.server.endpoint,
      credentials: { accessKeyId: world.server.accessKeyId, secretAccessKey: world.server.secretAccessKey },
      env: {},
      transfer: { partSize: 8 * 1024 * 1024, concurrency: 4 },
    });
    await tuned.upload('repo/big.bin', tee, { onProgress: (n) => (progress = n) }).finally(() => tuned.close());
    const counts = tuned.requestCounts();
    expect(counts.CreateMultipartUpload).toBe(1);
    expect(counts.UploadPart).toBe(7);
    expect(counts.CompleteMultipartUpload).toBe(1);
    expect(progress).toBe(size);

    const head = await world.store.head('repo/big.bin');
    expect(head?.size).toBe(size);
    const received = createHash('sha256');
    const { body } = await world.store.get('repo/big.bin');
    await pipeline(body, async (chunks: AsyncIterable<Buffer>) => {
      for await (const c of chunks) received.update(c);
    });
    expect(received.digest('hex')).toBe(sent.digest('hex'));
  });

  test('ranged get returns exactly the requested bytes', async ({ world }) => {
    await world.store.put('repo/r', '0123456789');
    const { body, size } = await world.store.get('repo/r', { start: 3, end: 6 });
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('3456');
    expect(size).toBe(4);
  });

  test('list pages through more than one page and splits common prefixes with a delimiter', async ({ world }) => {
    const keys = Array.from({ length: 1005 }, (_, i) => `repo/refs/heads/b${String(i).padStart(4, '0')}/x`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => world.store.put(k, '')));
    await world.store.put('repo/refs/heads/a/y', '');
    const all = await world.store.list('repo/refs/');
    expect(all.objects).toHaveLength(1006);
    expect(world.store.requestCounts().ListObjectsV2).toBe(2);
    const dirs = await world.store.list('repo/refs/heads/', '/');
    expect(dirs.commonPrefixes).toHaveLength(1006);
    expect(dirs.commonPrefixes[0]).toBe('repo/refs/heads/a/');
    await world.store.deleteMany(all.objects.map((o) => o.key));
    expect((await world.store.list('repo/')).objects).toHaveLength(0);
  });

  test('head and getText of a missing key say it is absent', async ({ world }) => {
    expect(await world.store.head('repo/none')).toBeUndefined();
    expect(await world.store.getText('repo/none')).toBeUndefined();
  });
});
