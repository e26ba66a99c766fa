// For unit tests of the push paths: a throwaway local repository with a small history, made the helper's
// current repository through GIT_DIR (the push asks git about ancestry and writes bundles and packs from it),
// and a remote on the in-memory store.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** c1 ← c2 (a fast-forward of c1) and c1 ← c3 (diverged from c2). */
export interface TestHistory {
  readonly c1: string;
  readonly c2: string;
  readonly c3: string;
  /** Puts GIT_DIR back and removes the repository. */
  readonly dispose: () => void;
}

export function makeTestHistory(): TestHistory {
  const dir = mkdtempSync(join(tmpdir(), 'push-race-'));
  const env = {
    ...process.env,
    GIT_DIR: join(dir, '.git'),
    GIT_WORK_TREE: dir,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  };
  const git = (...args: string[]) => execFileSync('git', args, { env, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main', dir);
  const commit = (message: string, parent?: string) =>
    git('commit-tree', git('write-tree'), '-m', message, ...(parent ? ['-p', parent] : []));
  const c1 = commit('one');
  const c2 = commit('two', c1);
  const c3 = commit('three', c1);
  git('update-ref', 'refs/heads/main', c2);
  git('update-ref', 'refs/heads/side', c3);
  const before = process.env.GIT_DIR;
  process.env.GIT_DIR = env.GIT_DIR;
  return {
    c1,
    c2,
    c3,
    dispose: () => {
      if (before === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = before;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { memoryRemote } from '@git-remote-s3/core/test-support/memory-remote';
