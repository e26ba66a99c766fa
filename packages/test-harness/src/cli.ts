// `pnpm s3-server [--port <port>] [--data <dir>] [<bucket>]`: runs the embedded test S3 server by hand (MinIO, or
// SeaweedFS with S3_TEST_SERVER=seaweedfs, on 127.0.0.1) with one bucket, and prints the `export` lines that point
// git at it. With `--data` MinIO keeps its objects and credentials there, so a remote made by hand survives a
// restart. `--build-only` just builds and caches the MinIO binary.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureMinio, startMinio } from './minio.js';
import { BIN_DIRS } from './paths.js';
import { adminClient, createBucket, startTestServer } from './server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const USAGE = 'usage: pnpm s3-server [--port <port>] [--data <dir>] [<bucket>]';

function usageError(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(129);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        'build-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    usageError((error as Error).message.split('. ')[0]?.toLowerCase() ?? 'bad arguments');
  }
}
const { values, positionals } = parse();

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
} else if (values['build-only']) {
  const path = await ensureMinio();
  process.stdout.write(`test S3 server ready: ${path}\n`);
} else {
  if (positionals.length > 1) usageError(`one bucket name at most, not ${positionals.length}`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    usageError(`--port '${values.port}' is not a port number`);
  const dataDir = values.data === undefined ? undefined : resolve(values.data);
  const chosen = port !== undefined || dataDir !== undefined;
  if (chosen && (process.env.S3_TEST_ENDPOINT || (process.env.S3_TEST_SERVER ?? 'minio').toLowerCase() !== 'minio')) {
    usageError('--port and --data work with the embedded MinIO only (unset S3_TEST_SERVER and S3_TEST_ENDPOINT)');
  }
  const bucket = positionals[0] ?? 'demo';
  const server = await (chosen ? startMinio({ port, dataDir }) : startTestServer()).catch((error: Error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  });
  const admin = adminClient(server);
  // a kept data directory already holds the bucket from an earlier run
  await createBucket(admin, bucket).catch(() => {});
  admin.destroy();
  process.stdout.write(
    [
      `S3 server ${server.label} listening at ${server.endpoint} with bucket '${bucket}'. In another shell:`,
      '',
      `  export AWS_ENDPOINT_URL=${server.endpoint} AWS_REGION=${server.region}`,
      `  export AWS_ACCESS_KEY_ID=${server.accessKeyId} AWS_SECRET_ACCESS_KEY=${server.secretAccessKey}`,
      `  export PATH="${BIN_DIRS.join(':')}:$PATH"`,
      `  git remote add origin s3://${bucket}/my-repo`,
      '',
      dataDir
        ? `Press Ctrl-C to stop it; its data stays in ${dataDir}, and the same command starts it again with the same exports.`
        : 'Press Ctrl-C to stop it (its data is deleted; --data <dir> keeps it).',
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
