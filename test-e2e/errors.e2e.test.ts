// The §8 errors the store produces for real against the S3 server: each says what failed, where, and
// what to do, in one line.
import { openStore } from '@git-remote-s3/core';
import { test } from '@git-remote-s3/test-harness/context';
import { describe, expect } from 'vitest';

describe('store errors from a real S3 server', () => {
  test('a missing bucket is named with the endpoint and how to create it', async ({ world }) => {
    const store = await openStore({ bucket: 'no-such-bucket-here', env: world.env });
    await expect(store.list('repo/refs/')).rejects.toThrow(
      `bucket 'no-such-bucket-here' does not exist at ${world.server.endpoint}; create it first (aws s3 mb s3://no-such-bucket-here) or check the remote url`,
    );
    store.close();
  });

  test('wrong credentials are reported as rejected credentials, never printing the secret', async ({ world }) => {
    const env = { ...world.env, AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG1', AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' };
    const wrong = await openStore({ bucket: world.bucket, env });
    const error = await wrong.list('repo/').catch((e: unknown) => e as Error);
    expect(error).toHaveProperty('code', 'no-credentials');
    expect((error as Error).message).toMatch(
      /^no valid AWS credentials from the default credential chain \(.* rejected them: InvalidAccessKeyId\); set AWS_PROFILE/,
    );
    expect((error as Error).message).not.toContain('wrong-secret-value');
    wrong.close();
  });

  test('a missing key is reported with its full s3 url', async ({ world }) => {
    await expect(world.store.get('repo/refs/heads/main/none.bundle')).rejects.toThrow(
      `s3://${world.bucket}/repo/refs/heads/main/none.bundle does not exist`,
    );
  });

  test('an unknown profile is reported as missing credentials naming the profile', async ({ world }) => {
    const env = {
      ...world.env,
      AWS_CONFIG_FILE: `${world.home}/.aws/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${world.home}/.aws/credentials`,
    };
    const store = await openStore({ bucket: world.bucket, profile: 'nosuchprofile', env });
    const error = await store.list('repo/').catch((e: unknown) => e as Error);
    expect(error).toHaveProperty('code', 'no-credentials');
    expect((error as Error).message).toMatch(
      /^no valid AWS credentials from profile 'nosuchprofile' \(.*\); run 'aws sso login --profile nosuchprofile'/,
    );
    store.close();
  });

  test('an unreachable endpoint is a network error naming it', async ({ world }) => {
    const store = await openStore({ bucket: world.bucket, env: { ...world.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    await expect(store.list('repo/')).rejects.toThrow(
      /^cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\); check the endpoint and your network$/,
    );
    store.close();
  });
});
