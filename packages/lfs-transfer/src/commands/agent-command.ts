// Base of the git-lfs-s3 commands: the command body returns its exit code; a failure becomes what the user
// sees through core's one reporter (report.ts), as in `git s3`.
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
