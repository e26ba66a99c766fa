// The object store: the only module that imports the AWS SDK. Builds the S3 client (credentials, endpoint,
// region, addressing), offers the few operations the layouts need, counts and logs every request, and is
// the one place where S3 failures become our typed errors.
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
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { mapConcurrent } from './concurrency.js';
import { DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE } from './config.js';
import {
  AccessDeniedError,
  asExpected,
  GitRemoteS3Error,
  NetworkError,
  NoCredentialsError,
  NoSuchBucketError,
  NotFoundError,
  PreconditionFailedError,
  S3RequestError,
} from './errors.js';
import { onInterrupt } from './interrupt.js';
import { isOwnUpload, mayHaveLanded, type StoredBytes, writeRecognisingOwn } from './own-write.js';
import { RegionFollower } from './region-follower.js';
import { addContentMd5, refusesMultiDelete } from './store-quirks.js';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
}

export interface ObjectHead extends ObjectInfo {
  readonly metadata: Readonly<Record<string, string>>;
  /** The server's clock when it answered (its Date header): ages are computed on the server's clock. */
  readonly serverTime: Date;
}

export interface ObjectBody extends ObjectInfo {
  readonly body: Readable;
}

export interface PutOptions {
  /** `'*'`: create only, fail with PreconditionFailedError when the key exists. */
  readonly ifNoneMatch?: '*';
  /** Replace only the version with this ETag. */
  readonly ifMatch?: string;
  readonly contentType?: string;
  readonly contentDisposition?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface UploadOptions extends Omit<PutOptions, 'ifMatch'> {
  /** Bytes per part (min 5 MiB). Memory bound of one upload: partSize × concurrency. */
  readonly partSize?: number;
  /** Parts in flight at once. */
  readonly concurrency?: number;
  readonly onProgress?: (bytesSent: number) => void;
}

export interface ListResult {
  readonly objects: readonly ObjectInfo[];
  /** With a delimiter: the "directories" directly below the prefix, each ending with the delimiter. */
  readonly commonPrefixes: readonly string[];
  /** The server's clock when it answered: ages of listed objects are computed on it. */
  readonly serverTime: Date;
}

export interface RequestRecord {
  readonly operation: string;
  readonly method: string;
  readonly key: string;
  readonly status: number | undefined;
  readonly ms: number;
  readonly bytesSent: number;
}

export interface StoreOptions {
  readonly bucket: string;
  /** AWS profile (from `s3://profile@…`); otherwise the default chain (AWS_PROFILE, env, SSO, roles…). */
  readonly profile?: string;
  /** Static keys (from an amazon-s3 properties file). */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
  };
  /** Overrides the endpoint (the amazon-s3 `domain`); else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL / profile. */
  readonly endpoint?: string;
  /** 'path' | 'virtual'; by default path-style exactly when a custom endpoint is set. */
  readonly addressingStyle?: 'path' | 'virtual';
  readonly acl?: 'public-read';
  readonly sse?: { readonly algorithm: 'AES256' } | { readonly algorithm: 'aws:kms'; readonly kmsKeyId?: string };
  readonly env?: NodeJS.ProcessEnv;
  /** Called after every HTTP request (each retry too): counting and verbose logs. Never sees credentials. */
  readonly onRequest?: (record: RequestRecord) => void;
  /** How the store adapted to this one (the region it switched to, single deletes): for verbose logs. */
  readonly onNotice?: (message: string) => void;
  /** Replaces the HTTP layer (unit tests answer as a fussy store would, without a network). */
  readonly requestHandler?: S3ClientConfig['requestHandler'];
}

const CONFLICT_RETRIES = 5;

