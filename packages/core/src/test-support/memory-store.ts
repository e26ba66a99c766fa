// For unit tests of racing logic: an in-memory ObjectStore with S3's conditional-write semantics (If-None-Match:
// *, If-Match on the ETag, ETag = MD5 of the bytes) and switches that lose the answers of the next writes the
// way a flaky store does, after carrying them out. Conditional puts go through the production rule (own-write.ts).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { NetworkError, NotFoundError, PreconditionFailedError, S3RequestError } from '../errors.js';
import { writeRecognisingOwn } from '../own-write.js';
import { DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE } from '../store/object-store.js';
import type { ListResult, ObjectBody, ObjectHead, ObjectStore, PutOptions, TransferTuning, UploadOptions } from '../store.js';

/**
 * How a write's answer is lost once the store has carried it out: `retried`, the SDK repeats the request and
 * the repeat is judged against our own write (a 412 for a conditional one); `500` or `reset`, every attempt's
 * answer is lost and the caller sees that failure.
 */
export type LostAnswer = 'retried' | '500' | 'reset';

interface Stored {
  readonly bytes: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
}

export class MemoryStore implements ObjectStore {
  readonly bucket = 'memory';
  readonly endpointLabel = 'memory://';
  readonly transfer: TransferTuning = { partSize: DEFAULT_PART_SIZE, concurrency: DEFAULT_CONCURRENCY };
  /** Answers lost so far. */
  lostAnswers = 0;
  private readonly objects = new Map<string, Stored>();
  private readonly counts: Record<string, number> = {};
  private readonly losing: LostAnswer[] = [];
  private readonly refusing: Error[] = [];
  private interlude: (() => void) | undefined;
  private failingReads = 0;

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

  /** Writes `body` at `key` as another client would (no lost answers). */
  plant(key: string, body: string | Uint8Array, lastModified = new Date()): string {
    const bytes = Buffer.from(body);
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    this.objects.set(key, { bytes, etag, lastModified });
    return etag;
  }

  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  async get(key: string): Promise<ObjectBody> {
    const found = this.read(key, 'GetObject');
    return { key, body: Readable.from([found.bytes]), size: found.bytes.byteLength, etag: found.etag, lastModified: found.lastModified };
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
      metadata: {},
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

  async upload(key: string, body: Readable, options: UploadOptions = {}): Promise<{ etag: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return this.put(key, Buffer.concat(chunks), options);
  }

  async list(prefix: string, delimiter?: string): Promise<ListResult> {
    this.count('ListObjectsV2');
    const objects = [];
    const commonPrefixes = new Set<string>();
    for (const key of this.keys()) {
      if (!key.startsWith(prefix)) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (delimiter && cut >= 0) commonPrefixes.add(key.slice(0, cut + delimiter.length));
      else {
        const found = this.objects.get(key) as Stored;
        objects.push({ key, size: found.bytes.byteLength, etag: found.etag, lastModified: found.lastModified });
      }
    }
    return { objects, commonPrefixes: [...commonPrefixes], serverTime: new Date() };
  }

  async delete(key: string): Promise<void> {
    this.count('DeleteObject');
    this.objects.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.delete(key);
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

  private apply(key: string, sent: Buffer, options: PutOptions): string {
    const current = this.objects.get(key);
    const condition = options.ifNoneMatch ? 'If-None-Match: *' : `If-Match: ${options.ifMatch}`;
    if (options.ifNoneMatch && current) throw new PreconditionFailedError(this.bucket, key, condition);
    if (options.ifMatch && !current) throw new NotFoundError(this.bucket, key);
    if (options.ifMatch && current?.etag !== options.ifMatch) throw new PreconditionFailedError(this.bucket, key, condition);
    return this.plant(key, sent);
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
