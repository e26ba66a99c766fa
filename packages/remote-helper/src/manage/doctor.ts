// What `doctor` is asked, whatever the remote's layout: its flags, and the one rule for `--lock-ttl` (a usage
// mistake on any remote, before the bucket is read).
import { printable } from '@git-remote-s3/core';
import { UsageError } from '@git-remote-s3/core/errors';
import * as z from 'zod/mini';

export interface DoctorOptions {
  /** `--lock-ttl` as given, in seconds; otherwise the configured TTL applies. */
  readonly lockTtl: string | undefined;
  readonly deleteStaleLocks: boolean;
  readonly keepNewestBundle: boolean;
  readonly setHead: string | undefined;
  /** `--sync-refs`; a layout that keeps no such copies only notes it. */
  readonly syncRefs?: boolean;
}

const lockTtlSchema = z.coerce
  .number('expected a number of seconds')
  .check(z.positive('expected a positive number of seconds'), z.maximum(86_400, 'at most 86400 seconds'));

/** `--lock-ttl` in milliseconds: a number of seconds, more than 0 and at most a day. */
export function parseLockTtl(text: string): number {
  const parsed = lockTtlSchema.safeParse(text.trim() === '' ? Number.NaN : text);
  if (!parsed.success)
    throw new UsageError(`--lock-ttl expects a number of seconds above 0 and at most 86400 (a day), not '${printable(text)}'`);
  return Math.round(parsed.data * 1000);
}
