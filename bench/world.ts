// The benchmark's world: the embedded S3 server with the counting (and optionally slowing) proxy in front,
// a bucket, scratch directories, and environments in which git runs our helpers (in either bucket layout),
// the Python peer's, or no helper at all (git over file://). Each measured program of ours and the peer's
// records its peak RSS.
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type ObjectStore, openStore } from '@git-remote-s3/core';
import { awslabsDir, ensureAwslabs } from '@git-remote-s3/test-harness/awslabs';
import { startMinio } from '@git-remote-s3/test-harness/minio';
import { REPO_ROOT } from '@git-remote-s3/test-harness/paths';
import { adminClient, createBucket, isolatedEnv } from '@git-remote-s3/test-harness/server';
import { type ProxyStats, startThrottleProxy, type ThrottleProxy } from '@git-remote-s3/test-harness/throttle-proxy';

/**
 * Who does the work. `ours` is our helpers where the bucket layout plays no part (start-up, LFS);
 * `ours (bundle)` and `ours (packs)` are our helper creating and using each layout of DESIGN §3 and §4.
 */
export type Subject = 'ours' | 'ours (bundle)' | 'ours (packs)' | 'git file://' | 'raw SDK' | 'awslabs (python)' | 'node -e 0';

export interface Sample {
  readonly wallMs: number;
  readonly up: number;
  readonly down: number;
  readonly requests: Readonly<Record<string, number>>;
  /** Largest peak RSS among the measured processes (KiB), when any ran. */
  readonly peakRssKb: number | undefined;
}

export interface BenchOptions {
  readonly latencyMs: number;
  readonly bandwidthMbps: number | undefined;
  readonly withPeer: boolean;
}

export interface BenchWorld {
  readonly bucket: string;
  readonly dir: string;
  readonly proxy: ThrottleProxy;
  /** A store through the proxy: the raw-SDK baseline and checks. */
  readonly store: ObjectStore;
  readonly options: BenchOptions;
  env(subject: Subject): NodeJS.ProcessEnv;
  /** Runs `work` and returns what it cost: time, bytes and requests through the proxy, peak RSS. */
  measure(work: () => Promise<void>): Promise<Sample>;
  close(): Promise<void>;
}

const OURS = {
  'git-remote-s3': join(REPO_ROOT, 'packages', 'remote-helper', 'dist', 'main.js'),
  'git-lfs-s3': join(REPO_ROOT, 'packages', 'remote-helper', 'dist', 'lfs-transfer.js'),
};
const PEER_ENTRIES = { 'git-remote-s3': 'git_remote_s3.remote', 'git-lfs-s3': 'git_remote_s3.lfs' };

export async function openBenchWorld(options: BenchOptions): Promise<BenchWorld> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const server = await startMinio();
  const proxy = await startThrottleProxy({
    target: server.endpoint,
    latencyMs: options.latencyMs,
    ...(options.bandwidthMbps ? { bytesPerSecond: (options.bandwidthMbps * 1_000_000) / 8 } : {}),
  });
  const bucket = 'bench';
  const admin = adminClient(server);
  await createBucket(admin, bucket);
  admin.destroy();
  const dir = await mkdtemp(join(tmpdir(), 'git-remote-s3-bench-'));
  const home = join(dir, 'home');
  const rssLog = join(dir, 'rss.log');
  await mkdir(home);
  await writeFile(join(home, '.gitconfig'), '[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n');
  const base: NodeJS.ProcessEnv = {
    ...isolatedEnv(server, home, proxy.endpoint),
    PATH: process.env.PATH ?? '',
    BENCH_RSS_LOG: rssLog,
  };
  const oursBin = join(dir, 'bin-ours');
  await mkdir(oursBin);
  for (const [name, main] of Object.entries(OURS)) {
    await script(join(oursBin, name), `exec node --require ${join(REPO_ROOT, 'bench', 'rss-hook.cjs')} ${main} "$@"`);
  }
  let peerBin: string | undefined;
  if (options.withPeer) {
    const venv = await ensureAwslabs();
    peerBin = join(dir, 'bin-peer');
    await mkdir(peerBin);
    for (const [name, module] of Object.entries(PEER_ENTRIES)) {
      // Same record as ours: the process's own peak RSS at exit (ru_maxrss is KiB on Linux).
      const py = `import atexit,os,resource,sys;atexit.register(lambda:open(os.environ['BENCH_RSS_LOG'],'a').write('%d\\n'%resource.getrusage(resource.RUSAGE_SELF).ru_maxrss));sys.argv[0]='${name}';import ${module} as m;sys.exit(m.main())`;
      await script(join(peerBin, name), `exec ${join(venv, 'bin', 'python')} -c "${py}" "$@"`);
    }
  }
  await writeFile(join(home, '.gitconfig'), '[lfs]\n\tconcurrenttransfers = 8\n', { flag: 'a' });
  const store = await openStore({ bucket, env: base });

  return {
    bucket,
    dir,
    proxy,
    store,
    options,
    env(subject) {
      const ours = { ...base, PATH: [oursBin, base.PATH].join(delimiter) };
      if (subject === 'ours' || subject === 'ours (bundle)') return ours;
      // `s3.layout=packs` in every git command's environment (git-config(1) GIT_CONFIG_COUNT, what `git -c`
      // gives too): each helper run reads it, so each probes the packs layout first, as a configured user's does.
      if (subject === 'ours (packs)') return { ...ours, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 's3.layout', GIT_CONFIG_VALUE_0: 'packs' };
      if (subject === 'awslabs (python)') {
        if (!peerBin) throw new Error('the peer was not installed (run with --with-peer)');
        return { ...base, PATH: [peerBin, join(awslabsDir(), 'bin'), base.PATH].join(delimiter), PYTHONNOUSERSITE: '1' };
      }
      return base;
    },
    async measure(work) {
      const before = snapshot(proxy.stats);
      await rm(rssLog, { force: true });
      const started = performance.now();
      await work();
      const wallMs = performance.now() - started;
      const rss = (await readFile(rssLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
      const after = snapshot(proxy.stats);
      const requests: Record<string, number> = {};
      for (const [type, n] of Object.entries(after.byType)) {
        const delta = n - (before.byType[type] ?? 0);
        if (delta > 0) requests[type] = delta;
      }
      return {
        wallMs,
        up: after.up - before.up,
        down: after.down - before.down,
        requests,
        peakRssKb: rss.length ? Math.max(...rss) : undefined,
      };
    },
    async close() {
      store.close();
      await proxy.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function snapshot(stats: ProxyStats): ProxyStats {
  return { up: stats.up, down: stats.down, requests: stats.requests, byType: { ...stats.byType }, log: [] };
}

async function script(path: string, body: string): Promise<void> {
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

/** Runs a command to completion, failing with its stderr. */
export function exec(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr.slice(-3000)}`)),
    );
    // A program that exits without reading its input must not crash the bench with EPIPE; its exit code tells.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}
