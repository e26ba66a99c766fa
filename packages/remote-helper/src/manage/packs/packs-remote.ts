// The management side of a packs-layout remote: the ref table (info/refs), the protected list beside it
// (info/s3-protected), HEAD as a symbolic ref, the packs and the copies of the refs git and JGit read.
import type { Remote } from '@git-remote-s3/core/remote';
import type { DeletedBranch } from '../branch.js';
import type { DoctorOptions } from '../doctor.js';
import type { ManagedRemote } from '../managed-remote.js';
import { deletePacksBranch, protectPacksBranch } from './branch.js';
import { runPacksDoctor } from './doctor.js';
import { type GcOptions, runGc } from './gc.js';
import type { GcReport } from './gc-report.js';
import { listPacksRemote } from './list.js';

export class PacksRemote implements ManagedRemote {
  /** `empty`: the bucket shows nothing yet (this is the layout its first push would create). */
  constructor(
    private readonly remote: Remote,
    private readonly empty: boolean,
  ) {}

  list(): Promise<string[]> {
    return listPacksRemote(this.remote);
  }

  deleteBranch(branch: string): Promise<DeletedBranch> {
    return deletePacksBranch(this.remote, branch);
  }

  setProtection(branch: string, on: boolean): Promise<boolean> {
    return protectPacksBranch(this.remote, branch, on);
  }

  doctor(options: DoctorOptions, say: (line: string) => void): Promise<boolean> {
    const bundleFixes = options.deleteStaleLocks || options.keepNewestBundle;
    return runPacksDoctor(this.remote, { setHead: options.setHead, bundleFixes, syncRefs: options.syncRefs }, say);
  }

  async gc(options: GcOptions): Promise<GcReport | undefined> {
    return this.empty ? undefined : runGc(this.remote, options);
  }
}
