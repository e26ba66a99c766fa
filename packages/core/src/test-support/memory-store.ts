// For unit tests of racing logic (never imported by production code): an in-memory ObjectStore with the S3
// semantics the code relies on, and switches that lose answers or make writes conflict the way a flaky store does.
// Conditional puts go through the production rule (own-write.ts), as S3Store's do.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { NetworkError, NotFoundError, PreconditionFailedError, S3RequestError } from '../errors.js';
import { writeRecognisingOwn } from '../own-write.js';
import { CONFLICT_RETRIES, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, MIN_PART_SIZE } from '../store/object-store.js';
import type { ListResult, ObjectBody, ObjectHead, ObjectInfo, ObjectStore, PutOptions, TransferTuning, UploadOptions } from '../store.js';

/**
 * How a write's answer is lost once the store has carried it out: `retried`, the SDK repeats the request and
 * the repeat is judged against our own write (a 412 for a conditional one); `500` or `reset`, every attempt's
 * answer is lost and the caller sees that failure.
 */
export type LostAnswer = 'retried' | '500' | 'reset';

export interface MemoryStoreOptions {
  readonly bucket?: string;
  /** As a store is opened with (default 16 MiB × 4): an upload larger than one part goes multipart. */
  readonly transfer?: Partial<TransferTuning>;
  /** Keys and common prefixes per ListObjectsV2 page (S3: 1000); a listing makes one request per page. */
  readonly pageSize?: number;
}

interface Stored {
  readonly bytes: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
  readonly metadata: Readonly<Record<string, string>>;
}

/** S3's answer to a batch of keys in one DeleteObjects request. */
const DELETE_BATCH = 1000;

/**
 * What S3 does, as far as the code relies on it: `If-None-Match: *` and `If-Match` judged against the current
 * ETag (412 when refused; an If-Match on a missing key is a 404, as on S3 and MinIO); ETag = quoted MD5 of the
 * bytes, or MD5-of-part-MD5s`-N` for a multipart upload; Last-Modified and the server's clock from `Date` (fake
 * timers move both); listings in pages of `pageSize` with common prefixes; ranged reads (416 past the end);
 * writes S3 answers 409 ConditionalRequestConflict, retried like S3Store then surfaced.
 */
