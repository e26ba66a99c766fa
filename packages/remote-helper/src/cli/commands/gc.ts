// `gc <remote>`: consolidates the packs of a packs-layout remote into one, and deletes the packs earlier
// runs retired once their grace period is over.
import { formatAge } from '@git-remote-s3/core';
import { named } from '@git-remote-s3/core/usage-line';
import { Command, Option } from 'clipanion';
import { withManagedRemote } from '../../manage/managed-remote.js';
import { parseGrace } from '../../manage/packs/gc-plan.js';
import { formatGcReport } from '../../manage/packs/gc-report.js';
import { ManagementCommand } from '../cli-command.js';

/** Below this, a clone or fetch that was already running when the previous gc ran may find its packs gone. */
const SHORT_GRACE_MS = 60_000;

export class GcCommand extends ManagementCommand {
  static override paths = [['gc']];
  static override usage = Command.Usage({
    description: 'consolidate the packs of a packs-layout remote into one',
    details: `
      Every push to a packs-layout remote adds a pack; \`gc\` gathers the objects of all listed packs into one
      new pack (nothing is pruned: a concurrent push may build on any object), uploads it, and replaces the
      old packs with it in \`objects/info/packs\`. Refs are not touched. Packs pushed meanwhile stay listed.

      The old packs are not deleted at once: a clone or fetch that read the old pack list may still be
      downloading them. They are recorded in \`objects/info/s3-retired\` and a later \`gc\` deletes them once
      the grace period has passed since they were retired (\`--grace\`, default 1h; judged on the server's
      clock). The same gc deletes orphan packs that an interrupted push left behind, listed nowhere and
      older than the grace period and at least an hour (a day for an index without its pack: a long upload
      may still be running), whatever \`--grace\` says, so that a push about to list its pack never loses
      it. Keep the grace period longer than your longest clone or push.

      A stopped gc leaves a valid remote: the new pack is listed only once uploaded, and nothing is deleted
      before its grace period ends. \`--dry-run\` reports what would be done and changes nothing.

      \`<remote>\` is a remote of the current repository or an s3:// or amazon-s3:// url. A bundle-layout
      remote has nothing to consolidate (one bundle per ref) and is refused.
    `,
    examples: [
      ['Consolidate the packs of the remote origin', '$0 gc origin'],
      ['See what gc would consolidate and delete', '$0 gc --dry-run origin'],
      ['Keep retired packs for 15 minutes only', '$0 gc --grace 15m s3://my-bucket/my-repo'],
      ['Delete the packs earlier runs retired, now (no clone or fetch is running)', '$0 gc --grace 0 origin'],
    ],
  });

  grace = named(
    'duration',
    Option.String('--grace', '1h', {
      description: 'how long retired and orphan packs are kept before a gc deletes them: 90s, 15m, 1h, 2d or 0 (default 1h)',
    }),
  );
  dryRun = Option.Boolean('-n,--dry-run', false, { description: 'report what gc would do; change nothing' });
  progress = Option.Boolean('--progress', {
    description: 'show progress meters (default: when stderr is a terminal; --no-progress: never)',
  });
  remote = Option.String({ name: 'remote' });

  protected async run(): Promise<number> {
    const graceMs = parseGrace(this.grace);
    const progress = this.progress ?? (this.context.stderr as { isTTY?: boolean }).isTTY === true;
    const { display, report } = await withManagedRemote(this.remote, async (managed, remote) => ({
      display: remote.display,
      report: await managed.gc({ graceMs, dryRun: this.dryRun, progress }),
    }));
    if (!report) {
      this.say(`nothing to do: ${display} is empty`);
      return 0;
    }
    for (const line of formatGcReport(report)) this.say(line);
    if (!report.dryRun && report.deletedRetired.length > 0 && graceMs < SHORT_GRACE_MS) {
      this.context.stderr.write(
        `warning: retired packs were deleted after only ${formatAge(graceMs)}: a clone or fetch that listed them before may fail; retry it if so\n`,
      );
    }
    return 0;
  }
}
