// The git-lfs-s3 commands: one clipanion command per file under commands/, registered here.
import { Builtins, Cli } from 'clipanion';
import { DisableDebugCommand, EnableDebugCommand } from './commands/debug.js';
import { InstallCommand } from './commands/install.js';
import { UninstallCommand } from './commands/uninstall.js';
import { VERSION } from './version.js';

export async function runCli(args: readonly string[]): Promise<number> {
  const cli = new Cli({
    binaryLabel: 'git-lfs-s3',
    binaryName: 'git-lfs-s3',
    binaryVersion: VERSION,
    enableColors: process.stdout.isTTY === true && !process.env.NO_COLOR,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of [InstallCommand, UninstallCommand, EnableDebugCommand, DisableDebugCommand]) cli.register(command);
  return cli.run([...args]);
}
