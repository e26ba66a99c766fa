#!/usr/bin/env node
// Entry of git-lfs-s3: with no arguments git-lfs runs it as a standalone transfer agent (JSON lines on
// stdin/stdout); with a command (install, uninstall, enable-debug, …) it is the CLI.
const args = process.argv.slice(2);

if (args.length === 0) {
  const { runAgent } = await import('./agent.js');
  process.exitCode = await runAgent();
} else {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(args);
}
