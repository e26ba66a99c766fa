// A branch as every management command takes it (`keep` or `refs/heads/keep`), and what deleting one
// reports, whatever the remote's layout.
import { printable, refNameProblem } from '@git-remote-s3/core';
import { UsageError } from '@git-remote-s3/core/errors';

/**
 * A branch as a management command names it, `keep` or git's full `refs/heads/keep` alike, as its short name;
 * refuses names git would not accept for a branch. The one rule for every command that takes a branch.
 */
export function branchName(input: string): string {
  const name = input.startsWith('refs/heads/') ? input.slice('refs/heads/'.length) : input;
  const problem = name === '' ? 'empty' : refNameProblem(`refs/heads/${name}`);
  if (problem) throw new UsageError(`'${printable(input)}' is not a valid branch name: ${problem}`);
  return name;
}

/** `refs/heads/<branch>` for a branch given either way (see branchName). */
export function branchRef(input: string): string {
  return `refs/heads/${branchName(input)}`;
}

/** The branch of `delete-branch`, given as `<branch>` or as awslabs' `-b <branch>` (not two different ones). */
export function pickBranch(positional: string | undefined, option: string | undefined): string {
  if (positional !== undefined && option !== undefined && branchName(positional) !== branchName(option)) {
    throw new UsageError(`two branches named ('${printable(positional)}' and '${printable(option)}'); delete one at a time`);
  }
  const branch = positional ?? option;
  if (branch === undefined) throw new UsageError('name the branch to delete: <branch> or -b <branch>');
  return branchName(branch);
}

export interface DeletedBranch {
  readonly ref: string;
  /** The object id the branch was at. */
  readonly sha: string;
  /** The keys deleted with it (none where the branch was a line of a table). */
  readonly keys: readonly string[];
  /** The remote's HEAD named this branch and now dangles. */
  readonly wasHead: boolean;
}
