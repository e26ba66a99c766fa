// Build settings shared by the two binaries: one ESM entry file per binary with a shebang, everything
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
    noExternal: [/.*/],
    minify: false,
    sourcemap: false,
    treeshake: true,
    shims: false,
    // Bundled CommonJS code (parts of the AWS SDK) calls require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  };
}
