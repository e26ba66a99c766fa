// `doctor <remote>`: reports what is wrong with a remote and, only when asked by flag, fixes it.
import { named } from '@git-remote-s3/core/usage-line';
import { Command, Option } from 'clipanion';
import { parseLockTtl } from '../../manage/doctor.js';
import { withManagedRemote } from '../../manage/managed-remote.js';
import { EXIT_FAILED, ManagementCommand } from '../cli-command.js';

export class DoctorCommand extends ManagementCommand {
  static override paths = [['doctor']];
  static override usage = Command.Usage({
    description: 'check a remote for leftover bundles, stale locks and a broken HEAD, and fix them on request',
    details: `
      Reports refs with more than one bundle, live and stale ref locks, a missing HEAD or one that names no
      branch, keys under \`refs/\` that this layout does not know, repo.zip files without a bundle, and
      protected branches that have no bundle. Changes nothing unless a fix is asked for:

      - \`--delete-stale-locks\` deletes locks older than the TTL (judged again just before deleting);
      - \`--keep-newest-bundle\` keeps each ref's newest bundle and deletes the others, under the ref's lock (the Python tool's \`-d\`/\`--delete-bundle\` is taken as this: delete the bundles not kept);
      - \`--set-head <branch>\` points HEAD at an existing branch in the layout's own form, only if HEAD is unchanged since doctor read it.

      On a packs-layout remote it checks the ref table, the pack list (every listed pack and index present),
      HEAD, and notes packs nobody lists (\`git s3 gc\` deletes those); \`--set-head\` works there too. It also
      compares the copies that git and JGit read in a bare repository with info/refs, the authority: packed-refs
      and the loose \`refs/…\` keys JGit writes, naming each key that disagrees and both values;
      \`--sync-refs\` rewrites packed-refs and those loose keys from info/refs (and removes the loose keys of
      refs info/refs no longer has).

      Exits 0 when no problem is left, 1 otherwise, with what to run for each. Never reads stdin.
    `,
    examples: [
      ['Check the remote origin', '$0 doctor origin'],
      ['Treat locks older than 30 s as stale and delete them', '$0 doctor --lock-ttl 30 --delete-stale-locks s3://my-bucket/my-repo'],
      ['Remove the bundles an interrupted push left behind', '$0 doctor --keep-newest-bundle origin'],
      ['Make main the default branch of the remote', '$0 doctor --set-head main origin'],
      ["Bring packed-refs and JGit's loose refs in step with info/refs", '$0 doctor --sync-refs origin'],
    ],
  });

  lockTtl = named(
    'seconds',
    Option.String('--lock-ttl', {
      description: 'seconds after which a lock is stale (default: GIT_REMOTE_S3_LOCK_TTL, s3.lockTtl, else 60)',
    }),
  );
  deleteStaleLocks = Option.Boolean('--delete-stale-locks', false, { description: 'delete locks older than the TTL' });
  keepNewestBundle = Option.Boolean('--keep-newest-bundle', false, {
    description: "keep only the newest bundle of each ref that has several (under the ref's lock)",
  });
  // The Python tool's spelling: its doctor deletes the bundles it does not keep instead of saving them as branches.
  deleteBundle = Option.Boolean('-d,--delete-bundle', false, { hidden: true });
  setHead = named('branch', Option.String('--set-head', { description: "point the remote's HEAD at this existing branch" }));
  syncRefs = Option.Boolean('--sync-refs', false, {
    description: 'packs layout: rewrite packed-refs and loose refs/… keys from info/refs where they disagree',
  });
  remote = Option.String({ name: 'remote' });

  protected async run(): Promise<number> {
    // A mistyped --lock-ttl is a usage error on any remote, before the bucket is read.
    if (this.lockTtl !== undefined) parseLockTtl(this.lockTtl);
    const options = {
      lockTtl: this.lockTtl,
      deleteStaleLocks: this.deleteStaleLocks,
      keepNewestBundle: this.keepNewestBundle || this.deleteBundle,
      setHead: this.setHead,
      syncRefs: this.syncRefs,
    };
    const healthy = await withManagedRemote(this.remote, (managed) => managed.doctor(options, (line) => this.say(line)));
    return healthy ? 0 : EXIT_FAILED;
  }
}
