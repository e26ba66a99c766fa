// The last step of a migration, after HEAD names the new layout: the old layout's keys are deleted, unless a
// push landed in them while HEAD was being switched; then every one of them stays and the error says how to
// finish, so that a push is never deleted unseen.
import { type LayoutName, MigrationIncompleteError } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import type { Reporter, Source } from './migration.js';
import { plural } from './plan.js';

/** Deletes the source's keys (once HEAD is switched they are no longer the repository) and returns how many. */
export async function deleteSourceLayout(remote: Remote, source: Source, to: LayoutName, report: Reporter): Promise<number> {
  const landed = await source.landedSinceSnapshot();
  if (landed) {
    throw new MigrationIncompleteError(
      remote.display,
      to,
      `${landed} while HEAD was switched; the ${source.layout} layout's keys were kept`,
      `push those refs again from a clone (with 'git -c remote.<name>.s3layout=${to} push' if it took the remote for a ${source.layout} one), then run 'git s3 migrate ${remote.display} --to ${to}' again to delete the ${source.layout} layout`,
    );
  }
  const keys = await source.keysToDelete();
  if (keys.length > 0) await remote.store.deleteMany(keys);
  report.say(`deleted ${plural(keys.length, 'key')} of the ${source.layout} layout`);
  return keys.length;
}
