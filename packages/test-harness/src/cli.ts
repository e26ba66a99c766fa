// `pnpm s3-server`: runs the embedded test S3 server by hand (MinIO, or SeaweedFS with S3_TEST_SERVER=seaweedfs,
// on 127.0.0.1) with one bucket, and prints the environment to point git at it. `--build-only` just builds and
// caches the MinIO binary.

import { ensureMinio } from './minio.js';
import { adminClient, createBucket, startTestServer } from './server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

if (process.argv.includes('--build-only')) {
  const path = await ensureMinio();
  process.stdout.write(`test S3 server ready: ${path}\n`);
} else {
  const bucket = process.argv.find((a, i) => i >= 2 && !a.startsWith('-')) ?? 'demo';
  const server = await startTestServer();
  const admin = adminClient(server);
  await createBucket(admin, bucket).catch(() => {});
  admin.destroy();
  process.stdout.write(
    [
      `S3 server ${server.label} listening at ${server.endpoint} with bucket '${bucket}'. In another shell:`,
      '',
      `  export AWS_ENDPOINT_URL=${server.endpoint} AWS_REGION=${server.region}`,
      `  export AWS_ACCESS_KEY_ID=${server.accessKeyId} AWS_SECRET_ACCESS_KEY=${server.secretAccessKey}`,
      `  export PATH="$PWD/packages/remote-helper/dist/bin:$PWD/packages/lfs-transfer/dist/bin:$PATH"`,
      `  git remote add origin s3://${bucket}/my-repo`,
      '',
      'Press Ctrl-C to stop it (its data is deleted).',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