/** The operations the rest of the code may use. Everything above it talks to this, never to the SDK. */
export interface ObjectStore {
  readonly bucket: string;
  /** The endpoint in use, for messages (`https://s3.amazonaws.com` when none was set). */
  readonly endpointLabel: string;
  get(key: string, range?: { readonly start: number; readonly end: number }, signal?: AbortSignal): Promise<ObjectBody>;
  /** The object's text, or undefined when the key does not exist. */
  getText(key: string): Promise<{ readonly text: string; readonly etag: string } | undefined>;
  /** The object's metadata, or undefined when the key does not exist. */
  head(key: string): Promise<ObjectHead | undefined>;
  /**
   * A conditional put whose answer was lost (5xx, reset, or a 412 met by the SDK's retry) succeeds when the key
   * holds exactly `body`: our own write landed, or the state asked for holds (own-write.ts).
   */
  put(key: string, body: string | Uint8Array, options?: PutOptions): Promise<{ readonly etag: string }>;
  /**
   * Streams `body` to `key`: one PUT when small, multipart with several parts in flight when large. One whose
   * completion answer was lost succeeds when the key holds an object of the size sent, written since it began.
   */
  upload(key: string, body: Readable, options?: UploadOptions): Promise<{ readonly etag: string }>;
  list(prefix: string, delimiter?: string): Promise<ListResult>;
  delete(key: string): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Requests made so far, by operation (GetObject, PutObject, …). */
  requestCounts(): Readonly<Record<string, number>>;
  close(): void;
}

export async function openStore(options: StoreOptions): Promise<ObjectStore> {
  return new S3Store(options, await readProfileSection(options.profile, options.env ?? process.env));
}

class S3Store implements ObjectStore {
  readonly bucket: string;
  readonly endpointLabel: string;
  private client: S3Client;
  private readonly counts: Record<string, number> = {};
  private readonly options: StoreOptions;
  private readonly clientConfig: S3ClientConfig;
  /** The region requests are signed for: the configured one until the store names another. */
  private readonly region: RegionFollower;
  /** Clients of regions left behind: requests may still be in flight on them; destroyed on close. */
  private readonly retiredClients: S3Client[] = [];
  /** Set once the store refused a multi-object delete: single deletes from then on. */
  private singleDeletesOnly = false;

  constructor(options: StoreOptions, profileConfig: ProfileSection) {
    // Node 20 is supported by this project; the SDK's notice about its own future releases would only
    // confuse a git user reading the helper's stderr.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.options = options;
    this.bucket = options.bucket;
    const env = options.env ?? process.env;
    const customEndpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? profileConfig.endpoint_url;
    this.endpointLabel = customEndpoint ?? 'https://s3.amazonaws.com';
    const pathStyle = options.addressingStyle ? options.addressingStyle === 'path' : customEndpoint !== undefined;
    // The SDK resolves the region from env and profile; when nothing names one, start anywhere and let
    // the store's answer tell the bucket's real region rather than failing.
    this.region = new RegionFollower(env.AWS_REGION || env.AWS_DEFAULT_REGION || profileConfig.region || 'us-east-1', {
      probe: (key) => this.probeRegion(key),
      switchTo: (region, previous) => this.useRegion(region, previous),
    });
    this.clientConfig = {
      ...(options.profile ? { profile: options.profile } : {}),
      ...credentialsFrom(options, env),
      ...(customEndpoint ? { endpoint: customEndpoint } : {}),
      ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
      // The SDK follows a 301 (or IllegalLocationConstraint) carrying x-amz-bucket-region within one call;
      // the other signals, and remembering the region for the process, are ours (RegionFollower).
      followRegionRedirects: true,
      forcePathStyle: pathStyle,
      // S3-compatible stores reject the SDK's default aws-chunked CRC32 uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 4,
    };
    this.client = this.createClient(this.region.region);
  }

