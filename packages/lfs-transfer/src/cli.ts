// The git-lfs-s3 commands (install, uninstall, enable-debug, disable-debug): one clipanion command per file.
import { Builtins, Cli } from 'clipanion';
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
  return cli.run([...args]);
}
