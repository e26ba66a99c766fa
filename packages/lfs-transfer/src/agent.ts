// The transfer agent git-lfs talks to over stdin/stdout.
import { log } from '@git-remote-s3/core';

export async function runAgent(): Promise<number> {
  log.error('the git-lfs transfer agent is not available in this build yet');
  return 1;
}
