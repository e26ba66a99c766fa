// The push log (issue #13 §3, docs/push-log.md): every push that changes refs, on both layouts, leaves one
// entry under `<prefix>/logs/` naming each ref's old and new id, forced or deleted, and who pushed; `git s3
// log` shows them newest first the way `git reflog` does, or as JSON lines. A dry run and a no-op push write
// nothing, doctor takes the entries for the remote's own keys, and a bucket that refuses the entry costs a
// warning, never the push.
import { test as base, type World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, lsRemote, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { startThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { describe, expect } from 'vitest';

const ENTRY_KEY = /\/logs\/\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}\.json$/;
const BY = 'by E2E Tester <e2e@example.com>';
const WHEN = /, (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000)$/;

const logKeys = async (world: World, prefix: string) => (await remoteKeys(world, prefix)).filter((k) => k.includes('/logs/'));
const gitS3 = (world: World, repo: string, args: readonly string[]) => world.run('git', ['s3', ...args], { cwd: repo });

/** `git s3 log` lines without their dates (checked to be git's iso form in UTC, newest first). */
function undated(stdout: string): string[] {
  const lines = stdout.trim().split('\n');
  const dates = lines.map((l) => WHEN.exec(l)?.[1] ?? 'no date');
  expect(
    dates.every((d) => d !== 'no date'),
    stdout,
  ).toBe(true);
  expect([...dates].sort().reverse()).toStrictEqual(dates);
  return lines.map((l) => l.replace(WHEN, ''));
}

describe.each(LAYOUTS)('the push log on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test('a push, a branch creation, a forced push and a delete each leave one entry; a dry run and a no-op push none', async ({ world }) => {
    const repo = await repoWithRemote(world, 'logged', world.url('logged'));
    const c1 = (await world.git(['rev-parse', 'HEAD'], repo)).trim();
    await world.git(['push', '-q', 'origin', 'main'], repo);
    const c2 = await commitFile(world, repo, 'two.txt', '2\n');
    await world.git(['push', '-q', 'origin', 'main'], repo);
    await world.git(['push', '-q', 'origin', 'main:topic'], repo);
    await world.git(['push', '-q', 'origin', 'main'], repo); // up to date: nothing to log
    await world.git(['reset', '-q', '--hard', c1], repo);
    const c3 = await commitFile(world, repo, 'three.txt', '3\n');
    await world.git(['push', '-q', '--dry-run', '--force', 'origin', 'main'], repo);
    expect(await logKeys(world, 'logged')).toHaveLength(3);
    await world.git(['push', '-q', '--force', 'origin', 'main'], repo);
    await world.git(['push', '-q', 'origin', '--delete', 'topic'], repo);
    await world.git(['push', '-q', '--dry-run', 'origin', '--delete', 'main'], repo);

    const keys = await logKeys(world, 'logged');
    expect(keys).toHaveLength(5);
    for (const key of keys) expect(key).toMatch(ENTRY_KEY);
    expect((await lsRemote(world, world.url('logged'))).get('refs/heads/main')).toBe(c3);

    const shown = await gitS3(world, repo, ['log', 'origin']);
    expect(shown.code, shown.stderr).toBe(0);
    const abbrev = (sha: string) => sha.slice(0, 7);
    expect(undated(shown.stdout)).toStrictEqual([
      `0000000 refs/heads/topic@{0}: push (deleted) ${BY}`,
      `${abbrev(c3)} refs/heads/main@{0}: push (forced) ${BY}`,
      `${abbrev(c2)} refs/heads/topic@{1}: push (created) ${BY}`,
      `${abbrev(c2)} refs/heads/main@{1}: push ${BY}`,
      `${abbrev(c1)} refs/heads/main@{2}: push (created) ${BY}`,
    ]);
    expect(undated((await gitS3(world, repo, ['log', 'origin', 'main'])).stdout)).toStrictEqual([
      `${abbrev(c3)} refs/heads/main@{0}: push (forced) ${BY}`,
      `${abbrev(c2)} refs/heads/main@{1}: push ${BY}`,
      `${abbrev(c1)} refs/heads/main@{2}: push (created) ${BY}`,
    ]);

    const json = await gitS3(world, repo, ['log', '--json', world.url('logged')]);
    expect(json.code, json.stderr).toBe(0);
    const entries = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries.map((e) => e.updates)).toStrictEqual([
      [{ ref: 'refs/heads/topic', old: c2, new: null, forced: false, deleted: true, n: 0 }],
      [{ ref: 'refs/heads/main', old: c2, new: c3, forced: true, deleted: false, n: 0 }],
      [{ ref: 'refs/heads/topic', old: null, new: c2, forced: false, deleted: false, n: 1 }],
      [{ ref: 'refs/heads/main', old: c1, new: c2, forced: false, deleted: false, n: 1 }],
      [{ ref: 'refs/heads/main', old: null, new: c1, forced: false, deleted: false, n: 2 }],
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ version: 1, kind: 'push', pusher: { name: 'E2E Tester', email: 'e2e@example.com' } });
      expect(e.tool).toMatch(/^git-remote-s3\/\d+\.\d+\.\d+/);
      expect(keys).toContain(e.key);
    }

    // The entries are keys the remote knows: doctor finds nothing wrong with it.
    const doctor = await gitS3(world, repo, ['doctor', 'origin']);
    expect(doctor.stdout).not.toMatch(/logs\//);
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
  });

  test('a push of several refs leaves one entry naming each ref that changed', async ({ world }) => {
    const repo = await repoWithRemote(world, 'several', world.url('several'));
    const c1 = (await world.git(['rev-parse', 'HEAD'], repo)).trim();
    await world.git(['tag', 'v1'], repo);
    await world.git(['push', '-q', 'origin', 'main', 'main:other', 'v1'], repo);
    const keys = await logKeys(world, 'several');
    expect(keys).toHaveLength(1);
    const entry = JSON.parse((await world.store.getText(keys[0] ?? ''))?.text ?? '{}');
    expect(entry.updates).toStrictEqual(
      ['refs/heads/main', 'refs/heads/other', 'refs/tags/v1'].map((ref) => ({ ref, old: null, new: c1, forced: false, deleted: false })),
    );
  });

  test('a bucket that refuses the log entry gets a warning and the push stands', async ({ world }) => {
    const repo = await repoWithRemote(world, 'denied', world.url('denied'));
    const proxy = await startThrottleProxy({ target: world.server.endpoint, quirks: { denyPuts: /\/logs\// } });
    try {
      const push = await world.run('git', ['push', 'origin', 'main'], { cwd: repo, env: { AWS_ENDPOINT_URL: proxy.endpoint } });
      expect(push.code, push.stderr).toBe(0);
      const warnings = push.stderr.split('\n').filter((l) => l.startsWith('warning:'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        new RegExp(
          `^warning: the push is done, but its push log entry was not written \\(access denied: PutObject on s3://${world.bucket}/denied/logs/.*\\); the refs are updated$`,
        ),
      );
      expect(push.stderr).toMatch(/\* \[new branch\]\s+main -> main/);
    } finally {
      await proxy.close();
    }
    expect((await lsRemote(world, world.url('denied'))).get('refs/heads/main')).toBe((await world.git(['rev-parse', 'HEAD'], repo)).trim());
    expect(await logKeys(world, 'denied')).toStrictEqual([]);
    expect((await gitS3(world, repo, ['log', 'origin'])).stdout).toBe('');
  });
});

base('git s3 log refuses a ref name git would refuse', async ({ world }) => {
  const result = await world.run('git', ['s3', 'log', world.url('nothing'), 'a..b'], { cwd: world.dir });
  expect(result).toMatchObject({ code: 129, stdout: '' });
  expect(result.stderr).toMatch(/^error: 'a\.\.b' is not a valid ref name: contains '\.\.'/);
});
