// Four test projects: `unit` (beside the code, no network), `e2e` (real git, real git-lfs, a real
// S3-compatible server process started by the harness on 127.0.0.1: MinIO unless S3_TEST_SERVER or
// S3_TEST_ENDPOINT say otherwise), `e2e-seaweedfs` (the store-facing stories again on SeaweedFS) and
// `installed` (the packed and installed package, last: packing rebuilds the dist/ the others run from).
import { configDefaults, defineConfig } from 'vitest/config';

const e2eShared = {
  environment: 'node',
  // Never let the SDK's credential chain reach for an instance-metadata address from a test.
  env: { AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  testTimeout: 120_000,
  hookTimeout: 600_000,
  // Scenarios spawn many git and node processes; two files at a time keep a 2-core machine responsive, and
  // the e2e projects run one after the other (sequence.groupOrder), never side by side.
  maxWorkers: 2,
} as const;

/**
 * The stories where the store's own behaviour matters (conditional writes, listing, multipart, ranged reads,
 * deletes): the capability probe runs in the global setup; management, error wording, migration and
 * interoperability with the Python tool do not depend on which store is behind them.
 */
const STORE_FACING = ['store', 'lock', 'push-and-clone', 'packs-layout', 'concurrent-push', 'lfs', 'gc', 'store-quirks'].map(
  (name) => `test-e2e/${name}.e2e.test.ts`,
);
const INSTALLED = 'test-e2e/installed-package.e2e.test.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.mjs'],
          environment: 'node',
          // clipanion's ESM build imports a directory (lib/platform), which Node's loader refuses; Vite resolves it.
          server: { deps: { inline: ['clipanion'] } },
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...e2eShared,
          name: 'e2e',
          include: ['test-e2e/**/*.e2e.test.ts'],
          exclude: [...configDefaults.exclude, INSTALLED],
          globalSetup: ['packages/test-harness/src/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...e2eShared,
          name: 'e2e-seaweedfs',
          include: STORE_FACING,
          globalSetup: ['packages/test-harness/src/global-setup-seaweedfs.ts'],
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          ...e2eShared,
          name: 'installed',
          include: [INSTALLED],
          globalSetup: ['packages/test-harness/src/global-setup.ts'],
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
