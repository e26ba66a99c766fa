// Interoperability with the Python awslabs git-remote-s3 0.3.2 on the bundle layout (DESIGN §3): each tool
// clones, fetches, pushes to and deletes from what the other wrote, on the same bucket and prefix, and the
// Python tool's doctor finds what ours wrote healthy. Which helper git runs is picked by PATH: `world.env`
// for ours, `awslabsEnv(world.env)` for theirs. Prefixes are one segment, as their doctor assumes.
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import { AWSLABS_REQUIREMENT, awslabsDir, awslabsEnv, ensureAwslabs } from './harness/awslabs.js';
import { test } from './harness/context.js';
import { BIN_DIRS } from './harness/paths.js';

beforeAll(async () => {
  await ensureAwslabs();
});

describe(`interoperability with the Python ${AWSLABS_REQUIREMENT}`, () => {
  test('the awslabs environment runs the Python git-remote-s3, git-s3 and git-lfs-s3, and ours otherwise', async ({ world }) => {
    const which = 'for c in git-remote-s3 git-s3 git-lfs-s3; do command -v "$c"; done';
    const theirs = await world.run('sh', ['-c', which], { env: awslabsEnv(world.env) });
    expect(theirs.code).toBe(0);
    expect(theirs.stdout.trim().split('\n').map(dirname)).toEqual(Array(3).fill(join(awslabsDir(), 'bin')));
    const ours = await world.run('sh', ['-c', which]);
    expect(ours.code).toBe(0);
    expect(ours.stdout.trim().split('\n').map(dirname)).toEqual([BIN_DIRS[0], BIN_DIRS[0], BIN_DIRS[1]]);
  });
});
