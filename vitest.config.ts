// Two test projects: `unit` (beside the code, no network) and `e2e` (real git, real git-lfs, a real
// S3-compatible server process started by the harness on 127.0.0.1).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          environment: 'node',
          // clipanion's ESM build imports a directory (lib/platform), which Node's loader refuses; Vite resolves it.
          server: { deps: { inline: ['clipanion'] } },
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test-e2e/**/*.e2e.test.ts'],
          environment: 'node',
          globalSetup: ['test-e2e/harness/global-setup.ts'],
          // Never let the SDK's credential chain reach for an instance-metadata address from a test.
          env: { AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // Scenarios spawn many git and node processes; two files at a time keep a 2-core machine responsive.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
