// When a write leaves the remote complete (DESIGN §11 "complete or nothing"): a shallow or grafted
// repository may push only history whose shallow boundary the remote provably holds (pure rule first, then
// the git questions it needs); git's missing-object failures as typed errors; and the check gc and migrate
// run on their scratch repository before they rewrite a remote.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import {
  GitFailedError,
  git,
  IncompleteRemoteError,
  type RepoOptions,
  repoGitOptions,
  ShallowPushError,
  spawnGit,
} from '@git-remote-s3/core';

/**
 * `self-contained`: what is written must hold all history (a bundle); `incremental`: it may lean on what
 * the remote holds (a pack of the packs layout).
 */
export type Storage = 'self-contained' | 'incremental';

/**
 * The revisions whose commits a push sends: everything reachable from `sha` for a bundle; for a pack, what
 * the remote's tips do not reach, counting only the tips present here (a tip git cannot see proves nothing).
 */
export function sentRange(storage: Storage, sha: string, remoteTipsPresent: readonly string[]): string[] {
  return storage === 'self-contained' ? [sha] : [sha, ...remoteTipsPresent.map((t) => `^${t}`)];
}

/**
 * The first shallow boundary commit among the commits a push sends, or undefined when it sends none: a
 * boundary commit sent means its parents, which this repository lacks, are in neither what is written
 * nor (having been sent, it was not reachable from the remote's tips) the remote.
 */
export function firstGap(shallow: ReadonlySet<string>, sent: Iterable<string>): string | undefined {
  if (shallow.size === 0) return undefined;
  for (const commit of sent) if (shallow.has(commit)) return commit;
  return undefined;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The commits where this repository's history stops short: its shallow boundary (`git clone --depth`,
 * `--shallow-since`, a shallow fetch) and the commits info/grafts rewrites. Empty for a complete repository.
 */
export async function shallowBoundary(repo: RepoOptions = {}): Promise<Set<string>> {
  const { stdout } = await git(['rev-parse', '--git-path', 'shallow', '--git-path', 'info/grafts'], repoGitOptions(repo));
  const [shallowPath, graftsPath] = stdout.split('\n');
  const ids = new Set<string>();
  for (const path of [shallowPath, graftsPath]) {
    if (!path) continue;
    const text = await readFile(repo.cwd && !isAbsolute(path) ? join(repo.cwd, path) : path, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const id = line.split(' ')[0];
      if (id && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id)) ids.add(id);
    }
  }
  return ids;
}

/**
 * Whether pushing `sha` as `ref` leaves the remote complete, given the repository's shallow boundary: the
 * commits sent are walked as pack-objects walks them (replace refs off) and the walk stops at the first gap.
 */
export async function judgePush(
  ref: string,
  sha: string,
  storage: Storage,
  shallow: ReadonlySet<string>,
  remoteTipsPresent: readonly string[] = [],
  repo: RepoOptions = {},
): Promise<Verdict> {
  if (shallow.size === 0) return { ok: true };
  const walk = spawnGit(['rev-list', '--stdin'], {
    ...(repo.cwd ? { cwd: repo.cwd } : {}),
    env: { ...(repo.env ?? process.env), GIT_NO_REPLACE_OBJECTS: '1' },
  });
  walk.stdin.end(`${sentRange(storage, sha, remoteTipsPresent).join('\n')}\n`);
  let gap: string | undefined;
  let rest = '';
  for await (const chunk of walk.stdout) {
    const lines = (rest + (chunk as Buffer).toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    gap = firstGap(shallow, lines);
    if (gap) break;
  }
  if (gap) {
    walk.kill();
    await walk.done.catch(() => {});
    return { ok: false, reason: new ShallowPushError(ref, gap, storage === 'self-contained' ? 'bundle' : 'packs').message };
  }
  await walk.done;
  gap = firstGap(shallow, [rest]);
  return gap
    ? { ok: false, reason: new ShallowPushError(ref, gap, storage === 'self-contained' ? 'bundle' : 'packs').message }
    : { ok: true };
}

/**
 * git's own word that objects are missing (pack-objects in a partial clone whose promisor remote cannot
 * supply them, or a damaged repository) as a typed error that names the ref; anything else unchanged.
 */
export function explainMissingObjects(error: unknown, ref: string): unknown {
  if (!(error instanceof GitFailedError)) return error;
  const stderr = String(error.data.stderr ?? '');
  const line = stderr.split('\n').find((l) => /promisor remote|missing (blob|tree|commit|tag) object|bad object|unable to read/.test(l));
  if (!line) return error;
  return new IncompleteRemoteError(
    'cannot push',
    ref,
    `here (${line.replace(/^(fatal|error): /, '').trim()})`,
    'this partial or damaged clone cannot supply them; fetch them, or push from a full clone (nothing was written)',
  );
}

/**
 * Checks, in the repository at `repo` (a scratch repository gc or migrate filled from the remote), that
 * every object reachable from each of `refs` is there before a rewrite commits them; IncompleteRemoteError
 * naming the first ref that lacks some otherwise. `what` says what is refused, `source` where the objects came from.
 */
export async function assertObjectsComplete(
  refs: readonly { readonly ref: string; readonly sha: string }[],
  repo: RepoOptions,
  what: string,
  source: string,
): Promise<void> {
  const gap = await missingFrom(
    refs.map((r) => r.sha),
    repo,
  );
  if (gap === undefined) return;
  // Which ref: asked only now that one lacks something (a walk per ref).
  for (const { ref, sha } of refs) {
    const detail = refs.length === 1 ? gap : await missingFrom([sha], repo);
    if (detail !== undefined) {
      throw new IncompleteRemoteError(
        what,
        ref,
        `from ${source} (${detail})`,
        `nothing was changed; from a full clone, delete ${ref} on the remote and push it again`,
      );
    }
  }
}

/** git's complaint about the first object missing below `tips`, or undefined when none is. */
async function missingFrom(tips: readonly string[], repo: RepoOptions): Promise<string | undefined> {
  if (tips.length === 0) return undefined;
  try {
    await git(['rev-list', '--objects', '--quiet', '--missing=error', '--stdin'], {
      ...repoGitOptions(repo),
      input: `${tips.join('\n')}\n`,
    });
    return undefined;
  } catch (error) {
    if (!(error instanceof GitFailedError)) throw error;
    const last =
      String(error.data.stderr ?? '')
        .trim()
        .split('\n')
        .pop() ?? '';
    return last.replace(/^(fatal|error): /, '') || 'git rev-list failed';
  }
}