  /** A client signing for `region`, with the request log and the Content-MD5 some stores require. */
  private createClient(region: string): S3Client {
    const options = this.options;
    const client = new S3Client({ ...this.clientConfig, region });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const started = performance.now();
        const request = args.request as {
          method?: string;
          path?: string;
          query?: Record<string, unknown>;
          headers?: Record<string, string>;
        };
        let status: number | undefined;
        try {
          const result = await next(args);
          status = (result.response as { statusCode?: number }).statusCode;
          const date = (result.response as { headers?: Record<string, string> }).headers?.date;
          if (date) (result.output as { $serverTime?: string }).$serverTime = date;
          this.region.noteAnswer(undefined);
          return result;
        } catch (error) {
          status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          if (status !== undefined) this.region.noteAnswer(error);
          throw error;
        } finally {
          const operation = context.commandName?.replace(/Command$/, '') ?? 'Request';
          this.counts[operation] = (this.counts[operation] ?? 0) + 1;
          const length = Number(request.headers?.['content-length'] ?? 0);
          options.onRequest?.({
            operation,
            method: request.method ?? '?',
            key: describePath(request.path, request.query),
            status,
            ms: Math.round(performance.now() - started),
            bytesSent: Number.isFinite(length) ? length : 0,
          });
        }
      },
      { step: 'deserialize', name: 'gitRemoteS3RequestLog', priority: 'high' },
    );
    // After the SDK's checksum middleware (same step, lower priority), so it sees the checksum it added.
    client.middlewareStack.add(
      (next) => async (args) => {
        addContentMd5(args.request as { headers?: Record<string, string>; body?: unknown });
        return next(args);
      },
      { step: 'build', name: 'gitRemoteS3ContentMd5', priority: 'low' },
    );
    return client;
  }

  async get(key: string, range?: { start: number; end: number }, signal?: AbortSignal): Promise<ObjectBody> {
    const out = await this.send('GetObject', key, () =>
      this.client.send(
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
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return { text: (await out.Body?.transformToString('utf8')) ?? '', etag: out.ETag ?? '' };
      });
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const out = await this.send('HeadObject', key, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
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
    if (this.region.unsettled) {
      body.pause();
      await this.region.settle(key);
    }
    const upload = new Upload({
      client: this.client,
      params: {
        ...this.writeParams(key, options),
        Body: body,
        ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      },
      partSize: Math.max(options.partSize ?? DEFAULT_PART_SIZE, 5 * 1024 * 1024),
      queueSize: options.concurrency ?? DEFAULT_CONCURRENCY,
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
        await this.client.send(abort).catch(() => undefined); // the SDK may have aborted it already
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
        this.client.send(
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
    await this.send('DeleteObject', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
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
          this.client.send(
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
          endpoint: this.endpointLabel,
        },
      );
    }
    return true;
  }

  requestCounts(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  close(): void {
    for (const client of this.retiredClients) client.destroy();
    this.client.destroy();
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
        this.client
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
      const signedFor = this.region.region;
      try {
        const result = await call();
        this.region.adoptHinted();
        return result;
      } catch (error) {
        if (!regionFollowed && (await this.region.follow(error, signedFor, key)) && how.replayable !== false) {
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
          endpoint: this.endpointLabel,
          condition,
        });
      }
    }
  }

  /** Region switches (RegionFollower decides): a client for the new region; the old one may still be busy. */
  private useRegion(region: string, previous: string): void {
    this.options.onNotice?.(`bucket ${this.bucket} is in region ${region}, not ${previous}: using ${region}`);
    this.retiredClients.push(this.client);
    this.client = this.createClient(region);
  }

  /** A one-key listing, to learn whether the store accepts our region: its failure, or undefined. */
  private async probeRegion(key: string): Promise<unknown> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: key, MaxKeys: 1 }));
      return undefined;
    } catch (error) {
      return error;
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

/** `NotImplemented (HTTP 501)`: a store's refusal, for a notice. */
function describeAnswer(error: unknown): string {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${e.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}`;
}

interface ErrorContext {
  readonly operation: string;
  readonly bucket: string;
  readonly key: string | undefined;
  readonly profile: string | undefined;
  readonly endpoint: string;
  readonly condition?: string;
}

/** IAM action a user must be granted for each operation, named in access-denied messages. */
const IAM_ACTION: Record<string, string> = {
  GetObject: 'GetObject',
  HeadObject: 'GetObject',
  PutObject: 'PutObject',
  Upload: 'PutObject',
  DeleteObject: 'DeleteObject',
  DeleteObjects: 'DeleteObject',
  ListObjectsV2: 'ListBucket',
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

export function mapS3Error(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof GitRemoteS3Error) return error;
  const err = error as {
    name?: string;
    message?: string;
    code?: string;
    Code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = err.name ?? err.Code ?? '';
  const status = err.$metadata?.httpStatusCode;
  const listing = ctx.operation === 'ListObjectsV2';
  const key = listing ? undefined : ctx.key;

  if (name === 'AbortError') return error as Error;
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new NoCredentialsError(ctx.profile, firstLine(err.message ?? name));
  }
  if (
    [
      'InvalidAccessKeyId',
      'SignatureDoesNotMatch',
      'InvalidToken',
      'ExpiredToken',
      'TokenRefreshRequired',
      'InvalidClientTokenId',
    ].includes(name)
  ) {
    return new NoCredentialsError(ctx.profile, `${ctx.endpoint} rejected them: ${name}`);
  }
  if (name === 'NoSuchBucket') return new NoSuchBucketError(ctx.bucket, ctx.endpoint);
  if (name === 'NoSuchKey' || (status === 404 && !listing)) return new NotFoundError(ctx.bucket, ctx.key ?? '');
  if (name === 'PreconditionFailed' || status === 412) {
    return new PreconditionFailedError(ctx.bucket, ctx.key ?? '', ctx.condition ?? '');
  }
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
    return new AccessDeniedError(IAM_ACTION[ctx.operation] ?? ctx.operation, ctx.bucket, key, ctx.profile);
  }
  const code = err.code ?? (error as { cause?: { code?: string } }).cause?.code;
  if ((code && NETWORK_CODES.has(code)) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new NetworkError(ctx.endpoint, code ?? name);
  }
  if (error instanceof S3ServiceException || status !== undefined) {
    return new S3RequestError(
      ctx.operation,
      ctx.bucket,
      key,
      status,
      `${name}${err.message && err.message !== name ? `: ${firstLine(err.message)}` : ''}`,
    );
  }
  // A local file the request streamed from or to failed (an LFS file gone, a full disk): that file is the news.
  if ((error as NodeJS.ErrnoException).path !== undefined) {
    const local = asExpected(error);
    if (local instanceof GitRemoteS3Error) return local;
  }
  // Anything else the SDK or the connection throws is still a failed request, never a bug of ours.
  const detail = error instanceof Error ? `${error.name}: ${firstLine(error.message)}` : String(error);
  return new S3RequestError(ctx.operation, ctx.bucket, key, status, code ? `${detail} (${code})` : detail);
}

function isConditionalConflict(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'ConditionalRequestConflict' || (e.$metadata?.httpStatusCode === 409 && e.name !== 'BucketAlreadyOwnedByYou');
}

/**
 * Static keys when given, or when the environment holds them and no profile was named (what the SDK's
 * default chain would pick first anyway, read from `env` so a caller's environment is the one that counts).
 */
function credentialsFrom(
  options: StoreOptions,
  env: NodeJS.ProcessEnv,
): { credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } } {
  if (options.credentials) return { credentials: { ...options.credentials } };
  if (options.profile || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return {};
  return {
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    },
  };
}

type ProfileSection = Readonly<Record<string, string | undefined>>;

/** The profile's section of ~/.aws/config, read with the SDK's own loader (it caches the files). */
async function readProfileSection(profile: string | undefined, env: NodeJS.ProcessEnv): Promise<ProfileSection> {
  const files = await loadSharedConfigFiles().catch(() => undefined);
  return files?.configFile?.[profile ?? env.AWS_PROFILE ?? 'default'] ?? {};
}

function abortControllerFor(signal: AbortSignal): AbortController {
  const controller = new AbortController();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}

/** `/bucket/key`, or `/bucket/?prefix=…` for a listing: what a verbose log line names. */
function describePath(path: string | undefined, query: Record<string, unknown> | undefined): string {
  const decoded = decodeURIComponent(path ?? '');
  const prefix = query?.prefix;
  return typeof prefix === 'string' ? `${decoded}?prefix=${prefix}` : decoded;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
