// `delete-branch <remote> <branch>`: deletes a branch from the remote, whatever its layout (manage/ knows how).
import { named } from '@git-remote-s3/core/usage-line';
import { Command, Option } from 'clipanion';
import { pickBranch } from '../../manage/branch.js';
import { withManagedRemote } from '../../manage/managed-remote.js';
import { ManagementCommand } from '../cli-command.js';

export class DeleteBranchCommand extends ManagementCommand {
  static override paths = [['delete-branch']];
  static override usage = Command.Usage({
    description: 'delete a branch from a remote',
    details: `
      Deletes every bundle of the branch and its repo.zip, under the branch's lock, as \`git push <remote>
      :<branch>\` does; on a packs-layout remote, removes the branch from \`info/refs\` (its objects stay
      in the packs). A protected branch is refused; run \`unprotect\` first if you mean it. The branch
      may also be given as \`-b <branch>\`, as in awslabs' \`git-s3 delete-branch <uri> -b <branch>\`.
    `,
    examples: [
      ['Delete the branch feature from the remote origin', '$0 delete-branch origin feature'],
      ['The same with the branch as an option, by url', '$0 delete-branch s3://my-bucket/my-repo -b feature'],
    ],
  });

  remote = Option.String({ name: 'remote' });
  branch = Option.String({ name: 'branch', required: false });
  branchOption = named('branch', Option.String('-b,--branch', { description: 'the branch to delete (instead of <branch>)' }));

  protected async run(): Promise<number> {
    const branch = pickBranch(this.branch, this.branchOption);
    return withManagedRemote(this.remote, async (managed, remote) => {
      const deleted = await managed.deleteBranch(branch);
      this.say(`deleted branch ${branch} (was ${deleted.sha.slice(0, 7)}) from ${remote.display}`);
      if (deleted.wasHead) {
        this.context.stderr.write(
          `warning: the remote's HEAD still names ${deleted.ref}; run 'git s3 doctor --set-head <branch> ${remote.display}'\n`,
        );
      }
      return 0;
    });
  }
}
