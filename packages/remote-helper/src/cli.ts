// The management CLI (`git s3 <command>`, `git-remote-s3 <command>`): one clipanion command per file under
// commands/; expected errors become one line and a non-zero exit, anything else is reported as a bug.
import { basename } from 'node:path';
import { Builtins, Cli } from 'clipanion';
import { VERSION } from './version.js';

export async function runCli(args: readonly string[]): Promise<number> {
  const invokedAs = basename(process.argv[1] ?? 'git-remote-s3');
  const cli = new Cli({
    binaryLabel: 'git-remote-s3',
    binaryName: invokedAs === 'git-s3' ? 'git s3' : invokedAs,
    binaryVersion: VERSION,
    enableColors: process.stdout.isTTY === true && !process.env.NO_COLOR,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  return cli.run(args.length === 0 ? ['--help'] : [...args]);
}
