// Where things are on disk: the built binaries (the harness puts these first on PATH), the repository root,
// and the harness's own scripts that tests start as separate processes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, '..', '..', '..');
export const BIN_DIRS = [
  join(REPO_ROOT, 'packages', 'remote-helper', 'dist', 'bin'),
  join(REPO_ROOT, 'packages', 'lfs-transfer', 'dist', 'bin'),
];
/** A separate process that competes for a ref lock (lock-contender.ts), run with `node --import tsx`. */
export const LOCK_CONTENDER = join(HERE, 'lock-contender.ts');
