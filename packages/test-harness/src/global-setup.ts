// vitest global setup of the e2e projects: checks the built binaries, starts the S3 server once per run,
// probes it for conditional writes, and hands its address and capabilities to the tests.
import { existsSync } from 'node:fs';
import { openStore } from '@git-remote-s3/core';
import type { TestProject } from 'vitest/node';
import { BIN_DIRS } from './paths.js';
import { probeConditionalWrites } from './probe.js';
import { adminClient, createBucket, deleteBucket, type ServerInfo, type ServerKind, startTestServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    s3: ServerInfo;
  }
}

/** The `e2e` project: MinIO, or what S3_TEST_ENDPOINT / S3_TEST_SERVER name. */
export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return setupServer(project);
}

export async function setupServer(project: TestProject, kind?: ServerKind): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  for (const dir of BIN_DIRS) {
    if (!existsSync(dir)) throw new Error(`${dir} is missing: run 'pnpm build' before the e2e tests`);
  }
  const server = await startTestServer(kind);
  const info: ServerInfo = {
    endpoint: server.endpoint,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    region: server.region,
    label: server.label,
    capabilities: server.capabilities,
  };
  const admin = adminClient(info);
  const bucket = `probe-${Date.now().toString(36)}`;
  await createBucket(admin, bucket);
  const store = await openStore({
    bucket,
    endpoint: info.endpoint,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    env: {},
  });
  try {
    await probeConditionalWrites(store, 'probe');
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    store.close();
    await deleteBucket(admin, bucket);
  }
  process.stderr.write(`e2e: S3 server ${info.label} at ${info.endpoint} enforces conditional writes\n`);
  project.provide('s3', info);
  return async () => {
    admin.destroy();
    await server.stop();
  };
}