export class MemoryStore implements ObjectStore {
  readonly bucket: string;
  readonly endpointLabel = 'memory://';
  readonly transfer: TransferTuning;
  /** Answers lost so far. */
  lostAnswers = 0;
  private readonly pageSize: number;
  private readonly objects = new Map<string, Stored>();
  private readonly counts: Record<string, number> = {};
  private readonly losing: LostAnswer[] = [];
  private readonly refusing: Error[] = [];
  private interlude: (() => void) | undefined;
  private failingReads = 0;
  private conflicting = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.bucket = options.bucket ?? 'memory';
    this.pageSize = options.pageSize ?? 1000;
    this.transfer = {
      partSize: Math.max(options.transfer?.partSize ?? DEFAULT_PART_SIZE, MIN_PART_SIZE),
      concurrency: options.transfer?.concurrency ?? DEFAULT_CONCURRENCY,
    };
  }

  /** Loses the answers of the next writes, one mode per write, in order. */
  loseAnswers(...modes: LostAnswer[]): void {
    this.losing.push(...modes);
  }

  /** Runs `step` once, right after the next write whose answer is lost landed (a rival acting meanwhile). */
  meanwhile(step: () => void): void {
    this.interlude = step;
  }

  /** Fails the next `count` reads of an object (a read-back after a lost answer then cannot tell). */
  failReads(count: number): void {
    this.failingReads = count;
  }

  /** Fails the next writes with `errors`, in order, without carrying them out. */
  failWrites(...errors: Error[]): void {
    this.refusing.push(...errors);
  }

  /**
   * Answers the next `count` conditional write attempts 409 ConditionalRequestConflict without carrying them
   * out, as S3 does while another conditional write of the key is in progress.
   */
  conflictNext(count: number): void {
    this.conflicting += count;
  }

  /** Writes `body` at `key` as another client would (no lost answers). */
  plant(key: string, body: string | Uint8Array, lastModified = new Date()): string {
    const bytes = Buffer.from(body);
    const etag = `"${md5(bytes).toString('hex')}"`;
    this.objects.set(key, { bytes, etag, lastModified, metadata: {} });
    return etag;
  }

  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  async get(key: string, range?: { readonly start: number; readonly end: number }, signal?: AbortSignal): Promise<ObjectBody> {
    signal?.throwIfAborted();
    const found = this.read(key, 'GetObject');
    let bytes = found.bytes;
    if (range) {
      if (range.start >= bytes.byteLength) {
        throw new S3RequestError('GetObject', this.bucket, key, 416, 'InvalidRange: The requested range is not satisfiable');
      }
      bytes = bytes.subarray(range.start, Math.min(range.end, bytes.byteLength - 1) + 1);
    }
    return { key, body: Readable.from([bytes]), size: bytes.byteLength, etag: found.etag, lastModified: found.lastModified };
  }

  async getText(key: string): Promise<{ text: string; etag: string } | undefined> {
    try {
      const found = this.read(key, 'GetObject');
      return { text: found.bytes.toString('utf8'), etag: found.etag };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    this.count('HeadObject');
    const found = this.objects.get(key);
    if (!found) return undefined;
    return {
      key,
      size: found.bytes.byteLength,
      etag: found.etag,
      lastModified: found.lastModified,
      metadata: found.metadata,
      serverTime: new Date(),
    };
  }

  async put(key: string, body: string | Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    const sent = Buffer.from(body);
    if (!options.ifNoneMatch && !options.ifMatch) return this.write(key, sent, options, () => {});
    let attempts = 1;
    return writeRecognisingOwn(
      () => this.write(key, sent, options, (n) => (attempts = n)),
      sent,
      async () => {
        const found = this.read(key, 'GetObject');
        return { bytes: found.bytes, etag: found.etag };
      },
      () => attempts,
    );
  }

  /** One PutObject when the body fits in one part, else a multipart upload whose condition is judged on completion. */
  async upload(key: string, body: Readable, options: UploadOptions = {}): Promise<{ etag: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) {
      options.signal?.throwIfAborted();
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    const bytes = Buffer.concat(chunks);
    const { partSize } = this.transfer;
    if (bytes.byteLength <= partSize) {
      const stored = await this.put(key, bytes, options);
      options.onProgress?.(bytes.byteLength);
      return stored;
    }
    this.count('CreateMultipartUpload');
    const partDigests: Buffer[] = [];
    for (let offset = 0; offset < bytes.byteLength; offset += partSize) {
      this.count('UploadPart');
      partDigests.push(md5(bytes.subarray(offset, offset + partSize)));
      options.onProgress?.(Math.min(bytes.byteLength, offset + partSize));
    }
    this.count('CompleteMultipartUpload');
    if (options.ifNoneMatch && this.objects.has(key)) {
      throw new PreconditionFailedError(this.bucket, key, 'If-None-Match: *');
    }
    const etag = `"${md5(Buffer.concat(partDigests)).toString('hex')}-${partDigests.length}"`;
    this.objects.set(key, { bytes, etag, lastModified: new Date(), metadata: { ...options.metadata } });
    return { etag };
  }

  async list(prefix: string, delimiter?: string): Promise<ListResult> {
    // S3 pages over keys and common prefixes together, in key order, `pageSize` entries a page.
    const entries: ({ readonly object: ObjectInfo } | { readonly prefix: string })[] = [];
    let lastPrefix: string | undefined;
    for (const key of this.keys()) {
      if (!key.startsWith(prefix)) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (delimiter && cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        if (common !== lastPrefix) entries.push({ prefix: common });
        lastPrefix = common;
      } else {
        const found = this.objects.get(key) as Stored;
        entries.push({ object: { key, size: found.bytes.byteLength, etag: found.etag, lastModified: found.lastModified } });
      }
    }
    const objects: ObjectInfo[] = [];
    const commonPrefixes: string[] = [];
    const serverTime = new Date();
    let next = 0;
    do {
      this.count('ListObjectsV2');
      for (const entry of entries.slice(next, next + this.pageSize)) {
        if ('object' in entry) objects.push(entry.object);
        else commonPrefixes.push(entry.prefix);
      }
      next += this.pageSize; // the continuation token: where the next page starts
    } while (next < entries.length);
    return { objects, commonPrefixes, serverTime };
  }

  async delete(key: string): Promise<void> {
    this.count('DeleteObject');
    this.objects.delete(key);
  }

  /** One key: a plain DELETE; more: DeleteObjects in batches of 1000, as S3Store sends them. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 1) return this.delete(keys[0] as string);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      this.count('DeleteObjects');
      for (const key of keys.slice(i, i + DELETE_BATCH)) this.objects.delete(key);
    }
  }

  requestCounts(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  close(): void {}

  /** One PutObject as the SDK makes it: the store judges the condition, then the answer may be lost. */
  private async write(key: string, sent: Buffer, options: PutOptions, onAttempts: (n: number) => void): Promise<{ etag: string }> {
    this.count('PutObject');
    const refused = this.refusing.shift();
    if (refused) throw refused;
    if (options.ifNoneMatch || options.ifMatch) this.meetConflicts(key);
    const etag = this.apply(key, sent, options);
    const lost = this.losing.shift();
    if (!lost) return { etag };
    this.lostAnswers++;
    const step = this.interlude;
    this.interlude = undefined;
    step?.();
    if (lost === 'retried') {
      onAttempts(2);
      this.count('PutObject');
      return { etag: this.apply(key, sent, options) };
    }
    onAttempts(4);
    throw lost === '500'
      ? new S3RequestError('PutObject', this.bucket, key, 500, 'InternalError')
      : new NetworkError(this.endpointLabel, 'ECONNRESET');
  }

  /** 409s S3 answers a conditional write: S3Store repeats it up to CONFLICT_RETRIES times, then reports it. */
  private meetConflicts(key: string): void {
    for (let attempt = 0; this.conflicting > 0; attempt++) {
      this.conflicting--;
      if (attempt >= CONFLICT_RETRIES) {
        throw new S3RequestError(
          'PutObject',
          this.bucket,
          key,
          409,
          'ConditionalRequestConflict: A conflicting conditional operation is currently in progress against this resource.',
        );
      }
      this.count('PutObject');
    }
  }

  private apply(key: string, sent: Buffer, options: PutOptions): string {
    const current = this.objects.get(key);
    const condition = options.ifNoneMatch ? 'If-None-Match: *' : `If-Match: ${options.ifMatch}`;
    if (options.ifNoneMatch && current) throw new PreconditionFailedError(this.bucket, key, condition);
    if (options.ifMatch && !current) throw new NotFoundError(this.bucket, key);
    if (options.ifMatch && current?.etag !== options.ifMatch) throw new PreconditionFailedError(this.bucket, key, condition);
    const etag = this.plant(key, sent);
    if (options.metadata) this.objects.set(key, { ...(this.objects.get(key) as Stored), metadata: { ...options.metadata } });
    return etag;
  }

  private read(key: string, operation: string): Stored {
    this.count(operation);
    if (this.failingReads > 0) {
      this.failingReads--;
      throw new NetworkError(this.endpointLabel, 'ECONNRESET');
    }
    const found = this.objects.get(key);
    if (!found) throw new NotFoundError(this.bucket, key);
    return found;
  }

  private count(operation: string): void {
    this.counts[operation] = (this.counts[operation] ?? 0) + 1;
  }
}

function md5(bytes: Uint8Array): Buffer {
  return createHash('md5').update(bytes).digest();
}
