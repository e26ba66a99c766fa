// Deterministic repositories for the benchmarks, generated with `git fast-import` from a seeded AES-CTR
// stream: the same commits, ids and bytes on every run and every machine.
import { spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Incompressible, reproducible bytes: AES-128-CTR of zeros under a key derived from `seed`. */
export function pseudoRandom(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

export interface HistoryShape {
  readonly commits: number;
  /** Bytes of new content per commit; commits × this ≈ the history's size. */
  readonly bytesPerCommit: number;
}

/** `git init` + fast-import of a linear history on main (files rewritten in rotation). */
export async function generateHistory(dir: string, shape: HistoryShape, env: NodeJS.ProcessEnv): Promise<void> {
  await run('git', ['init', '-q', '-b', 'main', dir], env);
  const child = spawn('git', ['fast-import', '--quiet'], { cwd: dir, env, stdio: ['pipe', 'ignore', 'inherit'] });
  const write = async (chunk: Buffer | string) => {
    if (!child.stdin.write(chunk)) await once(child.stdin, 'drain');
  };
  const start = 1_700_000_000;
  for (let i = 0; i < shape.commits; i++) {
    const blob = pseudoRandom(`blob ${i}`, shape.bytesPerCommit);
    await write(`blob\nmark :${2 * i + 1}\ndata ${blob.length}\n`);
    await write(blob);
    const message = `commit ${i}\n`;
    const when = `${start + i * 60} +0000`;
    await write(
      `\ncommit refs/heads/main\nmark :${2 * i + 2}\nauthor Bench <bench@example.com> ${when}\ncommitter Bench <bench@example.com> ${when}\n`,
    );
    await write(`data ${Buffer.byteLength(message)}\n${message}`);
    if (i > 0) await write(`from :${2 * i}\n`);
    await write(`M 100644 :${2 * i + 1} data/file-${String(i % 200).padStart(3, '0')}.bin\n\n`);
  }
  child.stdin.end();
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`git fast-import exited with ${code}`);
  await run('git', ['reset', '-q', '--hard', 'main'], env, dir);
}

/** One more small commit on top, for incremental push and fetch. */
export async function addSmallCommit(dir: string, n: number, env: NodeJS.ProcessEnv): Promise<void> {
  await writeFile(join(dir, `small-${n}.txt`), `small change ${n}\n`);
  await run('git', ['add', '.'], env, dir);
  await run('git', ['commit', '-q', '-m', `small ${n}`], env, dir);
}

export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`)),
    );
  });
}
