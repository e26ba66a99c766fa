#!/usr/bin/env node
// Entry of git-remote-s3, git-remote-s3+zip, git-remote-amazon-s3 and git-s3. With exactly
// `<remote> <url>` and a URL we recognise it is git's remote helper; anything else, and `git s3` always,
// is the management CLI (invocation.ts). Each side is imported lazily so start-up loads only what the
// invocation needs.
import { basename } from 'node:path';
import { exitInterrupted, handleInterrupts, isInterrupted } from '@git-remote-s3/core/interrupt';
import { isHelperInvocation } from './invocation.js';

const args = process.argv.slice(2);
const invokedAs = basename(process.argv[1] ?? 'git-remote-s3');
// An interrupted process undoes what it holds (locks, uploads, temporary directories) before it exits.
handleInterrupts();
const exit = (code: number) => {
  process.exitCode = code;
};

if (isHelperInvocation(args, invokedAs, process.env)) {
  const { runHelper } = await import('./helper/helper.js');
  const code = await runHelper(args[0] ?? '', args[1] ?? '');
  // Everything written is flushed by now; end here rather than wait for stdin, sockets or timers.
  // Once interrupted, the interruption's cleanup ends the process, with the signal's exit code.
  process.stdout.write('', () => isInterrupted() || process.exit(code));
} else {
  // A reader that stopped early (`git s3 list | head`) wants no more: stop quietly, as git's own commands do,
  // after undoing what the command holds.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exitInterrupted(0);
  });
  const { runCli } = await import('./cli/cli.js');
  exit(await runCli(args, invokedAs));
}
