// `pnpm demo`: the main job end to end on the embedded local S3 server (MinIO on 127.0.0.1): starts it,
// creates a bucket, pushes a repository with an LFS file, clones it twice, pushes from one clone and pulls into the other,
// checks that both agree, then does the same round trip on the packs layout. Prints each command it runs, and
// nothing else: the build before it speaks only when it fails.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { BIN_DIRS, REPO_ROOT } from '@git-remote-s3/test-harness/paths';
import { adminClient, createBucket, startTestServer } from '@git-remote-s3/test-harness/server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// tsup's chunk listings and the bundler's warnings are for developers; a newcomer sees them only if the build fails.
const build = spawnSync('pnpm', ['--silent', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}${build.error ? `${build.error.message}\n` : ''}`);
  process.stderr.write(`demo: the build failed (pnpm build exited with ${build.status}); its output is above\n`);
  process.exit(1);
}

const server = await startTestServer();
const bucket = 'demo';
const admin = adminClient(server);
await createBucket(admin, bucket);
admin.destroy();

const work = mkdtempSync(join(tmpdir(), 'git-remote-s3-demo-'));
const home = join(work, 'home');
spawnSync('mkdir', ['-p', home]);
writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Demo\n\temail = demo@example.com\n[init]\n\tdefaultBranch = main\n');
const env = {
  ...process.env,
  HOME: home,
  PATH: [...BIN_DIRS, process.env.PATH ?? ''].join(delimiter),
  AWS_ENDPOINT_URL: server.endpoint,
  AWS_REGION: server.region,
  AWS_ACCESS_KEY_ID: server.accessKeyId,
  AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
  AWS_EC2_METADATA_DISABLED: 'true',
};

function sh(command: string, args: string[], cwd = work): string {
  process.stdout.write(`$ ${[command, ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.status !== 0) throw new Error(`${command} exited with ${result.status}`);
  return result.stdout;
}

let ok = false;
try {
  process.stdout.write(`demo: S3 server ${server.label} at ${server.endpoint}, bucket '${bucket}'\n`);
  const url = `s3://${bucket}/demo-repo`;
  sh('git', ['lfs', 'install']);
  sh('git', ['init', '-q', '-b', 'main', 'origin-repo']);
  const repo = join(work, 'origin-repo');
  sh('git', ['remote', 'add', 'origin', url], repo);
  sh('git-lfs-s3', ['install', '--remote', 'origin'], repo);
  sh('git', ['lfs', 'track', '*.bin'], repo);
  writeFileSync(join(repo, 'hello.txt'), 'hello from git-remote-s3\n');
  const asset = randomBytes(3 * 1024 * 1024);
  writeFileSync(join(repo, 'asset.bin'), asset);
  sh('git', ['add', '.gitattributes', 'hello.txt', 'asset.bin'], repo);
  sh('git', ['commit', '-q', '-m', 'first commit, with an LFS file'], repo);
  sh('git', ['push', 'origin', 'main'], repo);
  sh('git', ['ls-remote', url]);

  sh('git', ['clone', url, 'clone-a']);
  sh('git', ['clone', url, 'clone-b']);
  const a = join(work, 'clone-a');
  writeFileSync(join(a, 'second.txt'), 'pushed from clone-a\n');
  sh('git', ['add', 'second.txt'], a);
  sh('git', ['commit', '-q', '-m', 'second commit'], a);
  sh('git', ['push', 'origin', 'main'], a);

  const b = join(work, 'clone-b');
  sh('git', ['pull', '--ff-only', 'origin', 'main'], b);
  const expected = sh('git', ['rev-parse', 'HEAD'], a).trim();
  const got = sh('git', ['rev-parse', 'HEAD'], b).trim();
  if (got !== expected || readFileSync(join(b, 'second.txt'), 'utf8') !== 'pushed from clone-a\n') {
    throw new Error(`clone-b is at ${got}, expected ${expected}`);
  }
  if (!readFileSync(join(b, 'asset.bin')).equals(asset)) throw new Error('the LFS file in clone-b differs from the one pushed');
  process.stdout.write('demo: clone-b has the LFS file asset.bin byte for byte (3 MiB, fetched from the bucket by git-lfs-s3)\n');
  sh('git', ['lfs', 'ls-files'], b);

  // The same history on the incremental packs layout (git's own bare-repository layout).
  const packsUrl = `s3://${bucket}/demo-packs`;
  sh('git', ['remote', 'add', 'packs', packsUrl], a);
  sh('git', ['config', 'remote.packs.s3layout', 'packs'], a);
  sh('git-lfs-s3', ['install', '--remote', 'packs'], a);
  sh('git', ['push', 'packs', 'main'], a);
  sh('git', ['clone', packsUrl, 'clone-c']);
  const c = join(work, 'clone-c');
  if (sh('git', ['rev-parse', 'HEAD'], c).trim() !== expected) throw new Error('clone-c (packs layout) is not at the pushed commit');
  if (!readFileSync(join(c, 'asset.bin')).equals(asset)) throw new Error('the LFS file in clone-c differs from the one pushed');
  sh('git', ['s3', 'list', 'origin'], c);
  process.stdout.write('demo: the packs-layout clone-c matches too\n');
  sh('git-remote-s3', ['--version']);
  ok = true;
} catch (error) {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(ok ? 'demo: all steps passed\n' : '');
process.exitCode = ok ? 0 : 1;
