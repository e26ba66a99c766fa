// `unprotect <remote> <branch>`: lifts a branch's protection, allowing force pushes and deletion again.
import { Command, Option } from 'clipanion';
import { branchName } from '../../manage/branch.js';
import { withManagedRemote } from '../../manage/managed-remote.js';
import { ManagementCommand } from '../cli-command.js';

export class UnprotectCommand extends ManagementCommand {
  static override paths = [['unprotect']];
  static override usage = Command.Usage({
    description: 'allow force pushes and deletion of a protected branch again',
    details: `
      Deletes the marker \`<prefix>/refs/heads/<branch>/PROTECTED#\` that \`protect\` wrote (on a
      packs-layout remote, removes the branch from \`<prefix>/info/s3-protected\`).
    `,
    examples: [
      ['Lift the protection of main on the remote origin', '$0 unprotect origin main'],
      ['The same by url', '$0 unprotect s3://my-bucket/my-repo main'],
    ],
  });

  remote = Option.String({ name: 'remote' });
  branch = Option.String({ name: 'branch' });

  protected async run(): Promise<number> {
    const branch = branchName(this.branch);
    const changed = await withManagedRemote(this.remote, (managed) => managed.setProtection(branch, false));
    this.say(changed ? `branch ${branch} is no longer protected` : `branch ${branch} was not protected`);
    return 0;
  }
}
