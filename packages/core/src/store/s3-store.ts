// The object-store operations on S3: reads (whole or ranged), conditional and streamed multipart writes that
// recognise their own landed write, paginated listings, deletes; retries S3's 409s and follows the bucket's region.
import { PassThrough, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { mapConcurrent } from '../concurrency.js';
import { NotFoundError, S3RequestError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { isOwnUpload, mayHaveLanded, type StoredBytes, writeRecognisingOwn } from '../own-write.js';
import { refusesMultiDelete } from '../store-quirks.js';
import type { S3Connection, StoreOptions } from './client.js';
import {
  CONFLICT_RETRIES,
  DEFAULT_CONCURRENCY,
  DEFAULT_PART_SIZE,
  type ListResult,
  MIN_PART_SIZE,
  type ObjectBody,
  type ObjectHead,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type TransferTuning,
  type UploadOptions,
} from './object-store.js';
import { describeAnswer, isConditionalConflict, mapS3Error } from './s3-errors.js';

export class S3Store implements ObjectStore {
  readonly bucket: string;
  readonly endpointLabel: string;
  readonly transfer: TransferTuning;
  /** Set once the store refused a multi-object delete: single deletes from then on. */
  private singleDeletesOnly = false;

  constructor(
    private readonly connection: S3Connection,
    private readonly options: StoreOptions,
  ) {
    this.bucket = options.bucket;
    this.endpointLabel = connection.endpointLabel;
    this.transfer = {
      partSize: Math.max(options.transfer?.partSize ?? DEFAULT_PART_SIZE, MIN_PART_SIZE),
      concurrency: options.transfer?.concurrency ?? DEFAULT_CONCURRENCY,
    };
  }

  async get(key: string, range?: { start: number; end: number }, signal?: AbortSignal): Promise<ObjectBody> {
    const out = await this.send('GetObject', key, () =>
      this.connection.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
        { abortSignal: signal },
      ),
    );
    if (!out.Body) throw new S3RequestError('GetObject', this.bucket, key, undefined, 'the response had no body');
    return {
      key,
      body: this.mappedBody(out.Body as Readable, key),
      size: out.ContentLength ?? 0,
      etag: out.ETag ?? '',
      lastModified: out.LastModified ?? new Date(0),
    };
  }

  async getText(key: string): Promise<{ text: string; etag: string } | undefined> {
    try {
      // The body is read inside `send`: a connection lost while it streams is mapped like any failure.
      return await this.send('GetObject', key, async () => {
        const out = await this.connection.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return { text: (await out.Body?.transformToString('utf8')) ?? '', etag: out.ETag ?? '' };
      });
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const out = await this.send('HeadObject', key, () =>
        this.connection.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      const serverTime = (out as { $serverTime?: string }).$serverTime;
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        metadata: out.Metadata ?? {},
        serverTime: serverTime ? new Date(serverTime) : new Date(),
      };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async put(key: string, body: string | Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    if (options.ifNoneMatch || options.ifMatch) return this.putConditional(key, body, options);
    return this.putOnce(key, body, options);
  }

  async upload(key: string, body: Readable, options: UploadOptions = {}): Promise<{ etag: string }> {
    // A stream cannot be sent twice: learn the bucket's region before its first byte goes out, holding a
    // flowing stream meanwhile (its bytes would otherwise pass before the upload reads them).
    if (this.connection.region.unsettled) {
      body.pause();
      await this.connection.region.settle(key);
    }
    const upload = new Upload({
      client: this.connection.client,
      params: {
        ...this.writeParams(key, options),
        Body: body,
        ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      },
      partSize: this.transfer.partSize,
      queueSize: this.transfer.concurrency,
      leavePartsOnError: false,
      ...(options.signal ? { abortController: abortControllerFor(options.signal) } : {}),
    });
    let sent = 0;
    upload.on('httpUploadProgress', (p) => {
      sent = Math.max(sent, p.loaded ?? 0);
      options.onProgress?.(p.loaded ?? 0);
    });
    const started = Date.now();
    // An interrupted process aborts its multipart upload, so the store drops the parts sent so far.
    const forget = onInterrupt(async () => {
      await upload.abort();
      if (upload.uploadId) {
        const abort = new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: upload.uploadId });
        await this.connection.client.send(abort).catch(() => undefined); // the SDK may have aborted it already
      }
    });
    try {
      const condition = options.ifNoneMatch ? 'If-None-Match: *' : '';
      const out = await this.send('Upload', key, () => upload.done(), condition, { replayable: false });
      return { etag: ('ETag' in out ? out.ETag : undefined) ?? '' };
    } catch (error) {
      return this.confirmUploadLanded(key, error, sent, Date.now() - started);
    } finally {
      forget();
    }
  }

  /**
   * An upload that failed in a way that may hide its own completion (DESIGN §11, own-write.ts): success with
   * the stored ETag when the key holds an object of the size sent, written since the upload began; else the
   * upload's failure.
   */
  private async confirmUploadLanded(key: string, error: unknown, sent: number, elapsedMs: number): Promise<{ etag: string }> {
    if (!(error instanceof NotFoundError) && !mayHaveLanded(error, 2)) throw error;
    const found = await this.head(key).catch(() => undefined);
    if (!found || !isOwnUpload(error, found, sent, elapsedMs)) throw error;
    return { etag: found.etag };
  }

  async list(prefix: string, delimiter?: string): Promise<ListResult> {
    const objects: ObjectInfo[] = [];
    const commonPrefixes: string[] = [];
    let serverTime: Date | undefined;
    let token: string | undefined;
    do {
      const out = await this.send('ListObjectsV2', prefix, () =>
        this.connection.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(delimiter ? { Delimiter: delimiter } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const o of out.Contents ?? []) {
        if (o.Key === undefined) continue;
        objects.push({
          key: o.Key,
          size: o.Size ?? 0,
          etag: o.ETag ?? '',
          lastModified: o.LastModified ?? new Date(0),
        });
      }
      for (const p of out.CommonPrefixes ?? []) if (p.Prefix) commonPrefixes.push(p.Prefix);
      const date = (out as { $serverTime?: string }).$serverTime;
      serverTime ??= date ? new Date(date) : new Date();
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return { objects, commonPrefixes, serverTime: serverTime ?? new Date() };
  }

  async delete(key: string): Promise<void> {
    await this.send('DeleteObject', key, () => this.connection.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    // One key: a plain DELETE, which every S3-compatible store supports (not all offer DeleteObjects).
    if (keys.length === 1) return this.delete(keys[0] as string);
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      if (this.singleDeletesOnly || !(await this.deleteBatch(batch))) {
        await mapConcurrent(batch, SINGLE_DELETE_CONCURRENCY, (key) => this.delete(key));
      }
    }
  }

  /**
   * One DeleteObjects call; false when the store refuses multi-object delete (wants a Content-MD5 it did not
   * get, or lacks the call): the caller then deletes one key at a time, and so does every later call.
   */
  private async deleteBatch(batch: readonly string[]): Promise<boolean> {
    let out: DeleteObjectsCommandOutput;
    try {
      out = await this.send(
        'DeleteObjects',
        batch[0] ?? '',
        () =>
          this.connection.client.send(
            new DeleteObjectsCommand({
              Bucket: this.bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            }),
          ),
        '',
        { unmapped: refusesMultiDelete },
      );
    } catch (error) {
      if (!refusesMultiDelete(error)) throw error;
      this.singleDeletesOnly = true;
      this.options.onNotice?.(`${this.endpointLabel} refused a multi-object delete (${describeAnswer(error)}): deleting one key at a time`);
      return false;
    }
    const failed = out.Errors?.[0];
    if (failed) {
      throw mapS3Error(
        Object.assign(new Error(failed.Message ?? 'delete failed'), {
          name: failed.Code ?? 'DeleteFailed',
        }),
        {
          operation: 'DeleteObject',
          bucket: this.bucket,
          key: failed.Key,
          profile: this.options.profile,
          ...(this.options.credentialHint ? { credentialHint: this.options.credentialHint } : {}),
          endpoint: this.endpointLabel,
        },
      );
    }
    return true;
  }

  requestCounts(): Readonly<Record<string, number>> {
    return this.connection.requestCounts();
  }

  close(): void {
    this.connection.close();
  }

  /** One PutObject (the SDK retrying it); `onAttempts` hears how many HTTP attempts a failed one made. */
  private async putOnce(
    key: string,
    body: string | Uint8Array,
    options: PutOptions,
    onAttempts: (attempts: number) => void = () => {},
  ): Promise<{ etag: string }> {
    const condition = options.ifNoneMatch ? 'If-None-Match: *' : options.ifMatch ? `If-Match: ${options.ifMatch}` : '';
    const input: PutObjectCommandInput = {
      ...this.writeParams(key, options),
      Body: body,
      // Stated explicitly: the SDK cannot tell the length of an empty body and warns about it.
      ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      ...(options.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
      ...(options.ifMatch ? { IfMatch: options.ifMatch } : {}),
    };
    const out = await this.send(
      'PutObject',
      key,
      () =>
        this.connection.client
          .send(new PutObjectCommand(input), {
            abortSignal: options.signal,
          })
          .catch((error: unknown) => {
            onAttempts((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1);
            throw error;
          }),
      condition,
    );
    return { etag: out.ETag ?? '' };
  }

  /**
   * A conditional put that recognises its own landed write after a lost answer (DESIGN §11, own-write.ts):
   * a 5xx, a reset, or a 412 met by the SDK's retry is checked against the bytes the key now holds.
   */
  private async putConditional(key: string, body: string | Uint8Array, options: PutOptions): Promise<{ etag: string }> {
    const sent = typeof body === 'string' ? Buffer.from(body) : body;
    let attempts = 1;
    return writeRecognisingOwn(
      () => this.putOnce(key, body, options, (n) => (attempts = n)),
      sent,
      () => this.readBytes(key, sent.byteLength),
      () => attempts,
      `conditional write of ${key}`,
    );
  }

  /** The key's bytes and ETag, or undefined when it is missing or not `length` bytes long (then not ours). */
  private async readBytes(key: string, length: number): Promise<StoredBytes | undefined> {
    let out: Awaited<ReturnType<S3Store['get']>>;
    try {
      out = await this.get(key);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    if (out.size !== length) {
      out.body.destroy();
      return undefined;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of out.body) chunks.push(Buffer.from(chunk as Uint8Array));
    return { bytes: Buffer.concat(chunks), etag: out.etag };
  }

  /**
   * The body as a stream whose errors are ours: a connection lost or reset while it streams (after the
   * SDK's answer) is a NetworkError naming the endpoint, not a raw socket error.
   */
  private mappedBody(body: Readable, key: string): Readable {
    const mapped = new PassThrough({ highWaterMark: body.readableHighWaterMark });
    body.on('error', (error) =>
      mapped.destroy(
        mapS3Error(error, {
          operation: 'GetObject',
          bucket: this.bucket,
          key,
          profile: this.options.profile,
          ...(this.options.credentialHint ? { credentialHint: this.options.credentialHint } : {}),
          endpoint: this.endpointLabel,
        }),
      ),
    );
    mapped.on('close', () => body.destroy());
    return body.pipe(mapped);
  }

  private writeParams(key: string, options: PutOptions) {
    const sse = this.options.sse;
    return {
      Bucket: this.bucket,
      Key: key,
      ...(options.contentType ? { ContentType: options.contentType } : {}),
      ...(options.contentDisposition ? { ContentDisposition: options.contentDisposition } : {}),
      ...(options.metadata ? { Metadata: { ...options.metadata } } : {}),
      ...(this.options.acl ? { ACL: this.options.acl } : {}),
      ...(sse ? { ServerSideEncryption: sse.algorithm } : {}),
      ...(sse?.algorithm === 'aws:kms' && sse.kmsKeyId ? { SSEKMSKeyId: sse.kmsKeyId } : {}),
    };
  }

  /**
   * Runs one SDK call, retrying S3's 409 ConditionalRequestConflict and, once, a call the store refused for
   * its region (in the region it named), and maps failures to our errors.
   */
  private async send<T>(operation: string, key: string, call: () => Promise<T>, condition = '', how: SendOptions = {}): Promise<T> {
    let regionFollowed = false;
    for (let attempt = 0; ; attempt++) {
      const signedFor = this.connection.region.region;
      try {
        const result = await call();
        this.connection.region.adoptHinted();
        return result;
      } catch (error) {
        if (!regionFollowed && (await this.connection.region.follow(error, signedFor, key)) && how.replayable !== false) {
          regionFollowed = true;
          continue;
        }
        if (isConditionalConflict(error) && attempt < CONFLICT_RETRIES) {
          await sleep(50 * 2 ** attempt + Math.random() * 50);
          continue;
        }
        if (how.unmapped?.(error)) throw error;
        throw mapS3Error(error, {
          operation,
          bucket: this.bucket,
          key,
          profile: this.options.profile,
          ...(this.options.credentialHint ? { credentialHint: this.options.credentialHint } : {}),
          endpoint: this.endpointLabel,
          condition,
        });
      }
    }
  }
}

interface SendOptions {
  /** False when the call's body is a stream already read: a region switch then serves later calls only. */
  readonly replayable?: boolean;
  /** Failures the caller handles itself, rethrown as the SDK raised them. */
  readonly unmapped?: (error: unknown) => boolean;
}

/** At most this many single DELETEs in flight where a store refuses multi-object delete. */
const SINGLE_DELETE_CONCURRENCY = 8;

function abortControllerFor(signal: AbortSignal): AbortController {
  const controller = new AbortController();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
