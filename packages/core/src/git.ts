// Runs git subprocesses without a shell: captured or streamed stdin/stdout, errors that quote the command
// and its stderr, a clear message when git is missing.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { GitFailedError, GitMissingError } from './errors.js';
import { log } from './log.js';

export interface GitOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Text for git's stdin. */
  readonly input?: string;
  /** Exit codes that are answers rather than failures (e.g. 1 for `merge-base --is-ancestor`). */
  readonly okExitCodes?: readonly number[];
  /**
   * `inherit` also shows git's stderr to the user (its progress meters), a writer (a shared terminal's turn)
   * gets it instead; the tail is kept for errors either way.
   */
  readonly stderr?: 'capture' | 'inherit' | { write(chunk: Buffer): void };
}

export interface GitResult {
  readonly stdout: string;
  readonly exitCode: number;
}

export interface GitProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Resolves when git exits 0 (or an ok code); rejects with GitFailedError otherwise. */
  readonly done: Promise<number>;
  kill(): void;
}

const STDERR_KEEP = 64 * 1024;

/** Runs git and returns its stdout. */
export async function git(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const proc = spawnGit(args, options);
  const chunks: Buffer[] = [];
  proc.stdout.on('data', (c: Buffer) => chunks.push(c));
  if (options.input !== undefined) proc.stdin.end(options.input);
  else proc.stdin.end();
  const exitCode = await proc.done;
  return { stdout: Buffer.concat(chunks).toString('utf8'), exitCode };
}

/** Starts git with piped stdin/stdout; the caller streams them and awaits `done`. */
export function spawnGit(args: readonly string[], options: GitOptions = {}): GitProcess {
  log.debug(`git ${args.join(' ')}`);
  let child: ChildProcess;
  try {
    child = spawn('git', args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new GitMissingError((error as Error).message);
  }
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (options.stderr === 'inherit') process.stderr.write(c);
    else if (typeof options.stderr === 'object') options.stderr.write(c);
    stderr = (stderr + c.toString('utf8')).slice(-STDERR_KEEP);
  });
  // A consumer that stops reading (or git exiting early) must not crash us with EPIPE.
  child.stdin?.on('error', () => {});
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      // git could not be started at all (not installed, not executable, no processes left): never a raw errno.
      reject(new GitMissingError(error.code === 'ENOENT' ? 'git: command not found' : `spawn git: ${error.code ?? error.message}`));
    });
    child.on('close', (code) => {
      if (code !== null && (code === 0 || options.okExitCodes?.includes(code))) resolve(code);
      else reject(new GitFailedError(args, code, stderr));
    });
  });
  return {
    stdin: child.stdin as Writable,
    stdout: child.stdout as Readable,
    done,
    kill: () => child.kill('SIGTERM'),
  };
}
