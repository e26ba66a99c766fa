// `git-lfs-s3 uninstall [--remote <name>] [--global]`
import { readGitConfig } from '@git-remote-s3/core';
import { named } from '@git-remote-s3/core/usage-line';
import { Command, Option } from 'clipanion';
import { AGENT, assertRepository, unsetKeys } from '../lfs-config.js';
import { AgentCommand } from './agent-command.js';

export class UninstallCommand extends AgentCommand {
  static override paths = [['uninstall']];
  static override usage = Command.Usage({
    description: 'stop using git-lfs-s3 (for every remote, or for one)',
    examples: [
      ['Remove the repository-wide set-up', 'git-lfs-s3 uninstall'],
      ['Remove the set-up of one remote', 'git-lfs-s3 uninstall --remote origin'],
    ],
  });

  remote = named('name', Option.String('--remote', { description: "remove only this remote's set-up" }));
  global = Option.Boolean('--global', false, { description: 'edit ~/.gitconfig instead of this repository' });

  protected async run(): Promise<number> {
    const file = this.global ? '--global' : '--local';
    await assertRepository(file, 'use --global to remove the set-up from ~/.gitconfig');
    if (!this.remote) {
      await unsetKeys(['lfs.standalonetransferagent', `lfs.customtransfer.${AGENT}.path`, `lfs.customtransfer.${AGENT}.args`], file);
      this.context.stdout.write(`${AGENT} uninstalled\n`);
      return 0;
    }
    const config = await readGitConfig();
    const url = config.get(`remote.${this.remote.toLowerCase()}.lfsurl`);
    const keys = [`remote.${this.remote}.lfsurl`];
    if (url) keys.push(`lfs.${url}.standalonetransferagent`, `lfs.${url}.locksverify`);
    await unsetKeys(keys, file);
    this.context.stdout.write(`${AGENT} uninstalled for remote '${this.remote}'\n`);
    return 0;
  }
}
