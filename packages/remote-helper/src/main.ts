#!/usr/bin/env node
// Entry of git-remote-s3, git-remote-s3+zip, git-remote-amazon-s3 and git-s3. With exactly
// `<remote> <url>` and a URL we recognise it is git's remote helper; anything else is the management CLI.
// Each side is imported lazily so start-up loads only what the invocation needs.
import { isRemoteUrl } from '@git-remote-s3/core/url';

const args = process.argv.slice(2);
const exit = (code: number) => {
  process.exitCode = code;
};

if (args.length === 2 && isRemoteUrl(args[1] ?? '')) {
  const { runHelper } = await import('./helper.js');
  const code = await runHelper(args[0] ?? '', args[1] ?? '');
  // Everything written is flushed by now; end here rather than wait for stdin, sockets or timers.
  process.stdout.write('', () => process.exit(code));
} else {
  const { runCli } = await import('./cli.js');
  exit(await runCli(args));
}
