// The s3:// URL of one of a remote's keys, as messages name it.
import { objectUrl } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';

export const where = (remote: Remote, key: string): string => objectUrl(remote.store.bucket, key);
