// `protect <remote> <branch>`: marks a branch so that force pushes and deletion are refused.
import { Command, Option } from 'clipanion';
import { branchName } from '../../manage/branch.js';
import { withManagedRemote } from '../../manage/managed-remote.js';
import { ManagementCommand } from '../cli-command.js';

export class ProtectCommand extends ManagementCommand {
  static override paths = [['protect']];
  static override usage = Command.Usage({
    description: 'protect a branch of a remote from force pushes and deletion',
    details: `
      Writes the empty marker \`<prefix>/refs/heads/<branch>/PROTECTED#\` (the awslabs layout): from then on
      a push that is not a fast-forward, and the deletion of the branch, are refused. Fast-forward pushes
      still work. The branch need not exist yet. On a packs-layout remote the branch is added to
      \`<prefix>/info/s3-protected\`, the list beside the ref table.
    `,
    examples: [
      ['Protect main on the remote origin', '$0 protect origin main'],
      ['Protect a release branch by url', '$0 protect s3://my-bucket/my-repo release/1.x'],
    ],
  });

  remote = Option.String({ name: 'remote' });
  branch = Option.String({ name: 'branch' });

  protected async run(): Promise<number> {
    const branch = branchName(this.branch);
    const changed = await withManagedRemote(this.remote, (managed) => managed.setProtection(branch, true));
    this.say(changed ? `branch ${branch} is now protected` : `branch ${branch} is already protected`);
    return 0;
  }
}
