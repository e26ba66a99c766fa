// The base of every management command: the body returns its exit code, and a failure becomes what the
// user sees through core's one reporter (report.ts) at the CLI's verbosity.
import { EXIT_FAILED, log, reportFailure as reportWith } from '@git-remote-s3/core';
import { Command } from 'clipanion';

export { EXIT_FAILED };

/** Writes the report of `error` and returns the exit code it means (core's rules, our verbosity). */
export function reportFailure(error: unknown, write: (text: string) => void, program?: string): number {
  return reportWith(error, write, log.verbosity >= 2, program);
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
