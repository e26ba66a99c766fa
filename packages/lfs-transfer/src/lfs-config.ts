// The git config that makes git-lfs use this agent: for every remote of a repository, or scoped to one
// remote through a synthetic `remote.<name>.lfsurl` so that other remotes keep their own LFS server.
import { NotInRepositoryError } from '@git-remote-s3/core/errors';
import { git } from '@git-remote-s3/core/git';
import { inRepository } from '@git-remote-s3/core/repo';
import { isRemoteUrl, parseRemoteUrl } from '@git-remote-s3/core/url';

export const AGENT = 'git-lfs-s3';

/**
 * git-lfs reads any URL it does not know (s3://…) as an ssh address and would try to reach a host named
 * `s3`. The synthetic LFS URL is an https URL under the reserved `.invalid` domain that names the S3
 * location; git-lfs only uses it as a key (standalone agent, no lock verification) and never contacts it.
 */
const SYNTHETIC = 'https://git-lfs-s3.invalid/';

export function syntheticLfsUrl(s3Url: string): string {
  const url = parseRemoteUrl(s3Url);
  const user = url.profile ?? url.propsFile;
  return `${SYNTHETIC}${url.scheme}/${user ? `${user}@` : ''}${url.bucket}/${url.prefix}`;
}

/**
 * The Python tool's LFS URL (0.4.x `git-lfs-s3 install --remote <name>`): `https://<this host>/<bucket>/<prefix>`,
 * each prefix segment percent-encoded. It names no scheme or profile: its agent takes those from the
 * remote's own URL, and so does ours (resolve-remote.ts).
 */
const PYTHON_ALIAS_HOST = 'lfs-alias.git-remote-s3.test';

/** The `s3://<bucket>/<prefix>` a Python-tool alias names, segments decoded; undefined for any other text. */
export function s3UrlOfPythonAlias(lfsUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(lfsUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.hostname !== PYTHON_ALIAS_HOST || url.search || url.hash) return undefined;
  try {
    const candidate = `s3://${url.pathname.split('/').filter(Boolean).map(decodeURIComponent).join('/')}`;
    parseRemoteUrl(candidate);
    return candidate;
  } catch {
    return undefined; // a malformed escape, or a location our URLs cannot name
  }
}

/** The S3 URL an LFS URL stands for: a synthetic one (ours or the Python tool's) decoded, an s3:// one as it is, else undefined. */
export function s3UrlOfLfsUrl(lfsUrl: string): string | undefined {
  if (isRemoteUrl(lfsUrl)) return lfsUrl;
  if (!lfsUrl.startsWith(SYNTHETIC)) return s3UrlOfPythonAlias(lfsUrl);
  const rest = lfsUrl.slice(SYNTHETIC.length);
  const slash = rest.indexOf('/');
  const candidate = slash > 0 ? `${rest.slice(0, slash)}://${rest.slice(slash + 1)}` : '';
  try {
    parseRemoteUrl(candidate);
    return candidate;
  } catch {
    return undefined;
  }
}

export type Scope = { readonly kind: 'all' } | { readonly kind: 'remote'; readonly remote: string; readonly url: string };

export interface ConfigEntry {
  readonly key: string;
  readonly value: string;
}

/** What install writes. Lock verification is off for S3 URLs: there is no LFS locking API to ask. */
export function installEntries(scope: Scope): ConfigEntry[] {
  const path = { key: `lfs.customtransfer.${AGENT}.path`, value: AGENT };
  if (scope.kind === 'all') {
    return [path, { key: 'lfs.standalonetransferagent', value: AGENT }, { key: 'lfs.locksverify', value: 'false' }];
  }
  const lfsUrl = syntheticLfsUrl(scope.url);
  return [
    path,
    { key: `remote.${scope.remote}.lfsurl`, value: lfsUrl },
    { key: `lfs.${lfsUrl}.standalonetransferagent`, value: AGENT },
    { key: `lfs.${lfsUrl}.locksverify`, value: 'false' },
  ];
}

export type ConfigFile = '--local' | '--global';

/** The one-line refusal of a repository's set-up outside any repository (git's own says only `--local`). */
export async function assertRepository(file: ConfigFile, hint: string): Promise<void> {
  if (file === '--local' && !(await inRepository())) throw new NotInRepositoryError(hint);
}

export async function writeEntries(entries: readonly ConfigEntry[], file: ConfigFile): Promise<void> {
  for (const { key, value } of entries) await git(['config', file, '--replace-all', key, value]);
}

/** Removes keys; a key that is not set is not an error. */
export async function unsetKeys(keys: readonly string[], file: ConfigFile): Promise<void> {
  for (const key of keys) await git(['config', file, '--unset-all', key], { okExitCodes: [5] });
}
