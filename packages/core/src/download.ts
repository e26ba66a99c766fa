// Streams one object: a single GET when small, ranged GETs in parallel when large, always delivered in
// order. Memory bound: at most the store's `concurrency` parts of `partSize` bytes are held at once.
import { Readable } from 'node:stream';
import { CorruptObjectError } from './errors.js';
import type { ObjectStore } from './store.js';
import { objectUrl } from './url.js';

export interface DownloadOptions {
  /** The object's size, when known (from a listing or HEAD); enables parallel ranges. */
  readonly size?: number;
  /** Downloads running side by side that share the store's transfer concurrency between them (default 1). */
  readonly sharedBy?: number;
  readonly onProgress?: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

export async function downloadObject(store: ObjectStore, key: string, options: DownloadOptions): Promise<Readable> {
  const { size } = options;
  const { partSize } = store.transfer;
  const concurrency = Math.max(1, Math.floor(store.transfer.concurrency / (options.sharedBy ?? 1)));
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
  // Each part is copied into one buffer of its exact size as it arrives: downstream gets few large
  // buffers (far cheaper to stream than many small chunks), and no part is ever held twice.
  const fetchPart = async (index: number): Promise<Buffer> => {
    const start = index * partSize;
    const end = Math.min(size, start + partSize) - 1;
    const { body } = await store.get(key, { start, end }, options.signal);
    const part = Buffer.allocUnsafe(end - start + 1);
    let offset = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (offset + chunk.length > part.length) break;
      chunk.copy(part, offset);
      offset += chunk.length;
    }
    if (offset !== part.length) {
      throw new CorruptObjectError(
        objectUrl(store.bucket, key),
        `range ${start}-${end} returned another length than asked (the object changed or is truncated)`,
      );
    }
    return part;
  };
  const window: Promise<Buffer>[] = [];
  let requested = 0;
  let delivered = 0;
  try {
    while (delivered < parts) {
      while (requested < parts && window.length < concurrency) window.push(fetchPart(requested++));
      const part = await (window.shift() as Promise<Buffer>);
      delivered++;
      options.onProgress?.(Math.min(size, delivered * partSize));
      yield part;
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
