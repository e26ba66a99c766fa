// Which S3 server a test run uses: the embedded MinIO by default, or any endpoint named by S3_TEST_ENDPOINT
// (with the usual AWS_* credentials), and the admin operations tests need that the product never does.

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { cacheDir, type S3Server, startMinio } from './minio.js';

export interface ServerInfo {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly label: string;
}

export async function startTestServer(): Promise<S3Server> {
  const external = process.env.S3_TEST_ENDPOINT;
  if (!external) return startMinio();
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('S3_TEST_ENDPOINT needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  return {
    endpoint: external,
    accessKeyId,
    secretAccessKey,
    region: process.env.AWS_REGION ?? 'us-east-1',
    label: `external ${external}`,
    stop: async () => {},
  };
}

export function adminClient(server: ServerInfo): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Empties and removes a bucket; best effort, for test clean-up. */
export async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    for (;;) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (listed.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch {
    // left for the server's data directory to take away
  }
}

/** Lets anyone read objects under `prefix` (how MinIO grants anonymous reads; it ignores object ACLs). */
export async function allowAnonymousRead(client: S3Client, bucket: string, prefix: string): Promise<void> {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/${prefix}/*`] }],
  };
  await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
}

/**
 * Temporary credentials limited to `actions` (STS AssumeRole with a session policy, which MinIO grants to
 * its root user): how the tests meet a real AccessDenied.
 */
export async function restrictedCredentials(server: ServerInfo, actions: readonly string[]): Promise<Record<string, string>> {
  const sts = new STSClient({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: ['arn:aws:s3:::*'] }] };
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::000000000000:role/e2e',
      RoleSessionName: 'e2e',
      Policy: JSON.stringify(policy),
      DurationSeconds: 900,
    }),
  );
  sts.destroy();
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
  return { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken };
}

/**
 * The environment every program under test or benchmark runs in: git without system config or prompts,
 * the server's credentials and endpoint, never an instance-metadata lookup, and the tools cache.
 */
export function isolatedEnv(server: ServerInfo, home: string, endpoint: string = server.endpoint): Record<string, string> {
  return {
    HOME: home,
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_DEFAULT_REGION: server.region,
    AWS_ENDPOINT_URL: endpoint,
    // The default credential chain must never reach for an instance-metadata address from here.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Tools the harness builds (MinIO, the Python peer) stay in the real cache, not the temporary HOME.
    GIT_REMOTE_S3_TEST_CACHE: cacheDir(),
  };
}
