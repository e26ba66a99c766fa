// Which S3 location holds a remote's LFS objects: git-lfs names a remote or a URL in `init`; a name is
// looked up as its `lfsurl` (set by `git-lfs-s3 install --remote`, ours or the Python tool's) and then as its git URL.
import type { GitConfigValues } from '@git-remote-s3/core/config';
import { BadConfigError } from '@git-remote-s3/core/errors';
import { isRemoteUrl, parseRemoteUrl } from '@git-remote-s3/core/url';
import { s3UrlOfLfsUrl, s3UrlOfPythonAlias } from './lfs-config.js';

export function resolveLfsUrl(remote: string, config: GitConfigValues): string {
  // git-lfs names a URL, not a remote, when it was given one (`git lfs push <url>`).
  const named = isRemoteUrl(remote) ? remote : s3UrlOfLfsUrl(remote);
  if (named) return named;
  const section = `remote.${remote.toLowerCase()}`;
  const lfsUrl = config.get(`${section}.lfsurl`);
  const url = config.get(`${section}.url`);
  const alias = lfsUrl === undefined ? undefined : s3UrlOfPythonAlias(lfsUrl);
  // The Python tool's alias names only a bucket and prefix: the remote's own URL at that same place adds
  // its profile and scheme, as the Python agent reads them.
  if (alias) return url && sameLocation(url, alias) ? url : alias;
  const fromLfsUrl = lfsUrl === undefined ? undefined : s3UrlOfLfsUrl(lfsUrl);
  if (fromLfsUrl) return fromLfsUrl;
  if (url && isRemoteUrl(url)) return url;
  if (url === undefined && lfsUrl === undefined) {
    throw new BadConfigError(`remote '${remote}'`, 'no such remote in this repository');
  }
  throw new BadConfigError(
    `remote '${remote}'`,
    `it is not an S3 remote (${lfsUrl ?? url}); to keep its LFS objects in S3 run 'git-lfs-s3 install --remote ${remote} --url s3://<bucket>/<prefix>'`,
  );
}

/** Whether an S3 remote URL names the bucket and prefix of `s3Url` (whatever its scheme and profile). */
function sameLocation(remoteUrl: string, s3Url: string): boolean {
  if (!isRemoteUrl(remoteUrl)) return false;
  try {
    const [a, b] = [parseRemoteUrl(remoteUrl), parseRemoteUrl(s3Url)];
    return a.bucket === b.bucket && a.prefix === b.prefix;
  } catch {
    return false;
  }
}
