// The git-lfs-s3 commands: one clipanion command per file under commands/, registered here; a command line
// that does not parse is a usage mistake, reported by core as `git s3` reports it.
import { log, reportFailure } from '@git-remote-s3/core';
import { type BaseContext, Builtins, Cli, type Command } from 'clipanion';
import { DisableDebugCommand, EnableDebugCommand } from './commands/debug.js';
import { InstallCommand } from './commands/install.js';
import { UninstallCommand } from './commands/uninstall.js';
import { VERSION_LINE } from './version.js';

export async function runCli(args: readonly string[], context: Partial<BaseContext> = {}): Promise<number> {
  const cli = new Cli({
    binaryName: 'git-lfs-s3',
    // The help's first line and --version's one line: the tool, its version and its runtime.
    binaryVersion: VERSION_LINE,
    enableColors: process.stdout.isTTY === true && !process.env.NO_COLOR,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  // `--clipanion=definitions`: every command's usage as JSON, which scripts/build-man.mjs turns into the man page.
  cli.register(Builtins.DefinitionsCommand);
  for (const command of [InstallCommand, UninstallCommand, EnableDebugCommand, DisableDebugCommand]) cli.register(command);

  const full = { ...Cli.defaultContext, ...context };
  let command: Command;
  try {
    command = cli.process([...args], full);
  } catch (error) {
    return reportFailure(error, (text) => full.stderr.write(text), log.verbosity >= 2, cli.binaryName);
  }
  return cli.run(command, full);
}
