// What an interrupted process (SIGINT, SIGTERM, SIGHUP, git going away) removes before it exits (DESIGN §11):
// everything it holds that it can undo — locks, multipart uploads, temporary directories — registers here.

import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from './log.js';

/** How long cleanup may take before the process exits anyway (a lock left behind expires after its TTL). */
const INTERRUPT_CLEANUP_MS = 3_000;

/** git's conventional exit codes: 128 + the signal's number. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

const undos = new Set<() => unknown>();
let interrupted = false;

/** Registers `undo` to run if the process is interrupted; call the returned function once it is no longer needed. */
export function onInterrupt(undo: () => unknown): () => void {
  undos.add(undo);
  return () => {
    undos.delete(undo);
  };
}

/** Whether anything is registered: the process is in the middle of work it would have to undo. */
export function holdsAnything(): boolean {
  return undos.size > 0;
}

/** True once an interruption began: the normal exit path then leaves exiting to it. */
export function isInterrupted(): boolean {
  return interrupted;
}

/** Runs every registered undo at once (each at most once), for at most `timeoutMs`. Never throws. */
export async function runInterruptUndos(timeoutMs = INTERRUPT_CLEANUP_MS): Promise<void> {
  const all = [...undos];
  undos.clear();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  const work = Promise.allSettled(
    all.map(async (undo) => {
      try {
        await undo();
      } catch (error) {
        log.debug(`cleanup after an interruption failed: ${(error as Error).message}`);
      }
    }),
  );
  await Promise.race([work, deadline]);
  clearTimeout(timer);
}

/**
 * Undoes what the process holds, then exits with `code`. Later interruptions change nothing: git passes a
 * terminal's SIGINT on to its helper, which already got it from the process group, and git going away
 * follows from it; the cleanup is bounded anyway.
 */
export function exitInterrupted(code: number): void {
  if (interrupted) return;
  interrupted = true;
  void runInterruptUndos().finally(() => process.exit(code));
}

/** Installs the handlers: SIGINT, SIGTERM and SIGHUP clean up and exit with 128 + the signal's number. */
export function handleInterrupts(): void {
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.on(signal, () => exitInterrupted(code));
  }
}

const tempDirs = new Map<string, () => void>();

/** A new temporary directory named `<prefix>XXXXXX` that an interruption removes. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.set(
    dir,
    onInterrupt(() => rmSync(dir, { recursive: true, force: true })),
  );
  return dir;
}

/** Removes a directory made by makeTempDir. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tempDirs.get(dir)?.();
  tempDirs.delete(dir);
}
