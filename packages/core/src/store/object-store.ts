// What the rest of the code may ask of the object store: the operations, their options and answers, and the
// transfer tuning a store is opened with. No SDK here: the S3 store and the in-memory test store both implement it.
import type { Readable } from 'node:stream';

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

/** Part size and parts in flight come from the store's TransferTuning, set once when it is opened. */
export interface UploadOptions extends Omit<PutOptions, 'ifMatch'> {
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

/**
 * How large objects move, for every upload and ranged download through one store. Memory bound: one transfer
 * holds at most `partSize × concurrency` bytes (16 MiB × 4 = 64 MiB by default), as lib-storage's
 * `partSize × queueSize`; downloads that run side by side share `concurrency` between them (download.ts).
 */
export interface TransferTuning {
  /** Bytes per multipart part and per ranged GET; at least 5 MiB (S3's smallest part). */
  readonly partSize: number;
  /** Parts of one transfer in flight at once. */
  readonly concurrency: number;
}

/** S3's smallest multipart part (the last part excepted). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;

/** How often a store repeats a write S3 answered 409 ConditionalRequestConflict (a concurrent conditional write). */
export const CONFLICT_RETRIES = 5;

/** The operations the rest of the code may use. Everything above it talks to this, never to the SDK. */
export interface ObjectStore {
  readonly bucket: string;
  /** The endpoint in use, for messages (`https://s3.amazonaws.com` when none was set). */
  readonly endpointLabel: string;
  /** Part size and concurrency of every transfer through this store, given when it was opened. */
  readonly transfer: TransferTuning;
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
