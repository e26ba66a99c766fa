// For unit tests of the two command lines (never imported by production code): runs one with in-memory
// stdout and stderr, and gives back the exit code and what each stream received.
import { PassThrough, type Writable } from 'node:stream';

export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function captureOutput(run: (io: { stdout: Writable; stderr: Writable }) => Promise<number>): Promise<CapturedRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await run({ stdout, stderr });
  return { code, stdout: out, stderr: err };
}
