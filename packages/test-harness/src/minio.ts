// The test S3 server: MinIO, built from source with the machine's Go toolchain (its documented
// `go install`), pinned here and nowhere else, cached outside the repository, started per run on a random
// free port of 127.0.0.1 with its own data directory and credentials (or, for `pnpm s3-server`, a chosen port
// and a kept data directory).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const MINIO_MODULE = 'github.com/minio/minio';
const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

export interface S3Server {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** What it is, for reports: `minio v0.0.0-…` or `external <endpoint>`. */
  readonly label: string;
  stop(): Promise<void>;
}

export function cacheDir(): string {
  const base = process.env.GIT_REMOTE_S3_TEST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'git-remote-s3');
  return base;
}

function minioBinaryPath(): string {
  return join(cacheDir(), `minio-${MINIO_VERSION}`, 'minio');
}

/** Builds MinIO once (a few minutes on a fresh machine), printing go's progress; reuses the cached binary. */
export async function ensureMinio(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const target = minioBinaryPath();
  if (existsSync(target)) return target;
  const dir = join(cacheDir(), `minio-${MINIO_VERSION}`);
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(cacheDir(), 'minio-build-'));
  const started = Date.now();
  log(`building MinIO ${MINIO_VERSION} from source with go (first run only; cached in ${dir})`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', `${MINIO_MODULE}@${MINIO_VERSION}`], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let downloads = 0;
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      downloads += (text.match(/go: downloading/g) ?? []).length;
    });
    const ticker = setInterval(() => {
      log(`  …still building MinIO: ${Math.round((Date.now() - started) / 1000)}s, ${downloads} modules downloaded`);
    }, 15_000);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`cannot run go (${error.message}); install Go to build the test S3 server`));
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go install ${MINIO_MODULE}@${MINIO_VERSION} failed (exit ${code}):\n${tail}`));
    });
  });
  await rename(join(staging, 'minio'), target);
  await rm(staging, { recursive: true, force: true });
  log(`built MinIO in ${Math.round((Date.now() - started) / 1000)}s`);
  return target;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface MinioOptions {
  /** Extra server environment, e.g. `{ MINIO_REGION: 'eu-west-3' }` for a bucket in another region. */
  readonly env?: Readonly<Record<string, string>>;
  /** Listen here instead of on a random free port. */
  readonly port?: number;
  /** Keep the data (and the credentials, so the same exports work again) here across runs, instead of a temporary directory. */
  readonly dataDir?: string;
}

/** The credentials kept beside a kept data directory: made once, so a restart serves the same remote to the same shell. */
async function keptCredentials(dataDir: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const file = join(dataDir, 'credentials.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8'));
  const credentials = { accessKeyId: `test${randomBytes(6).toString('hex')}`, secretAccessKey: randomBytes(18).toString('hex') };
  await writeFile(file, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
  return credentials;
}

/** Starts MinIO on 127.0.0.1 and waits until it answers its readiness check. */
export async function startMinio(options: MinioOptions = {}): Promise<S3Server> {
  const region = options.env?.MINIO_REGION ?? 'us-east-1';
  const binary = await ensureMinio();
  const kept = options.dataDir !== undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'git-remote-s3-minio-')));
  if (kept) await mkdir(dataDir, { recursive: true });
  const { accessKeyId, secretAccessKey } = kept
    ? await keptCredentials(dataDir)
    : { accessKeyId: `test${randomBytes(6).toString('hex')}`, secretAccessKey: randomBytes(18).toString('hex') };
  for (let attempt = 0; ; attempt++) {
    const [port, consolePort] = [options.port ?? (await freePort()), await freePort()];
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(
      binary,
      ['server', join(dataDir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dataDir,
          MINIO_ROOT_USER: accessKeyId,
          MINIO_ROOT_PASSWORD: secretAccessKey,
          MINIO_BROWSER: 'off',
          MINIO_UPDATE: 'off',
          MINIO_CALLHOME_ENABLE: 'off',
          MINIO_REGION: 'us-east-1',
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
    child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
    const ready = await waitReady(endpoint, child);
    if (ready) {
      return {
        endpoint,
        accessKeyId,
        secretAccessKey,
        region,
        label: `minio ${MINIO_VERSION}${region === 'us-east-1' ? '' : ` in ${region}`}`,
        stop: async () => {
          await stopProcess(child);
          if (!kept) await rm(dataDir, { recursive: true, force: true });
        },
      };
    }
    await stopProcess(child);
    // a random port taken meanwhile is worth another try; a chosen one is not
    if (attempt >= 2 || options.port !== undefined) throw new Error(`MinIO did not start on ${endpoint}:\n${output}`);
  }
}

async function waitReady(endpoint: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const response = await fetch(`${endpoint}/minio/health/ready`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('close', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
