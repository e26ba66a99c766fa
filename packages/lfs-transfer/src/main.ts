#!/usr/bin/env node
// Entry of git-lfs-s3: git-lfs runs it as a standalone transfer agent (no arguments, or `debug` as set by
// `enable-debug`), JSON lines on stdin/stdout; with a command (install, uninstall, …) it is the CLI.
import { handleInterrupts, isInterrupted } from '@git-remote-s3/core/interrupt';

// An interrupted agent aborts its multipart uploads and removes its partial downloads before it exits.
handleInterrupts();
const args = process.argv.slice(2);

if (args.length === 0 || (args.length === 1 && (args[0] === 'debug' || args[0] === '--debug'))) {
  const { runAgent } = await import('./agent.js');
  const code = await runAgent({ debug: args.length === 1 });
  process.stdout.write('', () => isInterrupted() || process.exit(code));
} else {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(args);
}
