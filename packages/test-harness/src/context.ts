// The per-test world: a fresh bucket on the run's S3 server, a temporary HOME with a git identity, an
// environment with the endpoint, dummy credentials and the built binaries first on PATH, and helpers to
// run real commands in it.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type ObjectStore, openStore } from '@git-remote-s3/core';
import { test as base, inject } from 'vitest';
import { BIN_DIRS } from './paths.js';
import { type RunOptions, type RunResult, run } from './process.js';

export type { RunOptions, RunResult } from './process.js';

import { adminClient, type Capabilities, createBucket, deleteBucket, isolatedEnv, type ServerInfo } from './server.js';

export interface World {
  readonly server: ServerInfo;
  readonly bucket: string;
  /** Scratch directory of this test (HOME is inside it). */
  readonly dir: string;
  readonly home: string;
  /** Environment for child processes: never the developer's own AWS or git settings. */
  readonly env: Readonly<Record<string, string>>;
  /** A store on the test bucket, for looking at what the programs wrote. */
  readonly store: ObjectStore;
  url(prefix: string, scheme?: 's3' | 's3+zip'): string;
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Runs git and fails the test with git's stderr when it exits non-zero. */
  git(args: readonly string[], cwd: string, options?: RunOptions): Promise<string>;
}

async function createWorld(): Promise<World & { dispose(): Promise<void> }> {
  const server = inject('s3');
  const bucket = `t-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const admin = adminClient(server);
  await createBucket(admin, bucket);
  const dir = await mkdtemp(join(tmpdir(), 'git-remote-s3-e2e-'));
  const home = join(dir, 'home');
  await mkdir(home);
  await writeFile(
    join(home, '.gitconfig'),
    '[user]\n\tname = E2E Tester\n\temail = e2e@example.com\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n[protocol "s3"]\n\tallow = always\n',
  );
  const env: Record<string, string> = {
    ...isolatedEnv(server, home),
    PATH: [...BIN_DIRS, process.env.PATH ?? ''].join(delimiter),
    TMPDIR: tmpdir(),
  };
  const store = await openStore({
    bucket,
    endpoint: server.endpoint,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    env: {},
  });
  const world: World & { dispose(): Promise<void> } = {
    server,
    bucket,
    dir,
    home,
    env,
    store,
    url: (prefix, scheme = 's3') => `${scheme}://${bucket}/${prefix}`,
    run: (command, args, options) => run(command, args, env, options),
    async git(args, cwd, options) {
      const result = await run('git', args, env, { ...options, cwd });
      if (result.code !== 0) throw new Error(`git ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
      return result.stdout;
    },
    async dispose() {
      store.close();
      await deleteBucket(admin, bucket);
      admin.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** True when the run's server does not offer what a test needs to set its scene: `test.skipIf(serverLacks(…))`. */
export function serverLacks(capability: keyof Capabilities): boolean {
  return !inject('s3').capabilities[capability];
}

/** `test` with a fresh `world` per test, disposed afterwards. */
export const test = base.extend<{ world: World }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies by destructuring
  world: async ({}, use) => {
    const world = await createWorld();
    try {
      await use(world);
    } finally {
      await world.dispose();
    }
  },
});
