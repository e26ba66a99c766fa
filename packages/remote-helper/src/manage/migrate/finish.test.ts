import { MigrationIncompleteError } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { describe, expect, it } from 'vitest';
import { deleteSourceLayout } from './finish.js';
import type { Source } from './migration.js';

/** A remote whose store only records deletions, and a source that reports `landed` after the switch. */
function world(landed: string | undefined) {
  const deleted: string[][] = [];
  const remote = { display: 's3://b/r', store: { deleteMany: async (keys: readonly string[]) => void deleted.push([...keys]) } };
  const source: Pick<Source, 'layout' | 'landedSinceSnapshot' | 'keysToDelete'> = {
    layout: 'bundle',
    landedSinceSnapshot: async () => landed,
    keysToDelete: async () => ['r/refs/heads/main/a.bundle', 'r/refs/heads/main/PROTECTED#'],
  };
  const lines: string[] = [];
  const report = { say: (line: string) => lines.push(line), warn: (line: string) => lines.push(`warning: ${line}`) };
  return { remote: remote as unknown as Remote, source: source as Source, deleted, lines, report };
}

describe('deleteSourceLayout', () => {
  it('deletes the old layout in one request and says how many keys went', async () => {
    const w = world(undefined);
    expect(await deleteSourceLayout(w.remote, w.source, 'packs', w.report)).toBe(2);
    expect(w.deleted).toEqual([['r/refs/heads/main/a.bundle', 'r/refs/heads/main/PROTECTED#']]);
    expect(w.lines).toEqual(['deleted 2 keys of the bundle layout']);
  });

  it('keeps every key when a push landed during the switch, and says how to finish', async () => {
    const w = world('a push of refs/heads/late landed in the bundle layout');
    const failure = deleteSourceLayout(w.remote, w.source, 'packs', w.report);
    await expect(failure).rejects.toBeInstanceOf(MigrationIncompleteError);
    await expect(failure).rejects.toThrow(
      "s3://b/r is now in the packs layout, but a push of refs/heads/late landed in the bundle layout while HEAD was switched; the bundle layout's keys were kept\nhint: push those refs again from a clone (with 'git -c remote.<name>.s3layout=packs push' if it took the remote for a bundle one), then run 'git s3 migrate s3://b/r --to packs' again to delete the bundle layout",
    );
    expect(w.deleted).toEqual([]);
  });
});
