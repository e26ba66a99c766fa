// Which credentials git's pushes and clones sign with, from a HOME holding ~/.aws/config and ~/.aws/credentials:
// the SDK's own precedence (a profile named by AWS_PROFILE or the URL wins over keys in the environment), a
// misspelled profile named with the files looked in, SSO advice, and none of the SDK's own warnings on stderr.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { lsRemote, repoWithRemote, requestLines } from '@git-remote-s3/test-harness/repo';
import { describe, expect } from 'vitest';

const WRONG_KEYS = { AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG1', AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' };

/** ~/.aws with `minio` (the server's keys), `stale` (wrong keys), `corp` (SSO, never logged in); returns the env to run with. */
async function awsFiles(world: World): Promise<void> {
  await mkdir(join(world.home, '.aws'));
  await writeFile(
    join(world.home, '.aws', 'credentials'),
    `[minio]\naws_access_key_id = ${world.server.accessKeyId}\naws_secret_access_key = ${world.server.secretAccessKey}\n` +
      `[stale]\naws_access_key_id = ${WRONG_KEYS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${WRONG_KEYS.AWS_SECRET_ACCESS_KEY}\n`,
  );
  await writeFile(
    join(world.home, '.aws', 'config'),
    '[profile corp]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = dev\n' +
      '[sso-session corp]\nsso_start_url = https://corp.invalid/start\nsso_region = eu-west-1\n',
  );
}

/** stderr lines that are not git's own progress: what the helper printed. */
function lines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '');
}

/** Text only the SDK writes: its warnings name their package or their "Multiple credential sources". */
const SDK_TEXT = /@aws-sdk|@smithy|Multiple credential sources|WARNING/;

describe('a profile outranks keys in the environment, as in the SDK', () => {
  test('AWS_PROFILE with the right keys wins over wrong keys in the environment: push and clone work', async ({ world }) => {
    await awsFiles(world);
    const env = { ...WRONG_KEYS, AWS_PROFILE: 'minio' };
    const src = await repoWithRemote(world, 'src', world.url('repo'));
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    const push = await world.run('git', ['push', '-q', 'origin', 'main'], { cwd: src, env });
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const clone = await world.run('git', ['clone', '-q', world.url('repo'), 'copy'], { cwd: world.dir, env });
    expect(clone.code).toBe(0);
    expect(clone.stderr).not.toMatch(SDK_TEXT);
    expect((await world.git(['rev-parse', 'HEAD'], join(world.dir, 'copy'))).trim()).toBe(sha);
  });

  test("the URL's profile wins over wrong keys in the environment and over AWS_PROFILE", async ({ world }) => {
    await awsFiles(world);
    const src = await repoWithRemote(world, 'src', world.url('repo'));
    const sha = (await world.git(['rev-parse', 'HEAD'], src)).trim();
    await world.git(['push', '-q', 'origin', 'main'], src);
    const result = await world.run('git', ['ls-remote', `s3://minio@${world.bucket}/repo`], {
      cwd: world.dir,
      env: { ...WRONG_KEYS, AWS_PROFILE: 'stale' },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${sha}\trefs/heads/main`);
  });

  test('AWS_PROFILE with wrong keys loses against right keys in the environment: the error names the profile and why', async ({
    world,
  }) => {
    await awsFiles(world);
    const src = await repoWithRemote(world, 'src', world.url('repo'));
    await world.git(['push', '-q', 'origin', 'main'], src);
    // The environment's keys are the server's (the harness sets them): they would work, and are not used.
    expect((await lsRemote(world, world.url('repo'))).has('refs/heads/main')).toBe(true);
    const result = await world.run('git', ['ls-remote', world.url('repo')], { cwd: world.dir, env: { AWS_PROFILE: 'stale' } });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)[0]).toBe(
      `error: no valid AWS credentials from profile 'stale' (${world.server.endpoint} rejected them: InvalidAccessKeyId); check its keys, or run 'aws configure --profile stale'; AWS_PROFILE wins over AWS_ACCESS_KEY_ID in the environment: correct it, or unset it to use those keys`,
    );
    expect(result.stderr).not.toMatch(SDK_TEXT);
  });
});

describe('a misspelled profile', () => {
  test('from the URL is named with the files looked in, before any request', async ({ world }) => {
    await awsFiles(world);
    const url = `s3://nosuch@${world.bucket}/repo`;
    const result = await world.run('git', ['ls-remote', url], { cwd: world.dir });
    expect(result.code).toBe(128);
    expect(lines(result.stderr)).toEqual(["error: AWS profile 'nosuch' not found in ~/.aws/config or ~/.aws/credentials"]);
    const verbose = await world.run('git', ['ls-remote', url], { cwd: world.dir, env: { GIT_REMOTE_S3_VERBOSE: '1' } });
    expect(requestLines(verbose.stderr)).toEqual([]);
  });

  test('from AWS_PROFILE is an error even with working keys in the environment, saying those keys are not used', async ({ world }) => {
    await awsFiles(world);
    const src = await repoWithRemote(world, 'src', world.url('repo'));
    const result = await world.run('git', ['push', 'origin', 'main'], { cwd: src, env: { AWS_PROFILE: 'nosuch' } });
    expect(result.code).toBe(128);
    expect(lines(result.stderr)[0]).toBe(
      "error: AWS profile 'nosuch' not found in ~/.aws/config or ~/.aws/credentials; AWS_PROFILE wins over AWS_ACCESS_KEY_ID in the environment: correct it, or unset it to use those keys",
    );
    expect(result.stderr).not.toMatch(SDK_TEXT);
    expect((await world.store.list('repo/')).objects).toEqual([]);
  });

  test('names the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point at', async ({ world }) => {
    const result = await world.run('git', ['ls-remote', `s3://nosuch@${world.bucket}/repo`], {
      cwd: world.dir,
      env: { AWS_CONFIG_FILE: join(world.dir, 'cfg'), AWS_SHARED_CREDENTIALS_FILE: join(world.home, 'creds') },
    });
    expect(result.code).toBe(128);
    expect(lines(result.stderr)[0]).toBe(`error: AWS profile 'nosuch' not found in ${join(world.dir, 'cfg')} or ~/creds`);
  });
});

describe('an SSO profile not logged in', () => {
  for (const [how, url, env] of [
    ['from AWS_PROFILE', (w: World) => w.url('repo'), { AWS_PROFILE: 'corp' }],
    ['from the URL', (w: World) => `s3://corp@${w.bucket}/repo`, {}],
  ] as const) {
    test(`${how} says to run aws sso login for it, on one line`, async ({ world }) => {
      await awsFiles(world);
      const result = await world.run('git', ['ls-remote', url(world)], { cwd: world.dir, env });
      expect(result.code).toBe(128);
      expect(lines(result.stderr)[0]).toBe(
        "error: no valid AWS credentials from profile 'corp' (the SSO session token associated with profile=corp was not found or is invalid); run 'aws sso login --profile corp'" +
          (how === 'from AWS_PROFILE'
            ? '; AWS_PROFILE wins over AWS_ACCESS_KEY_ID in the environment: correct it, or unset it to use those keys'
            : ''),
      );
      expect(result.stderr).not.toMatch(SDK_TEXT);
    });
  }
});
