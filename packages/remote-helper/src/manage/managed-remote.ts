// What a remote offers the management commands: list, delete a branch, set protection, diagnose and repair,
// consolidate. One implementation per layout (bundle/, packs/), chosen by the one detector the helper also
// asks (layouts/choose.ts), so that no command asks which layout it holds.
import type { Remote } from '@git-remote-s3/core/remote';
import { detectLayout, type OpenedLayout } from '../layouts/choose.js';
import type { DeletedBranch } from './branch.js';
import { BundleRemote } from './bundle/bundle-remote.js';
import type { DoctorOptions } from './doctor.js';
import type { GcOptions } from './packs/gc.js';
import type { GcReport } from './packs/gc-report.js';
import { PacksRemote } from './packs/packs-remote.js';
import { type Target, withTarget } from './target.js';

export interface ManagedRemote {
  /** The lines of `list`: what HEAD names, then a row per ref. */
  list(): Promise<string[]>;
  /** Deletes a branch (given as `keep` or `refs/heads/keep`); refuses a protected or missing one. */
  deleteBranch(branch: string): Promise<DeletedBranch>;
  /** Protects a branch (`on`) or lifts its protection; false when it was so already. */
  setProtection(branch: string, on: boolean): Promise<boolean>;
  /** `doctor`: reports every finding, applies only the fixes asked for (HEAD among them); true when no problem is left. */
  doctor(options: DoctorOptions, say: (line: string) => void): Promise<boolean>;
  /** `gc`: undefined when the remote is empty; refused (WrongLayoutError) where there is nothing to consolidate. */
  gc(options: GcOptions): Promise<GcReport | undefined>;
}

/**
 * The remote's management side, for the layout its bucket shows (for an empty remote, the one its first
 * push would create). Each implementation is told whether the detector found nothing at all.
 */
export async function openManagedRemote(remote: Remote): Promise<ManagedRemote> {
  const opened = await detectLayout(remote);
  return IMPLEMENTATIONS[opened.found ?? opened.expected](remote, opened);
}

/** The detector's answer to the implementation that serves it (given what it read): the one place that maps the two. */
const IMPLEMENTATIONS = {
  bundle: (remote: Remote, opened: OpenedLayout) => new BundleRemote(remote, opened.found === undefined, opened),
  packs: (remote: Remote, opened: OpenedLayout) => new PacksRemote(remote, opened.found === undefined),
} as const satisfies Record<string, (remote: Remote, opened: OpenedLayout) => ManagedRemote>;

/** withTarget, with the remote opened for management: `work` also gets the remote and the target. */
export function withManagedRemote<T>(
  argument: string,
  work: (managed: ManagedRemote, remote: Remote, target: Target) => Promise<T>,
): Promise<T> {
  return withTarget(argument, async (remote, target) => work(await openManagedRemote(remote), remote, target));
}
