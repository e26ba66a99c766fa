// Which S3 server a test run uses: the embedded MinIO by default, SeaweedFS with S3_TEST_SERVER=seaweedfs, or
// any endpoint named by S3_TEST_ENDPOINT (with the usual AWS_* credentials); what each can do beyond the S3 the
// product needs; and the admin operations tests need that the product never does.

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
import { startSeaweedfs } from './seaweedfs.js';

export interface ServerInfo {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly label: string;
  readonly capabilities: Capabilities;
}

/**
 * What a server offers beyond the S3 the product relies on, which some tests use to set the scene. A test
 * that needs one is skipped on a server that does not declare it (`serverLacks` in context.ts), never run
 * to fail.
 */
export interface Capabilities {
  /** A bucket policy can grant anonymous `s3:GetObject` (plain-HTTP clones of a public remote). */
  readonly anonymousReadPolicy: boolean;
  /** STS AssumeRole with a session policy gives the root user narrower credentials (real AccessDenied errors). */
  readonly assumeRole: boolean;
  /** A key with a control character in it lists back as written (SeaweedFS lists U+FFFD in its place). */
  readonly controlCharacterKeys: boolean;
}

/** What a client needs to reach a server. */
export type ServerAddress = Pick<ServerInfo, 'endpoint' | 'accessKeyId' | 'secretAccessKey' | 'region'>;

export type ServerKind = 'minio' | 'seaweedfs';

const SERVER_KINDS: readonly ServerKind[] = ['minio', 'seaweedfs'];

const CAPABILITIES: Record<ServerKind | 'external', Capabilities> = {
  minio: { anonymousReadPolicy: true, assumeRole: true, controlCharacterKeys: true },
  // SeaweedFS 4.48 serves anonymous reads a bucket policy allows, but its STS answers 503 until an OIDC/IAM
  // set-up of its own is configured, and its listings replace control characters in keys with U+FFFD.
  seaweedfs: { anonymousReadPolicy: true, assumeRole: false, controlCharacterKeys: false },
  // an external endpoint is taken to be AWS-like; the tests that need more say so when they fail
  external: { anonymousReadPolicy: true, assumeRole: true, controlCharacterKeys: true },
};

export type TestServer = S3Server & { readonly capabilities: Capabilities };

/** The server named by `kind`, else by S3_TEST_ENDPOINT, else by S3_TEST_SERVER (default: MinIO). */
export async function startTestServer(kind?: ServerKind): Promise<TestServer> {
  const external = kind ? undefined : process.env.S3_TEST_ENDPOINT;
  if (!external) {
    const chosen = kind ?? serverKind(process.env.S3_TEST_SERVER);
    const server = chosen === 'seaweedfs' ? await startSeaweedfs() : await startMinio();
    return { ...server, stop: () => server.stop(), capabilities: CAPABILITIES[chosen] };
  }
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('S3_TEST_ENDPOINT needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  return {
    endpoint: external,
    accessKeyId,
    secretAccessKey,
    region: process.env.AWS_REGION ?? 'us-east-1',
    label: `external ${external}`,
    capabilities: CAPABILITIES.external,
    stop: async () => {},
  };
}

function serverKind(name: string | undefined): ServerKind {
  if (!name) return 'minio';
  const kind = SERVER_KINDS.find((k) => k === name.toLowerCase());
  if (!kind) throw new Error(`S3_TEST_SERVER=${name} is not one of ${SERVER_KINDS.join(', ')}`);
  return kind;
}

export function adminClient(server: ServerAddress): S3Client {
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

/**
 * Empties and removes a bucket; best effort, for test clean-up. Stops when a round deletes nothing: a key
 * the listing cannot name (SeaweedFS lists a control character as U+FFFD) is left for the data directory.
 */
export async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    let before = '';
    for (;;) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (listed.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      const now = JSON.stringify(keys);
      if (keys.length === 0 || now === before) break;
      before = now;
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
export function isolatedEnv(server: ServerAddress, home: string, endpoint: string = server.endpoint): Record<string, string> {
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
