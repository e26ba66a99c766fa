// Where things are on disk: the built binaries of the one package, git-remote-s3 (the harness puts them first on
// PATH), the repository root, and the harness's own scripts that tests start as separate processes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, '..', '..', '..');
/** The package's directory: `pnpm pack` runs here. */
export const PACKAGE_DIR = join(REPO_ROOT, 'packages', 'remote-helper');
/** Every command of the package, git-lfs-s3 included, linked by name to its built entry. */
export const BIN_DIRS = [join(PACKAGE_DIR, 'dist', 'bin')];
/** A separate process that competes for a ref lock (lock-contender.ts), run with `node --import tsx`. */
export const LOCK_CONTENDER = join(HERE, 'lock-contender.ts');
