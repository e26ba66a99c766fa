// Key schema of the `bundle` layout (DESIGN §3), compatible with awslabs/git-remote-s3 0.3.x: builds every
// key and parses keys listed from the bucket, which are untrusted.
import { BadKeyError } from '../errors.js';
import { assertValidRefName, isObjectId, refNameProblem } from './refname.js';

export const LOCK_NAME = 'LOCK#.lock';
export const PROTECTED_NAME = 'PROTECTED#';
export const ZIP_NAME = 'repo.zip';

export const headKey = (prefix: string): string => `${prefix}/HEAD`;
/** Everything under this is ref state; LFS objects live beside it and are never listed with refs. */
export const refsPrefix = (prefix: string): string => `${prefix}/refs/`;
/** Keys of one ref; the trailing slash keeps branch `a` from matching branch `ab`. */
export const refDirPrefix = (prefix: string, ref: string): string => `${prefix}/${assertValidRefName(ref)}/`;
export function bundleKey(prefix: string, ref: string, sha: string): string {
  if (!isObjectId(sha)) throw new BadKeyError(sha, 'a bundle is named by a full object id');
  return `${refDirPrefix(prefix, ref)}${sha}.bundle`;
}
export const lockKey = (prefix: string, ref: string): string => `${refDirPrefix(prefix, ref)}${LOCK_NAME}`;
export const zipKey = (prefix: string, ref: string): string => `${refDirPrefix(prefix, ref)}${ZIP_NAME}`;
export const protectedKey = (prefix: string, branch: string): string => `${refDirPrefix(prefix, `refs/heads/${branch}`)}${PROTECTED_NAME}`;

export type BundleLayoutKey =
  | { readonly kind: 'bundle'; readonly ref: string; readonly sha: string }
  | { readonly kind: 'lock'; readonly ref: string }
  | { readonly kind: 'protected'; readonly ref: string }
  | { readonly kind: 'zip'; readonly ref: string }
  | { readonly kind: 'invalid'; readonly key: string; readonly reason: string };

/**
 * Reads a key listed under `refsPrefix(prefix)`. Anything that is not a key we (or awslabs) write, or
 * whose ref part git would reject, comes back as `invalid` with the reason, never as a ref.
 */
export function parseBundleLayoutKey(prefix: string, key: string): BundleLayoutKey {
  const invalid = (reason: string): BundleLayoutKey => ({
    kind: 'invalid',
    key,
    reason,
  });
  if (!key.startsWith(`${prefix}/`)) return invalid('outside the repository prefix');
  const rest = key.slice(prefix.length + 1);
  const slash = rest.lastIndexOf('/');
  if (slash === -1) return invalid('not under refs/');
  const ref = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  const problem = refNameProblem(ref);
  if (problem) return invalid(`'${ref}' ${problem}`);

  if (name === LOCK_NAME) return { kind: 'lock', ref };
  if (name === ZIP_NAME) return { kind: 'zip', ref };
  if (name === PROTECTED_NAME) {
    return ref.startsWith('refs/heads/') ? { kind: 'protected', ref } : invalid('protection marker outside refs/heads/');
  }
  if (name.endsWith('.bundle')) {
    const sha = name.slice(0, -'.bundle'.length);
    return isObjectId(sha) ? { kind: 'bundle', ref, sha } : invalid(`'${sha}' is not an object id`);
  }
  return invalid(`unknown object '${name}'`);
}
