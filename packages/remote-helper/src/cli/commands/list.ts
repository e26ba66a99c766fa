// `list <remote>`: the remote's refs as its layout keeps them (with protection, and a bundle remote's
// bundles and locks), and what HEAD names.
import { Command, Option } from 'clipanion';
import { withManagedRemote } from '../../manage/managed-remote.js';
import { ManagementCommand } from '../cli-command.js';

export class ListCommand extends ManagementCommand {
  static override paths = [['list']];
  static override usage = Command.Usage({
    description: 'list the refs of a remote with their bundles, protection and locks',
    details: `
      Prints what HEAD names, then one line per ref: the short object id and size of its newest bundle,
      how long ago that bundle was written, and \`protected\`, \`2 bundles\`, \`locked 12s\` or
      \`stale lock 3m04s\` where they apply. Reads one listing of \`<prefix>/refs/\` and \`<prefix>/HEAD\`.
      On a packs-layout remote: HEAD, one line per ref of \`info/refs\` with \`protected\` where it applies,
      and the number of packs.

      \`<remote>\` is a remote of the current repository or an s3://, s3+zip:// or amazon-s3:// url.
    `,
    examples: [
      ['List the refs of the remote origin', '$0 list origin'],
      ['List a remote by its url, from anywhere', '$0 list s3://my-bucket/my-repo'],
    ],
  });

  remote = Option.String({ name: 'remote' });

  protected async run(): Promise<number> {
    for (const line of await withManagedRemote(this.remote, (managed) => managed.list())) this.say(line);
    return 0;
  }
}
