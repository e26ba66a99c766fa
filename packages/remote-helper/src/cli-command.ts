// The base of every management command, and the one place where a failure becomes what the user sees:
// expected errors (ours, and clipanion's usage errors) one `error: …` line and exit 1, anything else a
// bug report and exit 70.
import { describeError, GitRemoteS3Error, log } from '@git-remote-s3/core';
import { Command, UsageError } from 'clipanion';

export const EXIT_FAILED = 1;
/** EX_SOFTWARE from sysexits.h: an internal error, i.e. a bug. */
export const EXIT_BUG = 70;

/** Writes the report of `error` and returns the exit code it means. */
export function reportFailure(error: unknown, write: (text: string) => void): number {
  if (error instanceof UsageError) {
    write(`error: ${error.message}\n`);
    return EXIT_FAILED;
  }
  write(`${describeError(error, log.verbosity >= 2)}\n`);
  return error instanceof GitRemoteS3Error ? EXIT_FAILED : EXIT_BUG;
}

export abstract class ManagementCommand extends Command {
  /** The command's work; its result is the exit code. */
  protected abstract run(): Promise<number>;

  /** Prints one line of the command's report on stdout. */
  protected say(line: string): void {
    this.context.stdout.write(`${line}\n`);
  }

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      return reportFailure(error, (text) => this.context.stderr.write(text));
    }
  }
}
