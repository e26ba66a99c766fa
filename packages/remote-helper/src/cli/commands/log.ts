// `log <remote> [<ref>]`: the push log, newest first, the way `git reflog` shows a ref's history; `--json`
// for scripts. The same on both layouts (manage/push-log.ts reads it).
import { Command, Option } from 'clipanion';
import { jsonLines, logRef, numberUpdates, readPushLog, reflogLine } from '../../manage/push-log.js';
import { withTarget } from '../../manage/target.js';
import { ManagementCommand } from '../cli-command.js';

export class LogCommand extends ManagementCommand {
  static override paths = [['log']];
  static override usage = Command.Usage({
    description: 'show the history of ref updates pushed to a remote',
    details: `
      Every push writes one entry under \`<prefix>/logs/\` naming each ref it changed (old and new id, forced
      or deleted), who pushed (git's committer identity) and when. This prints them newest first, one line per
      ref update, as \`git reflog\` does: \`<new> <ref>@{<n>}: push (forced) by <name> <email>, <when>\`, where
      \`@{0}\` is a ref's newest update. A deleted ref shows \`0000000\`. With \`<ref>\` (\`main\`,
      \`refs/tags/v1\`), only that ref's history. \`--json\` prints each entry as one JSON line instead.
      Reads one listing of \`<prefix>/logs/\` and one GET per entry.
    `,
    examples: [
      ['Show every push to the remote origin', '$0 log origin'],
      ['Show the history of main', '$0 log origin main'],
      ['Entries as JSON lines, for a script', '$0 log --json s3://my-bucket/my-repo'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'print each entry as one line of JSON' });
  remote = Option.String({ name: 'remote' });
  ref = Option.String({ name: 'ref', required: false });

  protected async run(): Promise<number> {
    const entries = await withTarget(this.remote, (remote) => readPushLog(remote));
    const ref = this.ref === undefined ? undefined : logRef(this.ref, entries);
    const lines = this.json ? jsonLines(entries, ref) : numberUpdates(entries, ref).map(reflogLine);
    for (const line of lines) this.say(line);
    return 0;
  }
}
