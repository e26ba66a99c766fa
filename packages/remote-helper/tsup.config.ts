// The one published package's build: git-remote-s3's entry (all four helper names) and git-lfs-s3's entry
// (from the private lfs-transfer package) in one build, so the code they share is one set of chunks.
import { defineConfig } from 'tsup';
import { binaryBuild } from '../../tsup.shared.js';

export default defineConfig(binaryBuild({ main: 'src/main.ts', 'lfs-transfer': '../lfs-transfer/src/main.ts' }));
