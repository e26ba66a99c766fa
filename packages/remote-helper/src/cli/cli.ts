// The management CLI (`git s3 <command>`, `git-remote-s3 <command>`): one clipanion command per file under
// commands/; a command line that does not parse is a usage mistake, reported by core like any other failure.
import { log, verbosityFromEnv } from '@git-remote-s3/core';
import { type BaseContext, Builtins, Cli, type Command } from 'clipanion';
import { VERSION_LINE } from '../version.js';
import { reportFailure } from './cli-command.js';
import { DeleteBranchCommand } from './commands/delete-branch.js';
import { DoctorCommand } from './commands/doctor.js';
import { GcCommand } from './commands/gc.js';
import { ListCommand } from './commands/list.js';
import { LogCommand } from './commands/log.js';
import { MigrateCommand } from './commands/migrate.js';
import { ProtectCommand } from './commands/protect.js';
import { UnprotectCommand } from './commands/unprotect.js';
import { joinNegativeValues } from './negative-values.js';

/** `invokedAs` is the program's file name: as `git-s3` the commands are shown as `git s3 <command>`. */
export async function runCli(args: readonly string[], invokedAs: string, context: Partial<BaseContext> = {}): Promise<number> {
  log.verbosity = verbosityFromEnv(process.env) ?? log.verbosity;
  const cli = new Cli({
    binaryName: invokedAs === 'git-s3' ? 'git s3' : invokedAs,
    // The help's first line and --version's one line: the tool, its version and its runtime.
    binaryVersion: VERSION_LINE,
    enableColors: process.stdout.isTTY === true && !process.env.NO_COLOR,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  // `--clipanion=definitions`: every command's usage as JSON, which scripts/build-man.mjs turns into the man page.
  cli.register(Builtins.DefinitionsCommand);
  for (const command of [
    ListCommand,
    LogCommand,
    DoctorCommand,
    GcCommand,
    MigrateCommand,
    DeleteBranchCommand,
    ProtectCommand,
    UnprotectCommand,
  ])
    cli.register(command);

  const full = { ...Cli.defaultContext, ...context };
  let command: Command;
  try {
    command = cli.process(args.length === 0 ? ['--help'] : joinNegativeValues(args), full);
  } catch (error) {
    return reportFailure(error, (text) => full.stderr.write(text), cli.binaryName);
  }
  return cli.run(command, full);
}
