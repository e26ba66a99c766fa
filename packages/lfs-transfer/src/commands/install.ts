// `git-lfs-s3 install [--remote <name> [--url <s3-url>]] [--global]`
import { isRemoteUrl, parseRemoteUrl, readGitConfig, remoteUrl } from '@git-remote-s3/core';
import { named } from '@git-remote-s3/core/usage-line';
import { Command, Option, UsageError } from 'clipanion';
import { AGENT, assertRepository, installEntries, s3UrlOfLfsUrl, writeEntries } from '../lfs-config.js';
import { AgentCommand } from './agent-command.js';

export class InstallCommand extends AgentCommand {
  static override paths = [['install']];
  static override usage = Command.Usage({
    description: 'make git-lfs store LFS objects in S3 through git-lfs-s3',
    details: `
      Without options, every remote of this repository uses S3 for LFS objects (at \`<prefix>/lfs/<oid>\` of the remote's URL).

      With \`--remote <name>\`, only that remote does, through a synthetic \`remote.<name>.lfsurl\`; other remotes keep their own LFS server. \`--url\` sends that remote's LFS objects to an S3 prefix even when the repository itself lives elsewhere (GitHub, a file:// remote, …).

      Clones of \`s3://\` remotes set this up on their own when git-lfs-s3 is on PATH.
    `,
    examples: [
      ['Use S3 for the LFS objects of every remote', 'git-lfs-s3 install'],
      ['Only for origin, which is an s3:// remote', 'git-lfs-s3 install --remote origin'],
      ['Keep the repository on another host and only LFS objects in S3', 'git-lfs-s3 install --remote origin --url s3://my-bucket/my-repo'],
    ],
  });

  remote = named('name', Option.String('--remote', { description: 'configure only this remote' }));
  url = named(
    's3-url',
    Option.String('--url', { description: 'the s3:// URL whose <prefix>/lfs/ holds the objects (default: the remote URL)' }),
  );
  global = Option.Boolean('--global', false, { description: 'write to ~/.gitconfig instead of this repository' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'print nothing when it succeeds' });

  protected async run(): Promise<number> {
    const file = this.global ? '--global' : '--local';
    await assertRepository(file, 'use --global to set it up for every repository');
    if (!this.remote) {
      if (this.url) throw new UsageError('--url needs --remote <name>');
      await writeEntries(installEntries({ kind: 'all' }), file);
      if (!this.quiet) this.context.stdout.write(`${AGENT} installed: git-lfs uses S3 for every remote\n`);
      return 0;
    }
    const url = this.url ?? (await remoteUrl(this.remote));
    if (url === undefined) throw new UsageError(`'${this.remote}' is not a remote of this repository`);
    if (!isRemoteUrl(url)) {
      throw new UsageError(`remote '${this.remote}' is ${url}, not an S3 URL; give the S3 location with --url s3://<bucket>/<prefix>`);
    }
    const parsed = parseRemoteUrl(url);
    const config = await readGitConfig();
    const previousLfsUrl = config.get(`remote.${this.remote.toLowerCase()}.lfsurl`);
    const previous = previousLfsUrl === undefined ? undefined : (s3UrlOfLfsUrl(previousLfsUrl) ?? previousLfsUrl);
    await writeEntries(installEntries({ kind: 'remote', remote: this.remote, url }), file);
    if (!this.quiet) {
      const replaced = previous && previous !== url ? ` (was ${previous})` : '';
      this.context.stdout.write(
        `${AGENT} installed for remote '${this.remote}': LFS objects go to s3://${parsed.bucket}/${parsed.prefix}/lfs/${replaced}\n`,
      );
    }
    return 0;
  }
}
