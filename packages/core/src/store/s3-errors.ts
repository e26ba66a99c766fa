// S3's failures as our typed errors: what an SDK error, an HTTP status or a broken connection means for the
// user (no credentials, no bucket, access denied, a refused condition…), and which failures are worth a retry.
import { S3ServiceException } from '@aws-sdk/client-s3';
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
} from '../errors.js';
import type { CredentialHint } from './credentials.js';

/** `NotImplemented (HTTP 501)`: a store's refusal, for a notice. */
export function describeAnswer(error: unknown): string {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${e.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}`;
}

export interface ErrorContext {
  readonly operation: string;
  readonly bucket: string;
  readonly key: string | undefined;
  readonly profile: string | undefined;
  /** What to advise when the credentials fail (SSO login or the profile's keys), and why others were not used. */
  readonly credentialHint?: CredentialHint;
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
    return new NoCredentialsError(ctx.profile, firstLine(err.message ?? name), ctx.credentialHint?.advice, ctx.credentialHint?.note);
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
    return new NoCredentialsError(
      ctx.profile,
      `${ctx.endpoint} rejected them: ${name}`,
      ctx.credentialHint?.advice,
      ctx.credentialHint?.note,
    );
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

export function isConditionalConflict(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'ConditionalRequestConflict' || (e.$metadata?.httpStatusCode === 409 && e.name !== 'BucketAlreadyOwnedByYou');
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
