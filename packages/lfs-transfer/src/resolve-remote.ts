// Which S3 location holds a remote's LFS objects: git-lfs names a remote or a URL in `init`; a name is
// looked up as its `lfsurl` (set by `git-lfs-s3 install --remote`) and then as its git URL.
import type { GitConfigValues } from '@git-remote-s3/core/config';
import { BadConfigError } from '@git-remote-s3/core/errors';
import { isRemoteUrl } from '@git-remote-s3/core/url';
import { s3UrlOfLfsUrl } from './lfs-config.js';

export function resolveLfsUrl(remote: string, config: GitConfigValues): string {
  if (isRemoteUrl(remote)) return remote;
  const section = `remote.${remote.toLowerCase()}`;
  const lfsUrl = config.get(`${section}.lfsurl`);
  const fromLfsUrl = lfsUrl === undefined ? undefined : s3UrlOfLfsUrl(lfsUrl);
  if (fromLfsUrl) return fromLfsUrl;
  const url = config.get(`${section}.url`);
  if (url && isRemoteUrl(url)) return url;
  if (url === undefined && lfsUrl === undefined) {
    throw new BadConfigError(`remote '${remote}'`, 'no such remote in this repository');
  }
  throw new BadConfigError(
    `remote '${remote}'`,
    `it is not an S3 remote (${lfsUrl ?? url}); to keep its LFS objects in S3 run 'git-lfs-s3 install --remote ${remote} --url s3://<bucket>/<prefix>'`,
  );
}
