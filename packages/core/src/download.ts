// Streams one object: a single GET when small, ranged GETs in parallel when large, always delivered in
// order. Memory bound: at most `concurrency` parts of `partSize` bytes are held at once.
import { Readable } from 'node:stream';
import { CorruptObjectError } from './errors.js';
import type { ObjectStore } from './store.js';
import { objectUrl } from './url.js';

export interface DownloadOptions {
  /** The object's size, when known (from a listing or HEAD); enables parallel ranges. */
  readonly size?: number;
  readonly partSize: number;
  readonly concurrency: number;
  readonly onProgress?: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

export async function downloadObject(store: ObjectStore, key: string, options: DownloadOptions): Promise<Readable> {
  const { size, partSize, concurrency } = options;
  if (size === undefined || size <= partSize || concurrency <= 1) {
    const { body } = await store.get(key, undefined, options.signal);
    return counted(body, options.onProgress);
  }
  return Readable.from(rangedParts(store, key, size, partSize, concurrency, options), { objectMode: false });
}

async function* rangedParts(
  store: ObjectStore,
  key: string,
  size: number,
  partSize: number,
  concurrency: number,
  options: DownloadOptions,
): AsyncGenerator<Buffer> {
  const parts = Math.ceil(size / partSize);
  const fetchPart = async (index: number): Promise<Buffer> => {
    const start = index * partSize;
    const end = Math.min(size, start + partSize) - 1;
    const { body } = await store.get(key, { start, end }, options.signal);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    if (data.length !== end - start + 1) {
      throw new CorruptObjectError(
        objectUrl(store.bucket, key),
        `range ${start}-${end} returned ${data.length} bytes (the object changed or is truncated)`,
      );
    }
    return data;
  };
  const window: Promise<Buffer>[] = [];
  let requested = 0;
  let delivered = 0;
  try {
    while (delivered < parts) {
      while (requested < parts && window.length < concurrency) window.push(fetchPart(requested++));
      const data = await (window.shift() as Promise<Buffer>);
      delivered++;
      options.onProgress?.(Math.min(size, delivered * partSize));
      yield data;
    }
  } finally {
    // A consumer that stops early must not leave rejections unobserved.
    for (const pending of window) pending.catch(() => {});
  }
}

function counted(body: Readable, onProgress: ((bytes: number) => void) | undefined): Readable {
  if (!onProgress) return body;
  let seen = 0;
  body.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    onProgress(seen);
  });
  return body;
}
