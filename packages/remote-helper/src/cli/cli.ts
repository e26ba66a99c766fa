// The management CLI (`git s3 <command>`, `git-remote-s3 <command>`): one clipanion command per file under
// commands/; a command line that does not parse is reported like any other failure (cli-command.ts).
import { log, printable, verbosityFromEnv } from '@git-remote-s3/core';
import { type BaseContext, Builtins, Cli, type Command, UsageError } from 'clipanion';
import { VERSION } from '../version.js';
import { reportFailure } from './cli-command.js';
import { DeleteBranchCommand } from './commands/delete-branch.js';
import { DoctorCommand } from './commands/doctor.js';
import { GcCommand } from './commands/gc.js';
import { ListCommand } from './commands/list.js';
import { MigrateCommand } from './commands/migrate.js';
import { ProtectCommand } from './commands/protect.js';
import { UnprotectCommand } from './commands/unprotect.js';

/** `invokedAs` is the program's file name: as `git-s3` the commands are shown as `git s3 <command>`. */
export async function runCli(args: readonly string[], invokedAs: string, context: Partial<BaseContext> = {}): Promise<number> {
  log.verbosity = verbosityFromEnv(process.env) ?? log.verbosity;
  const cli = new Cli({
    binaryLabel: 'git-remote-s3',
    binaryName: invokedAs === 'git-s3' ? 'git s3' : invokedAs,
    binaryVersion: VERSION,
    enableColors: process.stdout.isTTY === true && !process.env.NO_COLOR,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of [ListCommand, DoctorCommand, GcCommand, MigrateCommand, DeleteBranchCommand, ProtectCommand, UnprotectCommand])
    cli.register(command);

  const full = { ...Cli.defaultContext, ...context };
  let command: Command;
  try {
    command = cli.process(args.length === 0 ? ['--help'] : [...args], full);
  } catch (error) {
    return reportFailure(syntaxError(error, cli.binaryName), (text) => full.stderr.write(text));
  }
  return cli.run(command, full);
}

/** clipanion's UnknownSyntaxError, which the package does not export. */
interface UnknownSyntax extends Error {
  readonly input: readonly string[];
  readonly candidates: readonly { readonly usage: string; readonly reason: string | null }[];
}

const isUnknownSyntax = (error: unknown): error is UnknownSyntax =>
  error instanceof Error && error.name === 'UnknownSyntaxError' && Array.isArray((error as Partial<UnknownSyntax>).candidates);

/**
 * clipanion's parse errors, which span many lines, as a usage error in git's voice: what is wrong, then
 * the usage of the commands the words could have meant.
 */
function syntaxError(error: unknown, binaryName: string): unknown {
  if (!isUnknownSyntax(error)) return error;
  const reasons = new Set(error.candidates.map((c) => c.reason));
  const [reason] = reasons;
  const usages = error.candidates.map((c) => `usage: ${c.usage}`);
  if (reasons.size === 1 && reason) return new UsageError([reason.replace(/\.$/, '').toLowerCase(), ...usages].join('\n'));
  // clipanion ends its input with a NUL token.
  const word = error.input.find((w) => w !== '\u0000' && !w.startsWith('-')) ?? error.input.join(' ');
  return new UsageError(`'${printable(word)}' is not a ${binaryName} command; see '${binaryName} --help'`);
}
