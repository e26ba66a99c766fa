// Build settings of the one published package: one ESM entry file per program with a shebang, everything
// bundled, and lazily imported code split into chunks so start-up loads only what a command needs.
import type { Options } from 'tsup';

export function binaryBuild(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outDir: 'dist',
    clean: true,
    splitting: true,
    bundle: true,
    // The package has no runtime dependencies: the workspace packages, clipanion, zod and the AWS SDK are
    // bundled, the SDK once for both programs. Loading the SDK from node_modules instead (~60 packages)
    // made a helper run that reaches S3 take about 2.4 times as long (258 ms -> 631 ms, best of 15).
    noExternal: [/.*/],
    minify: false,
    sourcemap: false,
    treeshake: true,
    shims: false,
    // Bundled CommonJS code (parts of the AWS SDK) calls require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  };
}
