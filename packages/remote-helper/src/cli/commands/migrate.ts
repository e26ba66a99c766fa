// `migrate <remote> --to packs|bundle`: converts a remote in place between the two bucket layouts.
import { named } from '@git-remote-s3/core/usage-line';
import { Command, Option, UsageError } from 'clipanion';
import { migrateRemote } from '../../manage/migrate/migrate.js';
import { parseTargetLayout } from '../../manage/migrate/plan.js';
import { withTarget } from '../../manage/target.js';
import { ManagementCommand } from '../cli-command.js';

export class MigrateCommand extends ManagementCommand {
  static override paths = [['migrate']];
  static override usage = Command.Usage({
    description: 'convert a remote in place to the packs or the bundle layout',
    details: `
      Writes the whole target layout beside the current one (their keys never collide), reads it back,
      switches \`<prefix>/HEAD\` to the target's form with a conditional write, and only then deletes the old
      layout's keys. Every ref moves (branches, lightweight and annotated tags), with HEAD and the protected
      branches. If anything fails or a push lands before the switch, what was written is removed and the
      remote is as it was; run it again. A re-run also removes what an interrupted one left.

      Refused while a push holds a ref lock (\`git s3 doctor\` clears stale ones). Migrating a bundle remote
      holds every ref's lock meanwhile, so pushes to those refs are refused as "locked" until it ends.
      For a remote named by a git remote, \`remote.<name>.s3layout\` is set to the new layout.
    `,
    examples: [
      ['Convert the remote origin to the incremental packs layout', '$0 migrate origin --to packs'],
      ['Convert a remote back to the awslabs-compatible bundle layout, by url', '$0 migrate s3://my-bucket/my-repo --to bundle'],
      ['Show what would move, changing nothing', '$0 migrate --dry-run origin --to packs'],
    ],
  });

  // Required, but checked in run(), not by clipanion: it would report a missing one as an unknown command.
  to = named('layout', Option.String('--to', { description: 'the layout to convert to, packs or bundle' }), { shownRequired: true });
  dryRun = Option.Boolean('--dry-run', false, { description: 'say what would move, and change nothing' });
  progress = Option.Boolean('--progress', {
    description: 'show progress meters (default: when stderr is a terminal; --no-progress: never)',
  });
  remote = Option.String({ name: 'remote' });

  protected async run(): Promise<number> {
    if (this.to === undefined) throw new UsageError('name the layout to convert to: --to packs or --to bundle');
    const to = parseTargetLayout(this.to);
    await withTarget(this.remote, (remote, target) =>
      migrateRemote(
        remote,
        {
          to,
          dryRun: this.dryRun,
          progress: this.progress ?? (this.context.stderr as { isTTY?: boolean }).isTTY === true,
          remoteName: target.remoteName,
        },
        { say: (line) => this.say(line), warn: (line) => this.context.stderr.write(`warning: ${line}\n`) },
      ),
    );
    return 0;
  }
}
