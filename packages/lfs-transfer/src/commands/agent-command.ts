// Base of the git-lfs-s3 commands: the command body returns its exit code; a failure becomes one
// `error: …` line (or a bug report) through core's reportFailure.
import { log, reportFailure } from '@git-remote-s3/core';
import { Command } from 'clipanion';

export abstract class AgentCommand extends Command {
  protected abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      return reportFailure(error, (text) => this.context.stderr.write(text), log.verbosity >= 2);
    }
  }
}
