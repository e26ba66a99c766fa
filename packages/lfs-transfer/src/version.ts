// The version printed by --version, taken from package.json at build time. The line names the tool and its
// runtime, since the Python git-remote-s3 installs the same command names.
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

/** What `--version` prints: `git-lfs-s3/0.2.0 (TypeScript; node v20.19.0)`. */
export const VERSION_LINE = `git-lfs-s3/${VERSION} (TypeScript; node ${process.version})`;
