// The git config that makes git-lfs use this agent: for every remote of a repository, or scoped to one
// remote through a synthetic `remote.<name>.lfsurl` so that other remotes keep their own LFS server.
import { git } from '@git-remote-s3/core/git';
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

/** The S3 URL an LFS URL stands for: a synthetic one decoded, an s3:// one as it is, else undefined. */
export function s3UrlOfLfsUrl(lfsUrl: string): string | undefined {
  if (isRemoteUrl(lfsUrl)) return lfsUrl;
  if (!lfsUrl.startsWith(SYNTHETIC)) return undefined;
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

export async function writeEntries(entries: readonly ConfigEntry[], file: ConfigFile): Promise<void> {
  for (const { key, value } of entries) await git(['config', file, '--replace-all', key, value]);
}

/** Removes keys; a key that is not set is not an error. */
export async function unsetKeys(keys: readonly string[], file: ConfigFile): Promise<void> {
  for (const key of keys) await git(['config', file, '--unset-all', key], { okExitCodes: [5] });
}
