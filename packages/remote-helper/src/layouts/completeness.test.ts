import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitFailedError, IncompleteRemoteError } from '@git-remote-s3/core';
import { afterAll, describe, expect, it } from 'vitest';
import { explainMissingObjects, firstGap, judgePush, sentRange, shallowBoundary } from './completeness.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('sentRange', () => {
  it('sends the whole history for a bundle, whatever the remote holds', () => {
    expect(sentRange('self-contained', A, [B])).toEqual([A]);
  });

  it('sends what the remote tips present here do not reach, for a pack', () => {
    expect(sentRange('incremental', A, [B, C])).toEqual([A, `^${B}`, `^${C}`]);
    expect(sentRange('incremental', A, [])).toEqual([A]);
  });
});

describe('firstGap', () => {
  it('finds nothing in a complete repository', () => {
    expect(firstGap(new Set(), [A, B])).toBeUndefined();
  });

  it('names the first shallow boundary commit the push would send', () => {
    expect(firstGap(new Set([B, C]), [A, B, C])).toBe(B);
  });

  it('finds nothing when the boundary is not among the commits sent (the remote holds it)', () => {
    expect(firstGap(new Set([C]), [A, B])).toBeUndefined();
  });
});

describe('explainMissingObjects', () => {
  it("turns pack-objects' missing-object failure into a typed error naming the ref", () => {
    const failed = new GitFailedError(['pack-objects'], 128, 'fatal: could not fetch d004 from promisor remote\n');
    const explained = explainMissingObjects(failed, 'refs/heads/main');
    expect(explained).toBeInstanceOf(IncompleteRemoteError);
    expect((explained as Error).message).toBe(
      'cannot push: objects reachable from refs/heads/main are missing here (could not fetch d004 from promisor remote); this partial or damaged clone cannot supply them; fetch them, or push from a full clone (nothing was written)',
    );
  });

  it('leaves other failures alone', () => {
    const failed = new GitFailedError(['pack-objects'], 128, 'fatal: out of memory\n');
    expect(explainMissingObjects(failed, 'refs/heads/main')).toBe(failed);
  });
});

// Real git on small local repositories: a full one, and shallow clones of it.
const root = mkdtempSync(join(tmpdir(), 'completeness-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@e',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@e',
};
delete env.GIT_DIR;
const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env }).trim();
const full = join(root, 'full');
git(root, ['init', '-q', full]);
for (const n of [1, 2, 3, 4]) {
  const date = `2020-01-0${n}T12:00:00Z`;
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', `commit ${n}`], {
    cwd: full,
    env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  });
}
const [c4, c3] = git(full, ['rev-list', 'HEAD']).split('\n') as [string, string];
const shallowClone = (name: string, args: string[]) => {
  const dir = join(root, name);
  git(root, ['clone', '-q', ...args, `file://${full}`, dir]);
  return { cwd: dir, env };
};

describe('judgePush in real repositories', () => {
  it('a complete repository has no boundary, so any push is complete', async () => {
    const repo = { cwd: full, env };
    const boundary = await shallowBoundary(repo);
    expect(boundary.size).toBe(0);
    expect(await judgePush('refs/heads/main', c4, 'self-contained', boundary, [], repo)).toEqual({ ok: true });
  });

  it('a --depth clone may not write a bundle, and a pack only when a remote tip here reaches its boundary', async () => {
    const repo = shallowClone('depth', ['--depth', '2']);
    const boundary = await shallowBoundary(repo);
    expect([...boundary]).toEqual([c3]);
    const bundle = await judgePush('refs/heads/main', c4, 'self-contained', boundary, [], repo);
    expect(bundle).toMatchObject({ ok: false, reason: expect.stringMatching(/^shallow update not allowed: .*git fetch --unshallow/) });
    expect(await judgePush('refs/heads/main', c4, 'incremental', boundary, [], repo)).toMatchObject({ ok: false });
    expect(await judgePush('refs/heads/main', c4, 'incremental', boundary, [c3], repo)).toEqual({ ok: true });
  });

  it('a --shallow-since clone has the same rule as a --depth one', async () => {
    const repo = shallowClone('since', ['--shallow-since', '2020-01-02T18:00:00Z']);
    const boundary = await shallowBoundary(repo);
    expect([...boundary]).toEqual([c3]);
    expect(await judgePush('refs/heads/main', c4, 'self-contained', boundary, [], repo)).toMatchObject({ ok: false });
    expect(await judgePush('refs/heads/main', c4, 'incremental', boundary, [c4], repo)).toEqual({ ok: true });
  });

  it('a commit that info/grafts cuts off counts as a boundary too', async () => {
    const dir = join(root, 'grafted');
    git(root, ['clone', '-q', `file://${full}`, dir]);
    writeFileSync(join(dir, '.git', 'info', 'grafts'), `${c3}\n`);
    const boundary = await shallowBoundary({ cwd: dir, env });
    expect([...boundary]).toEqual([c3]);
    expect(await judgePush('refs/heads/main', c4, 'self-contained', boundary, [], { cwd: dir, env })).toMatchObject({ ok: false });
  });
});
