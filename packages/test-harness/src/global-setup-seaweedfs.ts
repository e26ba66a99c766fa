// vitest global setup of the e2e-seaweedfs project: the store-facing stories on SeaweedFS, whatever
// S3_TEST_ENDPOINT or S3_TEST_SERVER say for the main e2e project.
import type { TestProject } from 'vitest/node';
import { setupServer } from './global-setup.js';

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return setupServer(project, 'seaweedfs');
}
