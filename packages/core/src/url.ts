// Parses and prints remote URLs (DESIGN §2): s3://, s3+zip:// and amazon-s3://. Pure: no I/O, so a bad URL
// is rejected before any network call.
import * as z from 'zod/mini';
import { BadUrlError } from './errors.js';

import { isRemoteUrl, type RemoteScheme, SCHEMES } from './url-scheme.js';

export { isRemoteUrl, type RemoteScheme };

export interface RemoteUrl {
  readonly scheme: RemoteScheme;
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; never empty. */
  readonly prefix: string;
  /** AWS profile named in `s3://profile@bucket/…`. */
  readonly profile?: string;
  /** Properties file in $HOME named in `amazon-s3://file@bucket/…`. */
  readonly propsFile?: string;
}

// zod/mini: the same checks as zod with a fraction of the code to load, which matters for start-up.
const bucketSchema = z.string().check(
  z.minLength(3, 'bucket name is shorter than 3 characters'),
  z.maxLength(63, 'bucket name is longer than 63 characters'),
  z.regex(/^[a-z0-9][a-z0-9.-]*$/, 'bucket name must be lowercase letters, digits, dots and hyphens, starting with a letter or digit'),
  z.refine((b) => /[a-z0-9]$/.test(b), 'bucket name must end with a letter or digit'),
  z.refine((b) => !b.includes('..'), 'bucket name must not contain two adjacent dots'),
  z.refine((b) => !/^\d+\.\d+\.\d+\.\d+$/.test(b), 'bucket name must not look like an IP address'),
);

// A segment of the key prefix. Names are used as S3 keys and shown in messages, so only printable,
// unambiguous characters are allowed; `?` and `#` would read as a query or fragment, `%` as an escape.
const segmentSchema = z.string().check(
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  z.regex(/^[^\s\\?#%\u0000-\u001f\u007f]+$/u, 'prefix must not contain spaces, control characters, \\, ?, # or %'),
  z.refine((s) => s !== '.' && s !== '..', 'prefix must not contain . or .. segments'),
);

const profileSchema = z.string().check(z.regex(/^[A-Za-z0-9_.+=,-]+$/, 'profile name may only contain letters, digits and _ . + = , -'));

const propsFileSchema = z.string().check(
  z.regex(/^[A-Za-z0-9_.-]+$/, 'properties file must be a plain file name in your home directory'),
  z.refine((s) => s !== '.' && s !== '..', 'properties file must be a plain file name in your home directory'),
);

/**
 * Parses a remote URL (DESIGN §2); throws BadUrlError naming the URL with any inline secret masked. Inline
 * credentials (JGit's `amazon-s3://<accesskey>:<secretkey>@…`) are refused: a URL ends up in git's config,
 * its output and shell history, so keys belong in a properties file or the AWS chain.
 */
export function parseRemoteUrl(url: string): RemoteUrl {
  const text = maskInlineSecret(url);
  const match = /^([a-z0-9+-]+):\/\/(.*)$/s.exec(text);
  if (!match) throw new BadUrlError(text, 'missing scheme');
  const scheme = SCHEMES.find((s) => s === match[1]);
  if (!scheme) throw new BadUrlError(text, `unknown scheme '${match[1]}'`);
  const rest = match[2] ?? '';

  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);

  const at = authority.lastIndexOf('@');
  const userPart = at === -1 ? undefined : authority.slice(0, at);
  const bucketPart = at === -1 ? authority : authority.slice(at + 1);

  if (bucketPart === '') throw new BadUrlError(text, 'missing bucket');
  if (bucketPart.includes(':')) throw new BadUrlError(text, 'a port is not part of the url; set AWS_ENDPOINT_URL for a custom endpoint');
  const bucket = check(bucketSchema, bucketPart, text);

  const segments = path.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new BadUrlError(text, 'missing prefix after the bucket (the repository path)');
  const prefix = segments.map((s) => check(segmentSchema, s, text)).join('/');

  if (userPart === undefined) return { scheme, bucket, prefix };
  if (text !== url) {
    throw new BadUrlError(
      text,
      scheme === 'amazon-s3'
        ? 'credentials in the url are not supported; put accesskey and secretkey in a properties file in your home directory and name it before the @'
        : 'credentials in the url are not supported; name an AWS profile before the @, or use the AWS credential chain',
    );
  }
  if (userPart === '') throw new BadUrlError(text, `empty ${scheme === 'amazon-s3' ? 'properties file' : 'profile'} before '@'`);
  if (scheme === 'amazon-s3')
    return {
      scheme,
      bucket,
      prefix,
      propsFile: check(propsFileSchema, userPart, text),
    };
  return {
    scheme,
    bucket,
    prefix,
    profile: check(profileSchema, userPart, text),
  };
}

export function formatRemoteUrl(url: RemoteUrl): string {
  const user = url.profile ?? url.propsFile;
  return `${url.scheme}://${user ? `${user}@` : ''}${url.bucket}/${url.prefix}`;
}

/** `s3://bucket/key`: how an object is named in messages, whatever the remote's scheme. */
export function objectUrl(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

function check<T>(schema: z.ZodMiniType<T>, value: string, url: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new BadUrlError(url, result.error.issues[0]?.message ?? 'invalid');
}

/** The URL with the secret of inline `<user>:<secret>@` credentials replaced by `***` (unchanged without any). */
function maskInlineSecret(url: string): string {
  // A secret key may hold '/' and '+': everything up to the last '@' is masked.
  return url.replace(/^([a-z0-9+-]+:\/\/[^/@:]*):.*@/s, '$1:***@');
}
