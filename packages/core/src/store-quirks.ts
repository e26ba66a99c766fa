// How S3-compatible stores differ: which region a store's answer says a bucket lives in, when a store refuses
// or lacks multi-object delete, and the Content-MD5 older stores require. Pure rules; the store (store/) acts on them.
import { createHash } from 'node:crypto';

/** What an SDK error carries that these rules look at: status, parsed XML error body, response headers. */
interface StoreAnswer {
  readonly name?: string;
  readonly message?: string;
  readonly Code?: string;
  readonly Region?: string;
  readonly Endpoint?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly statusCode?: number; readonly headers?: Readonly<Record<string, string | undefined>> };
}

// AWS names (eu-west-3) and the free-form names S3-compatible stores allow (MINIO_REGION=home).
const REGION_NAME = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/**
 * The region a failed answer says the bucket is in, or undefined when it names none. Signals, as AWS and the
 * S3-compatible stores send them: the `x-amz-bucket-region` header on a 301/307/400 (HEAD answers have no
 * body, so this is their only one), the `<Region>` element of an XML error (AuthorizationHeaderMalformed),
 * the message text (`… expecting 'eu-west-3'`), or a PermanentRedirect's `<Endpoint>` host
 * (`bkt.s3.eu-west-3.amazonaws.com`).
 */
export function regionFromAnswer(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const answer = error as StoreAnswer;
  const status = answer.$metadata?.httpStatusCode ?? answer.$response?.statusCode;
  if (status !== 301 && status !== 307 && status !== 400) return undefined;
  const candidates = [
    answer.$response?.headers?.['x-amz-bucket-region'],
    answer.Region,
    /expecting '([^']+)'/.exec(answer.message ?? '')?.[1],
    regionOfEndpoint(answer.Endpoint),
  ];
  return candidates.map((c) => c?.trim().toLowerCase()).find((c): c is string => !!c && REGION_NAME.test(c));
}

/** `bkt.s3.eu-west-3.amazonaws.com` and `bkt.s3-eu-west-3.amazonaws.com` name eu-west-3. */
function regionOfEndpoint(endpoint: string | undefined): string | undefined {
  return /(?:^|\.)s3[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(endpoint ?? '')?.[1];
}

/**
 * Whether an answer is a 400 with no explanation at all (a HEAD answer has no body): the region may be the
 * cause, and only a request with a body can tell.
 */
export function isBareBadRequest(error: unknown): boolean {
  const answer = error as StoreAnswer;
  return answer?.$metadata?.httpStatusCode === 400 && regionFromAnswer(error) === undefined && !answer.Code;
}

/**
 * Whether a failed DeleteObjects says the store will not do multi-object deletes as asked: it wants a
 * Content-MD5 it did not accept (MissingContentMD5, InvalidDigest, AWS's `InvalidRequest … Content-MD5`), or
 * it does not implement the call (501 NotImplemented, 405 MethodNotAllowed). Single deletes still work there.
 */
export function refusesMultiDelete(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const answer = error as StoreAnswer;
  const name = answer.name ?? answer.Code ?? '';
  const status = answer.$metadata?.httpStatusCode;
  if (['MissingContentMD5', 'InvalidDigest', 'BadDigest', 'NotImplemented', 'MethodNotAllowed'].includes(name)) return true;
  if (status === 501 || status === 405) return true;
  return status === 400 && /content-?md5/i.test(answer.message ?? '');
}

/**
 * Adds Content-MD5 to a request the SDK gave an integrity checksum. With WHEN_REQUIRED the SDK checksums exactly
 * the operations the S3 API marks httpChecksumRequired (of those we send: DeleteObjects), with CRC32 only, which
 * some Ceph, ECS and older stores refuse with MissingContentMD5; AWS accepts both headers at once.
 */
export function addContentMd5(request: { headers?: Record<string, string>; body?: unknown }): void {
  const headers = request.headers;
  if (!headers) return;
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  if (names.includes('content-md5') || !names.some((h) => h.startsWith('x-amz-checksum-'))) return;
  const body = request.body ?? '';
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return;
  headers['content-md5'] = createHash('md5').update(body).digest('base64');
}
