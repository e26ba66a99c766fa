// `git-lfs-s3 enable-debug` / `disable-debug`: git-lfs then runs the agent with `debug`, which logs each
// request, its timing and any error to <git-dir>/lfs/tmp/git-lfs-s3.log (never credentials).
import { join } from 'node:path';
import { git, gitDir } from '@git-remote-s3/core';
import { Command } from 'clipanion';
import { AGENT, assertRepository, unsetKeys } from '../lfs-config.js';
import { AgentCommand } from './agent-command.js';

export class EnableDebugCommand extends AgentCommand {
  static override paths = [['enable-debug']];
  static override usage = Command.Usage({
    description: 'log every LFS transfer of this repository to <git-dir>/lfs/tmp/git-lfs-s3.log',
    examples: [['Turn the log on', 'git-lfs-s3 enable-debug']],
  });

  protected async run(): Promise<number> {
    await assertRepository('--local', 'run it in the repository whose transfers to log');
    await git(['config', '--local', '--replace-all', `lfs.customtransfer.${AGENT}.args`, 'debug']);
    this.context.stdout.write(`debug log enabled: ${join(await gitDir(), 'lfs', 'tmp', 'git-lfs-s3.log')}\n`);
    return 0;
  }
}

export class DisableDebugCommand extends AgentCommand {
  static override paths = [['disable-debug']];
  static override usage = Command.Usage({
    description: 'stop the debug log',
    examples: [['Turn the log off', 'git-lfs-s3 disable-debug']],
  });

  protected async run(): Promise<number> {
    await assertRepository('--local', 'run it in the repository whose log to stop');
    await unsetKeys([`lfs.customtransfer.${AGENT}.args`], '--local');
    this.context.stdout.write('debug log disabled\n');
    return 0;
  }
}
