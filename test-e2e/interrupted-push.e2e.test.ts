// A push interrupted mid-upload (Ctrl-C in a terminal: SIGINT to git's whole process group; or git alone
// killed, so the helper's stdin closes) leaves nothing of its own behind (DESIGN §11): no lock, no multipart
// upload, no temporary directory; the remote clones at its old or new state and the next push goes through
// at once, not after the lock's TTL.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { RunResult, World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { lsRemote, remoteKeys, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { adminClient } from '@git-remote-s3/test-harness/server';
import { startThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { describe, expect } from 'vitest';

/** The lock TTL of every push here: a lock left behind would refuse the next push for a minute. */
const TTL = { GIT_REMOTE_S3_LOCK_TTL: '60' };

/** Starts `git push` in its own process group, as a terminal would, with its own TMPDIR. */
function startPush(world: World, cwd: string, env: Record<string, string>) {
  const child = spawn('git', ['push', 'origin', 'main'], {
    cwd,
    env: { ...world.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const done = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr })));
  return { pid: child.pid ?? 0, done };
}

/** The pid of the `git-remote-s3` helper in process group `pgid`, once git has started it. */
async function helperPid(pgid: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const ps = execFileSync('ps', ['-o', 'pid=,pgid=,args=', '-A'], { encoding: 'utf8' });
    for (const line of ps.split('\n')) {
      const [pid, group, ...args] = line.trim().split(/\s+/);
      if (Number(group) === pgid && args.join(' ').includes('git-remote-s3') && !args.includes('push')) return Number(pid);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no git-remote-s3 helper in process group ${pgid}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** How long the helper took to exit after the interruption (it gives up its cleanup after 3 s). */
async function exitTime(pid: number, from: number): Promise<number> {
  while (alive(pid) && Date.now() - from < 30_000) await new Promise((r) => setTimeout(r, 50));
  return Date.now() - from;
}

async function waitFor(check: () => Promise<boolean>, what: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const INTERRUPTIONS = {
  'Ctrl-C (SIGINT to the process group)': (gitPid: number) => process.kill(-gitPid, 'SIGINT'),
  'git alone killed (the helper sees its stdin close)': (gitPid: number) => process.kill(gitPid, 'SIGKILL'),
} as const;

describe.each(LAYOUTS)('an interrupted push on the %s layout', (layout) => {
  const test = testOnLayout(layout);

  for (const [how, interrupt] of Object.entries(INTERRUPTIONS)) {
    test(`after ${how}, leaves no lock, upload or temporary directory, and the next push succeeds at once`, async ({ world }) => {
      const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 1024 * 1024 });
      try {
        const tmp = join(world.dir, 'tmp');
        await mkdir(tmp);
        const url = world.url('r');
        const src = await repoWithRemote(world, 'src', url);
        await world.git(['push', '-q', 'origin', 'main'], src, { env: TTL });
        const old = (await world.git(['rev-parse', 'HEAD'], src)).trim();
        // Incompressible and over the 5 MiB parts: a multipart upload, about 12 s through the proxy.
        await writeFile(join(src, 'big.bin'), randomBytes(12 * 1024 * 1024));
        await world.git(['add', 'big.bin'], src);
        await world.git(['commit', '-q', '-m', 'add big.bin'], src);
        const now = (await world.git(['rev-parse', 'HEAD'], src)).trim();

        const push = startPush(world, src, { ...TTL, TMPDIR: tmp, GIT_REMOTE_S3_PART_SIZE: '5MiB', AWS_ENDPOINT_URL: proxy.endpoint });
        const helper = await helperPid(push.pid);
        await waitFor(
          async () => (proxy.stats.byType['UPLOAD-PART'] ?? 0) > 0,
          () => `the first part of the upload (requests: ${JSON.stringify(proxy.stats.byType)})`,
        );
        await new Promise((r) => setTimeout(r, 1000)); // well into the upload
        if (layout === 'bundle') expect(await world.store.head('r/refs/heads/main/LOCK#.lock')).toBeDefined();
        if (layout === 'packs') expect((await readdir(tmp)).filter((d) => d.startsWith('git-remote-s3-'))).toHaveLength(1);
        const interruptedAt = Date.now();
        interrupt(push.pid);
        await push.done;
        const took = await exitTime(helper, interruptedAt);
        expect(took).toBeLessThan(8_000);

        expect((await remoteKeys(world, 'r')).filter((k) => k.endsWith('LOCK#.lock'))).toStrictEqual([]);
        expect((await readdir(tmp)).filter((d) => d.startsWith('git-remote-s3-'))).toStrictEqual([]);
        const admin = adminClient(world.server);
        try {
          const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: world.bucket, Prefix: 'r/' }));
          expect(uploads.Uploads ?? []).toStrictEqual([]);
        } finally {
          admin.destroy();
        }
        const tip = (await lsRemote(world, url)).get('refs/heads/main');
        expect([old, now]).toContain(tip);
        await world.git(['clone', '-q', url, 'after'], world.dir);
        expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'after'))).trim()).toBe(tip);

        const again = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: TTL });
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).not.toContain('took over the stale lock');
        expect((await lsRemote(world, url)).get('refs/heads/main')).toBe(now);
      } finally {
        await proxy.close();
      }
    });
  }
});
