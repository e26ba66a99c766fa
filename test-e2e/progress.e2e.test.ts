// Progress on a terminal, on both layouts: a push shows git pack-objects' meters and ours in git's layout
// (`Uploading objects: 100% (…), …, done.`), a clone shows git index-pack's `Receiving objects`; `--quiet`
// prints nothing. git is run under a pseudo-terminal (`script`), as a user at a terminal runs it, through a
// proxy that caps the bandwidth so every transfer lasts past git's one-second delay whatever the load.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { World } from '@git-remote-s3/test-harness/context';
import { LAYOUTS, type LayoutName, testOnLayout } from '@git-remote-s3/test-harness/layouts';
import { commitFile, repoWithRemote } from '@git-remote-s3/test-harness/repo';
import { startThrottleProxy, type ThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';
import { describe, expect } from 'vitest';

const MiB = 1024 * 1024;

/** Runs `command` (a shell line) on a pseudo-terminal; returns what the terminal got, stdout and stderr together. */
async function onTerminal(world: World, command: string, cwd: string, proxy: ThrottleProxy): Promise<string> {
  const result = await world.run('script', ['-qec', command, '/dev/null'], { cwd, env: throughProxy(proxy), timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`${command} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Parts of 5 MiB one at a time: the store reports an upload's progress as each part completes. */
const throughProxy = (proxy: ThrottleProxy) => ({
  AWS_ENDPOINT_URL: proxy.endpoint,
  GIT_REMOTE_S3_PART_SIZE: '5MiB',
  GIT_REMOTE_S3_CONCURRENCY: '1',
});

/** The lines a terminal ends up showing: each `\r`-redrawn meter counts once per redraw. */
const lines = (output: string) => output.split(/[\r\n]+/).filter((l) => l.trim() !== '');

/** 12 MiB that does not compress, in three commits: at 6 MiB/s a transfer takes about two seconds. */
async function bigRepo(world: World, url: string): Promise<string> {
  const src = await repoWithRemote(world, 'src', url);
  for (let i = 0; i < 3; i++) {
    await writeFile(join(src, `data-${i}.bin`), randomBytes(4 * MiB));
    await world.git(['add', `data-${i}.bin`], src);
    await world.git(['commit', '-q', '-m', `data ${i}`], src);
  }
  return src;
}

async function throttled<T>(world: World, body: (proxy: ThrottleProxy) => Promise<T>): Promise<T> {
  const proxy = await startThrottleProxy({ target: world.server.endpoint, bytesPerSecond: 6 * MiB });
  try {
    return await body(proxy);
  } finally {
    await proxy.close();
  }
}

describe.each(LAYOUTS)('progress on the %s layout', (layout: LayoutName) => {
  const test = testOnLayout(layout);

  test("a push and a clone at a terminal show git's meters and the upload's, ending in done", async ({ world }) => {
    const url = world.url('big');
    const src = await bigRepo(world, url);
    await throttled(world, async (proxy) => {
      const pushed = lines(await onTerminal(world, 'git push origin main', src, proxy));
      // git pack-objects' own meters, let through.
      expect(pushed).toContainEqual(expect.stringMatching(/^Counting objects: 100% \(\d+\/\d+\), done\.$/));
      // Ours, in git's layout: a percentage of the bytes, bytes so far, a rate, and the final done line.
      const upload = pushed.filter((l) => l.startsWith('Uploading objects:'));
      expect(upload.at(-1)).toMatch(/^Uploading objects: 100% \(12\/12 MiB\), 12\.\d\d MiB \| \d+\.\d\d (KiB|MiB)\/s, done\.$/);
      // Drawn before the end too: a percentage under 100 (or, for a bundle still streaming from git, bytes and rate).
      expect(upload).toContainEqual(expect.stringMatching(/^Uploading objects: ( {1,2}\d{1,2}% \(\d+\/12 MiB\)|\d+\.\d\d MiB \|)/));
      expect(pushed).toContainEqual(expect.stringMatching(/^ \* \[new branch\] +main -> main$/));

      const cloned = lines(await onTerminal(world, `git clone ${url} copy`, world.dir, proxy));
      // git index-pack's meters: objects received with bytes and rate, then deltas.
      expect(cloned).toContainEqual(expect.stringMatching(/^Receiving objects: 100% \(\d+\/\d+\), 12\.\d\d MiB \| .+\/s, done\.$/));
      expect(cloned).toContainEqual(expect.stringMatching(/^Resolving deltas: 100% \(\d+\/\d+\), done\.$/));
      expect(cloned.filter((l) => l.startsWith('Receiving objects:')).length).toBeGreaterThan(1);
    });
    expect(await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).toBe(await world.git(['rev-parse', 'HEAD'], src));
  });

  test('with --quiet a push and a clone at a terminal print nothing', async ({ world }) => {
    const url = world.url('quiet');
    const src = await bigRepo(world, url);
    await throttled(world, async (proxy) => {
      expect(await onTerminal(world, 'git push --quiet origin main', src, proxy)).toBe('');
      expect(await onTerminal(world, `git clone --quiet ${url} copy`, world.dir, proxy)).toBe('');
    });
    expect(await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).toBe(await world.git(['rev-parse', 'HEAD'], src));
  });
});

describe('progress of several packs', () => {
  const test = testOnLayout('packs');

  test("a clone shows each pack's meters whole, one pack after another, and git s3 gc --progress shows them without a terminal", async ({
    world,
  }) => {
    const url = world.url('two');
    const src = await bigRepo(world, url);
    await world.git(['push', '-q', 'origin', 'main'], src);
    await commitFile(world, src, 'small.txt', 'small\n');
    await world.git(['push', '-q', 'origin', 'main'], src);
    await throttled(world, async (proxy) => {
      const cloned = lines(await onTerminal(world, `git clone ${url} copy`, world.dir, proxy));
      // Two packs download side by side; their meters must not interleave: between one pack's done line
      // and the next, every redraw counts towards the same total.
      const receiving = cloned.filter((l) => l.startsWith('Receiving objects:'));
      const done = receiving.filter((l) => / done\.$/.test(l));
      expect(done).toHaveLength(2);
      const totals = receiving.map((l) => /\(\d+\/(\d+)\)/.exec(l)?.[1]);
      const runs = totals.filter((t, i) => i === 0 || t !== totals[i - 1]);
      expect(runs).toHaveLength(2);
      expect(new Set(runs).size).toBe(2);

      const gc = await world.run('git', ['s3', 'gc', '--progress', '--grace', '0', 'origin'], { cwd: src, env: throughProxy(proxy) });
      expect(gc.code).toBe(0);
      const gcLines = lines(gc.stderr);
      expect(gcLines.filter((l) => /^Receiving objects: 100% \(\d+\/\d+\).*, done\.$/.test(l))).toHaveLength(2);
      expect(gcLines).toContainEqual(
        expect.stringMatching(/^Uploading consolidated pack: 100% \(12\/12 MiB\), 12\.\d\d MiB \| .+\/s, done\.$/),
      );
    });
  });
});
