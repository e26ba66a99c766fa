// The management side of a bundle-layout remote: one bundle (and repo.zip) per ref under refs/, the ref's
// lock beside it, PROTECTED# markers, HEAD naming a branch. Nothing to consolidate: gc is refused.
import { WrongLayoutError } from '@git-remote-s3/core/errors';
import type { Remote } from '@git-remote-s3/core/remote';
import type { DeletedBranch } from '../branch.js';
import type { DoctorOptions } from '../doctor.js';
import type { ManagedRemote } from '../managed-remote.js';
import type { GcReport } from '../packs/gc-report.js';
import { deleteBranch, protectBranch, unprotectBranch } from './branch.js';
import { runDoctor } from './doctor.js';
import { formatRefList } from './list.js';
import { type FirstLook, readRemoteState } from './remote-state.js';

export class BundleRemote implements ManagedRemote {
  /**
   * `empty`: the bucket shows nothing yet (this is the layout its first push would create); `seen`: what the
   * detector read, so that `list` costs one listing of refs/ and one GET of HEAD in all.
   */
  constructor(
    private readonly remote: Remote,
    private readonly empty: boolean,
    private seen?: FirstLook,
  ) {}

  async list(): Promise<string[]> {
    // Used once: a later reading must ask the bucket again.
    const seen = this.seen;
    this.seen = undefined;
    const state = await readRemoteState(this.remote, seen);
    return formatRefList(state, this.remote.settings.lockTtlMs, this.remote.display);
  }

  deleteBranch(branch: string): Promise<DeletedBranch> {
    return deleteBranch(this.remote, branch);
  }

  setProtection(branch: string, on: boolean): Promise<boolean> {
    return on ? protectBranch(this.remote, branch) : unprotectBranch(this.remote, branch);
  }

  doctor(options: DoctorOptions, say: (line: string) => void): Promise<boolean> {
    return runDoctor(this.remote, options, say);
  }

  async gc(): Promise<GcReport | undefined> {
    if (this.empty) return undefined;
    throw new WrongLayoutError(
      this.remote.display,
      `gc is for the packs layout, and ${this.remote.display} uses the bundle layout, which keeps one self-contained bundle per ref: there is nothing to consolidate`,
    );
  }
}
