// The remote-helper side of the binary: git speaks its protocol to us on stdin/stdout.
import { describeError, log, parseRemoteUrl } from '@git-remote-s3/core';

export async function runHelper(remoteName: string, url: string): Promise<number> {
  try {
    parseRemoteUrl(url);
    log.error(`the remote helper protocol for '${remoteName}' is not available in this build yet`);
    return 1;
  } catch (error) {
    process.stderr.write(`${describeError(error, log.verbosity >= 2)}\n`);
    return 128;
  }
}
