// The two halves of a migration and what passes between them: a source layout that is read, guarded against
// pushes, and deleted only at the very end; a target layout that is written, verified, and thrown away if
// anything goes wrong before HEAD is switched.
import type { LayoutName } from '@git-remote-s3/core';

export interface Reporter {
  /** A line of the command's report (stdout). */
  say(line: string): void;
  /** A `warning:` line (stderr). */
  warn(line: string): void;
}

export interface MigratedRef {
  readonly ref: string;
  readonly sha: string;
}

/** What the source holds, read once under its guard; the target is built from exactly this. */
export interface Snapshot {
  readonly refs: readonly MigratedRef[];
  /** The branch the target's HEAD names. */
  readonly headBranch: string;
  /** Protected branches, as `refs/heads/<branch>` (they need not exist). */
  readonly protectedRefs: readonly string[];
  /** From the refs' ids; undefined when there are no refs (nothing to fetch). */
  readonly objectFormat: 'sha1' | 'sha256' | undefined;
}

export interface Source {
  readonly layout: LayoutName;
  readonly snapshot: Snapshot;
  /** ETag of the HEAD read at the start (undefined: none): the switch replaces exactly that version. */
  readonly headEtag: string | undefined;
  /** Makes every ref's objects present in the repository at `repo`. */
  fetchInto(repo: string, progress: boolean): Promise<void>;
  /** Just before the switch: throws MigrationAbortedError when a push changed the source since the snapshot. */
  assertUnchanged(): Promise<void>;
  /** Just after the switch: what landed in the source since the snapshot, or undefined when nothing did. */
  landedSinceSnapshot(): Promise<string | undefined>;
  /**
   * Before the target is written: removes what of the source would hide the target's keys, leaving readers
   * the same refs (packs: loose refs, once packed-refs says what info/refs says; on a file-system-backed store
   * an object `refs/heads/x` hides every key under `refs/heads/x/`). Returns how many keys it removed.
   */
  makeRoom(): Promise<number>;
  /** The source's keys, in the order to delete them (the one that makes it a repository first). */
  keysToDelete(): Promise<string[]>;
  /** Lets pushes in again (bundle: the ref locks); never throws. */
  release(): Promise<void>;
}

export interface Target {
  readonly layout: LayoutName;
  /** Writes every key of the layout from the snapshot and the objects in `repo`; reports progress by line. */
  write(snapshot: Snapshot, repo: string | undefined, progress: boolean): Promise<void>;
  /** Reads back what was written; throws when it is not what the snapshot says. */
  verify(snapshot: Snapshot): Promise<void>;
  /** HEAD in this layout's form. */
  headText(branch: string): string;
  readonly bytesWritten: number;
  /** Deletes every key this target wrote (after a failure before the switch). */
  discard(): Promise<void>;
  /** Frees what writing held (locks, local files); never throws. */
  release(): Promise<void>;
}
