// Git and git-lfs start both programs through their `#!/usr/bin/env node` line, so they run under the first node
// on PATH: the node this suite was started with, or the release .ci/run names in GIT_REMOTE_S3_TEST_NODE when it
// runs the suite again on Node 22 and 24.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from '@git-remote-s3/test-harness/context';
import { initRepo } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

const expected = `v${process.env.GIT_REMOTE_S3_TEST_NODE ?? process.versions.node}`;

describe('node version', () => {
  test(`a push and a clone with an LFS file run git-remote-s3 and git-lfs-s3 under node ${expected}`, async ({ world }) => {
    // Every node process started below appends "<program> <version>" to the record through NODE_OPTIONS.
    const record = join(world.dir, 'node-versions.txt');
    const recorder = join(world.dir, 'record-node.cjs');
    await writeFile(
      recorder,
      `require('fs').appendFileSync(${JSON.stringify(record)}, require('path').basename(process.argv[1] || '') + ' ' + process.version + '\\n');\n`,
    );
    const env = { NODE_OPTIONS: `--require ${JSON.stringify(recorder)}` };
    const url = world.url('node/repo');
    await world.git(['lfs', 'install', '--skip-repo'], world.dir);
    const repo = await initRepo(world, 'src');
    await world.git(['remote', 'add', 'origin', url], repo);
    await world.git(['lfs', 'track', '*.bin'], repo);
    await writeFile(join(repo, 'asset.bin'), 'lfs content\n');
    await world.git(['add', '.gitattributes', 'asset.bin'], repo);
    await world.git(['commit', '-q', '-m', 'an lfs file'], repo);
    await world.git(['push', '-q', 'origin', 'main'], repo, { env });
    await world.git(['clone', '-q', url, 'copy'], world.dir, { env });
    expect(await readFile(join(world.dir, 'copy', 'asset.bin'), 'utf8')).toBe('lfs content\n');

    const lines = (await readFile(record, 'utf8')).trim().split('\n');
    expect(new Set(lines.map((line) => line.split(' ')[0]))).toEqual(new Set(['git-remote-s3', 'git-lfs-s3']));
    expect(new Set(lines.map((line) => line.split(' ')[1]))).toEqual(new Set([expected]));
  });
});
